//===- TargetDescTest.cpp - the target registry and its overrides ---------===//

#include "moec/Target/TargetDesc.h"
#include "moec/Dialect/MoE/MoEAttrs.h"
#include "moec/Dialect/MoE/MoEDialect.h"

#include "mlir/IR/MLIRContext.h"
#include "llvm/ADT/SmallString.h"
#include "llvm/Support/FileSystem.h"
#include "gtest/gtest.h"

using namespace moec;

namespace {

TargetDesc resolved(llvm::StringRef spec) {
  llvm::Expected<TargetDesc> target = resolveTarget(spec);
  if (!target) {
    ADD_FAILURE() << llvm::toString(target.takeError());
    return {};
  }
  return *target;
}

std::string errorOf(llvm::StringRef spec) {
  llvm::Expected<TargetDesc> target = resolveTarget(spec);
  if (target)
    return "<accepted>";
  return llvm::toString(target.takeError());
}

TEST(TargetRegistry, Names) {
  std::vector<std::string> names;
  for (llvm::StringRef name : registeredTargets())
    names.push_back(name.str());
  EXPECT_EQ(names, (std::vector<std::string>{"cpu-host", "ascend-910b",
                                             "ascend-910c"}));
}

TEST(TargetRegistry, Ascend910B) {
  TargetDesc t = resolved("ascend-910b");
  EXPECT_EQ(t.kind, "npu");
  EXPECT_EQ(t.matrixCores, 24u);
  EXPECT_EQ(t.vectorCores, 48u);
  ASSERT_NE(t.level("UB"), nullptr);
  EXPECT_EQ(t.level("UB")->capacityBytes, 192u * 1024);
  EXPECT_EQ(t.level("L0C")->capacityBytes, 128u * 1024);
  EXPECT_EQ(t.level("L0A")->alignmentBytes, 512u);
  EXPECT_EQ(t.level("L1")->alignmentBytes, 32u);
  EXPECT_EQ(t.level("L2"), nullptr);
  const MatrixMode *f16 = t.matrixMode("f16");
  ASSERT_NE(f16, nullptr);
  EXPECT_EQ(f16->m0 * f16->k0 * f16->n0, f16->macsPerCycle);
  // 2 FLOPs x 4096 MACs x 24 cores x 1.59 GHz.
  EXPECT_NEAR(t.peakTflops("bf16"), 2 * 4096 * 24 * 1.59e9 / 1e12, 1e-9);
  EXPECT_EQ(t.peakTflops("f8"), 0);
  EXPECT_EQ(t.vector.widthBytes, 256);
}

TEST(TargetRegistry, CopyEdges) {
  TargetDesc t = resolved("ascend-910c");
  EXPECT_EQ(t.copyPipe("GM", "L1"), "MTE2");
  EXPECT_EQ(t.copyPipe("L1", "L0B"), "MTE1");
  EXPECT_EQ(t.copyPipe("L0C", "GM"), "FIX");
  EXPECT_EQ(t.copyPipe("UB", "GM"), "MTE3");
  // The paths 910B/910C do not have.
  EXPECT_EQ(t.copyPipe("UB", "L1"), std::nullopt);
  EXPECT_EQ(t.copyPipe("L0C", "UB"), std::nullopt);
  EXPECT_EQ(t.copyPipe("GM", "L0A"), std::nullopt);
}

TEST(TargetRegistry, Overrides) {
  TargetDesc t = resolved("ascend-910b:ub=96K,l0c-align=64,gm-bw=1200,"
                          "clock-ghz=1.8,cube-cores=20,vector-cores=40,"
                          "macs-f16=2048,vector-width=128");
  EXPECT_EQ(t.level("UB")->capacityBytes, 96u * 1024);
  EXPECT_EQ(t.level("L0C")->alignmentBytes, 64u);
  EXPECT_EQ(t.level("GM")->bandwidthGBs, 1200);
  EXPECT_EQ(t.clockGHz, 1.8);
  EXPECT_EQ(t.matrixCores, 20u);
  EXPECT_EQ(t.vectorCores, 40u);
  EXPECT_EQ(t.matrixMode("f16")->macsPerCycle, 2048);
  EXPECT_EQ(t.vector.widthBytes, 128);
  EXPECT_NEAR(t.peakTflops("f16"), 2 * 2048 * 20 * 1.8e9 / 1e12, 1e-9);
}

TEST(TargetRegistry, CpuHost) {
  TargetDesc t = resolved("cpu-host:l2=512K,cores=3,vector-bits=256");
  EXPECT_EQ(t.kind, "cpu");
  EXPECT_EQ(t.level("L2")->capacityBytes, 512u * 1024);
  EXPECT_EQ(t.vectorCores, 3u);
  EXPECT_EQ(t.vector.widthBytes, 32);
  EXPECT_TRUE(t.matrixModes.empty());
  EXPECT_TRUE(t.copies.empty());
}

TEST(TargetRegistry, Errors) {
  EXPECT_EQ(errorOf("ascend-999"), "unknown target 'ascend-999'; valid "
                                   "targets: cpu-host, ascend-910b, "
                                   "ascend-910c");
  std::string unknown = errorOf("ascend-910b:l0d=1K");
  EXPECT_EQ(unknown.rfind("ascend-910b: unknown key 'l0d'; valid keys: "
                          "clock-ghz, cube-cores, vector-cores, "
                          "vector-width, gm, gm-align, gm-bw, l1,",
                          0),
            0u)
      << unknown;
  EXPECT_EQ(errorOf("ascend-910b:ub=1K,ub=2K"),
            "ascend-910b: key 'ub' given twice");
  EXPECT_EQ(errorOf("ascend-910b:ub"),
            "ascend-910b: expected key=value, got 'ub'; valid keys: "
            "clock-ghz, cube-cores, vector-cores, vector-width, gm, "
            "gm-align, gm-bw, l1, l1-align, l1-bw, l0a, l0a-align, l0a-bw, "
            "l0b, l0b-align, l0b-bw, l0c, l0c-align, l0c-bw, ub, ub-align, "
            "ub-bw, macs-f16, macs-bf16, macs-i8, macs-f32");
  EXPECT_EQ(errorOf("ascend-910b:ub=12X"),
            "ascend-910b: bad value '12X' for 'ub'; valid values: a positive "
            "byte count with an optional K, M or G suffix");
  EXPECT_EQ(errorOf("ascend-910b:l1-align=48"),
            "ascend-910b: bad value '48' for 'l1-align'; valid values: a "
            "power of two");
  EXPECT_EQ(errorOf("ascend-910b:clock-ghz=-1"),
            "ascend-910b: bad value '-1' for 'clock-ghz'; valid values: a "
            "positive number");
  EXPECT_EQ(errorOf("ascend-910b:cube-cores=0"),
            "ascend-910b: bad value '0' for 'cube-cores'; valid values: a "
            "positive integer");
  EXPECT_EQ(errorOf("ascend-910b:vector-width=100"),
            "ascend-910b: bad value '100' for 'vector-width'; valid values: "
            "a positive multiple of 32");
  EXPECT_EQ(errorOf("ascend-910b:macs-f8=1")
                .rfind("ascend-910b: unknown key 'macs-f8'; valid keys: ", 0),
            0u);
  EXPECT_NE(errorOf("cpu-host:foo=1").find("cpu-host: unknown key 'foo'"),
            std::string::npos);
}

/// A temporary file holding `text`, removed with the object.
struct TempFile {
  explicit TempFile(llvm::StringRef text) {
    int fd;
    EXPECT_FALSE(llvm::sys::fs::createTemporaryFile("target", "txt", fd, path));
    llvm::raw_fd_ostream os(fd, /*shouldClose=*/true);
    os << text;
  }
  ~TempFile() { llvm::sys::fs::remove(path); }
  std::string spec() const { return "@" + std::string(path.str()); }
  llvm::SmallString<128> path;
};

TEST(TargetRegistry, FromFile) {
  // Blank lines, comments and spaces around '=' are ignored.
  TempFile good("# variant\nascend-910c:clock-ghz=2 # faster\n\nub=96K\n  "
                "l0c-align = 64 \n");
  TargetDesc t = resolved(good.spec());
  EXPECT_EQ(t.name, "ascend-910c");
  EXPECT_EQ(t.clockGHz, 2);
  EXPECT_EQ(t.level("UB")->capacityBytes, 96u * 1024);
  EXPECT_EQ(t.level("L0C")->alignmentBytes, 64u);

  // cpu-host's overrides go through the same walk: spaces are ignored too.
  TempFile host("cpu-host\n l2 = 512K \ncores = 3\n");
  TargetDesc cpu = resolved(host.spec());
  EXPECT_EQ(cpu.level("L2")->capacityBytes, 512u * 1024);
  EXPECT_EQ(cpu.vectorCores, 3u);

  TempFile empty("# nothing\n\n");
  EXPECT_EQ(errorOf(empty.spec()), "target file '" +
                                       std::string(empty.path.str()) +
                                       "' names no target");
  TempFile chained(good.spec() + "\n");
  EXPECT_EQ(errorOf(chained.spec()),
            "target file '" + std::string(chained.path.str()) +
                "' names another file; it must name a target");
  EXPECT_EQ(errorOf("@/nonexistent/chip.txt")
                .rfind("cannot read target file '/nonexistent/chip.txt': ", 0),
            0u);
}

TEST(TargetRegistry, AttributeRoundTrip) {
  mlir::MLIRContext context;
  context.loadDialect<mlir::moe::MoEDialect>();
  for (llvm::StringRef spec :
       {"cpu-host", "ascend-910b", "ascend-910c:ub=96K,gm-bw=1200.5"}) {
    TargetDesc target = resolved(spec);
    mlir::moe::TargetAttr attr = toTargetAttr(&context, target);
    // What the attribute's verifier would say, had the parser built it.
    bool valid = mlir::succeeded(mlir::moe::TargetAttr::verify(
        [&] { return mlir::emitError(mlir::UnknownLoc::get(&context)); },
        attr.getName(), attr.getKind(), attr.getClockGhz(), attr.getCubeCores(),
        attr.getVectorCores(), attr.getVectorWidth(), attr.getVectorBlock(),
        attr.getVectorRegisters(), attr.getFeatures(), attr.getMatrix(),
        attr.getMemory(), attr.getCopies(), attr.getPipes(), attr.getEventIds(),
        attr.getCrossCoreEventIds()));
    EXPECT_TRUE(valid) << spec.str();
    TargetDesc back = fromTargetAttr(attr);
    EXPECT_EQ(back.name, target.name);
    EXPECT_EQ(back.clockGHz, target.clockGHz);
    ASSERT_EQ(back.memory.size(), target.memory.size());
    for (size_t i = 0; i < back.memory.size(); ++i) {
      EXPECT_EQ(back.memory[i].name, target.memory[i].name);
      EXPECT_EQ(back.memory[i].capacityBytes, target.memory[i].capacityBytes);
      EXPECT_EQ(back.memory[i].alignmentBytes, target.memory[i].alignmentBytes);
      EXPECT_EQ(back.memory[i].bandwidthGBs, target.memory[i].bandwidthGBs);
    }
    ASSERT_EQ(back.matrixModes.size(), target.matrixModes.size());
    for (size_t i = 0; i < back.matrixModes.size(); ++i) {
      EXPECT_EQ(back.matrixModes[i].elementType,
                target.matrixModes[i].elementType);
      EXPECT_EQ(back.matrixModes[i].macsPerCycle,
                target.matrixModes[i].macsPerCycle);
    }
    EXPECT_EQ(back.copies.size(), target.copies.size());
    EXPECT_EQ(back.pipes, target.pipes);
    EXPECT_EQ(back.vector.widthBytes, target.vector.widthBytes);
    EXPECT_EQ(back.vector.registers, target.vector.registers);
    EXPECT_EQ(back.features, target.features);
  }
}

} // namespace
