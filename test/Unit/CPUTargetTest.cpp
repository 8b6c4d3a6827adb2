//===- CPUTargetTest.cpp - cpu-host description and GEMM tiling -----------===//

#include "moec/Target/CPUTarget.h"

#include "mlir/AsmParser/AsmParser.h"
#include "mlir/IR/MLIRContext.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

#include "gtest/gtest.h"

using namespace moec;

namespace moec {
// Readable expectations on GemmTiling.
void PrintTo(const GemmTiling &t, std::ostream *os) {
  *os << "{lanes=" << t.lanes << " mr=" << t.mr << " nv=" << t.nv
      << " mt=" << t.mt << " bf16Dot=" << t.bf16Dot << "}";
}
} // namespace moec

namespace {

constexpr uint64_t KiB = 1024, MiB = 1024 * KiB;

CPUTargetDesc resolveOk(llvm::StringRef spec) {
  llvm::Expected<CPUTargetDesc> desc = resolveCPUTarget(spec);
  if (!desc) {
    ADD_FAILURE() << spec.str() << ": " << llvm::toString(desc.takeError());
    return {};
  }
  return *desc;
}

std::string resolveError(llvm::StringRef spec) {
  llvm::Expected<CPUTargetDesc> desc = resolveCPUTarget(spec);
  if (desc)
    return "<resolved without error>";
  return llvm::toString(desc.takeError());
}

/// A fixed machine, so the selection tests do not depend on the host.
CPUTargetDesc machine(unsigned vectorBits, unsigned registers,
                      uint64_t l2Bytes = MiB, bool avx512bf16 = false) {
  CPUTargetDesc desc;
  desc.vectorBits = vectorBits;
  desc.numVectorRegisters = registers;
  desc.hasFMA = desc.hasAVX2 = vectorBits >= 256;
  desc.hasAVX512F = vectorBits == 512;
  desc.hasAVX512BF16 = avx512bf16;
  desc.l1dBytes = 48 * KiB;
  desc.l2Bytes = l2Bytes;
  desc.l3Bytes = 32 * MiB;
  return desc;
}

GemmTiling tiling(int64_t lanes, int64_t mr, int64_t nv, int64_t mt,
                  bool bf16Dot = false, int64_t kc = 1024) {
  GemmTiling t;
  t.lanes = lanes;
  t.mr = mr;
  t.nv = nv;
  t.mt = mt;
  t.kc = kc;
  t.bf16Dot = bf16Dot;
  return t;
}

TEST(CPUTargetDetect, HostIsSane) {
  CPUTargetDesc host = detectHostCPU();
  EXPECT_EQ(host.name, "cpu-host");
  EXPECT_FALSE(host.cpuName.empty());
  EXPECT_TRUE(host.vectorBits == 128 || host.vectorBits == 256 ||
              host.vectorBits == 512)
      << host.vectorBits;
  EXPECT_EQ(host.vectorBits == 512, host.hasAVX512F);
  EXPECT_EQ(host.numVectorRegisters, host.hasAVX512F ? 32u : 16u);
  if (host.hasAVX512BF16)
    EXPECT_TRUE(host.hasAVX512F);
  EXPECT_GT(host.l1dBytes, 0u);
  EXPECT_GT(host.l2Bytes, 0u);
  EXPECT_GT(host.l3Bytes, 0u);
  EXPECT_GE(host.numCores, 1u);
  EXPECT_EQ(llvm::StringRef(host.str()).split(':').first,
            "cpu-host (" + host.cpuName + ")");
}

TEST(CPUTargetDetect, PlainSpecIsTheHost) {
  EXPECT_EQ(resolveOk("cpu-host").str(), detectHostCPU().str());
}

TEST(CPUTargetDetect, Str) {
  CPUTargetDesc desc = machine(512, 32, MiB, /*avx512bf16=*/true);
  desc.cpuName = "znver5";
  desc.numCores = 2;
  EXPECT_EQ(desc.str(), "cpu-host (znver5): avx512f avx512bf16 avx2 fma, "
                        "512-bit x 32 regs, L1d 48K L2 1M L3 32M, 2 cores");
  desc = machine(128, 16, 1536 * KiB);
  desc.l1dBytes = 1000;
  desc.numCores = 1;
  EXPECT_EQ(desc.str(), "cpu-host: baseline, 128-bit x 16 regs, L1d 1000 "
                        "L2 1536K L3 32M, 1 core");
}

TEST(CPUTargetDetect, SysfsCaches) {
  llvm::SmallString<128> dir;
  ASSERT_FALSE(llvm::sys::fs::createUniqueDirectory("moec-cache", dir));
  auto writeIndex = [&](llvm::StringRef index, llvm::StringRef level,
                        llvm::StringRef type, llvm::StringRef size) {
    llvm::SmallString<128> path(dir);
    llvm::sys::path::append(path, index);
    ASSERT_FALSE(llvm::sys::fs::create_directory(path));
    for (auto [file, text] :
         {std::pair{"level", level}, std::pair{"type", type},
          std::pair{"size", size}}) {
      llvm::SmallString<128> filePath(path);
      llvm::sys::path::append(filePath, file);
      std::error_code ec;
      llvm::raw_fd_ostream os(filePath, ec);
      ASSERT_FALSE(ec);
      os << text << "\n";
    }
  };
  writeIndex("index0", "1", "Data", "48K");
  writeIndex("index1", "1", "Instruction", "32K");
  writeIndex("index2", "2", "Unified", "1024K");
  writeIndex("index3", "3", "Unified", "32768K");
  CPUCacheSizes sizes = readSysfsCacheSizes(dir);
  EXPECT_EQ(sizes.l1dBytes, 48 * KiB);
  EXPECT_EQ(sizes.l2Bytes, MiB);
  EXPECT_EQ(sizes.l3Bytes, 32 * MiB);
  EXPECT_FALSE(llvm::sys::fs::remove_directories(dir));

  CPUCacheSizes missing = readSysfsCacheSizes(dir);
  EXPECT_EQ(missing.l1dBytes, 0u);
  EXPECT_EQ(missing.l2Bytes, 0u);
  EXPECT_EQ(missing.l3Bytes, 0u);
}

TEST(CPUTargetOverrides, ByteSizes) {
  EXPECT_EQ(parseByteSize("100"), 100u);
  EXPECT_EQ(parseByteSize("48K"), 48 * KiB);
  EXPECT_EQ(parseByteSize("48k"), 48 * KiB);
  EXPECT_EQ(parseByteSize("2M"), 2 * MiB);
  EXPECT_EQ(parseByteSize("1g"), 1024 * MiB);
  for (llvm::StringRef bad :
       {"", "K", "0", "0K", "12X", "-1", "+1", "0x10", "1.5M", "1 M", "1KB",
        "99999999999999999999", "17179869184G"})
    EXPECT_EQ(parseByteSize(bad), std::nullopt) << bad.str();
}

TEST(CPUTargetOverrides, EveryKey) {
  CPUTargetDesc desc =
      resolveOk("cpu-host:vector-bits=256,registers=24,l1d=32K,l2=512k,"
                "l3=1G,cores=3,fma=1,avx2=true,avx512f=false,avx512bf16=0");
  EXPECT_EQ(desc.vectorBits, 256u);
  EXPECT_EQ(desc.numVectorRegisters, 24u);
  EXPECT_EQ(desc.l1dBytes, 32 * KiB);
  EXPECT_EQ(desc.l2Bytes, 512 * KiB);
  EXPECT_EQ(desc.l3Bytes, 1024 * MiB);
  EXPECT_EQ(desc.numCores, 3u);
  EXPECT_TRUE(desc.hasFMA);
  EXPECT_TRUE(desc.hasAVX2);
  EXPECT_FALSE(desc.hasAVX512F);
  EXPECT_FALSE(desc.hasAVX512BF16);
  EXPECT_EQ(resolveOk("cpu-host:l1d=49152").l1dBytes, 48 * KiB);
}

TEST(CPUTargetOverrides, FeaturesImplyAndDerive) {
  // Switching a feature on switches on what it needs; width and registers
  // follow the features unless given.
  CPUTargetDesc bf16 = resolveOk("cpu-host:avx512bf16=true");
  EXPECT_TRUE(bf16.hasAVX512F && bf16.hasAVX2 && bf16.hasFMA);
  EXPECT_EQ(bf16.vectorBits, 512u);
  EXPECT_EQ(bf16.numVectorRegisters, 32u);

  // Switching one off switches off what needs it.
  CPUTargetDesc noAVX2 = resolveOk("cpu-host:avx2=false");
  EXPECT_FALSE(noAVX2.hasAVX2 || noAVX2.hasAVX512F || noAVX2.hasAVX512BF16);
  EXPECT_EQ(noAVX2.vectorBits, 128u);
  EXPECT_EQ(noAVX2.numVectorRegisters, 16u);

  CPUTargetDesc narrow = resolveOk("cpu-host:avx512f=true,vector-bits=256");
  EXPECT_EQ(narrow.vectorBits, 256u);
  EXPECT_EQ(narrow.numVectorRegisters, 32u);
  EXPECT_EQ(resolveOk("cpu-host:avx512f=true,registers=16").vectorBits, 512u);
}

TEST(CPUTargetOverrides, Errors) {
  EXPECT_EQ(resolveError("cpu-guest"),
            "unknown CPU target 'cpu-guest'; valid targets: cpu-host");
  EXPECT_EQ(resolveError("ascend-910b:l2=1M"),
            "unknown CPU target 'ascend-910b'; valid targets: cpu-host");
  EXPECT_EQ(resolveError("cpu-host:foo=1"),
            "cpu-host: unknown key 'foo'; valid keys: vector-bits, registers, "
            "l1d, l2, l3, cores, fma, avx2, avx512f, avx512bf16");
  for (llvm::StringRef malformed : {"cpu-host:", "cpu-host:l2", "cpu-host:=3",
                                    "cpu-host:l2=", "cpu-host:l2=1M,"})
    EXPECT_NE(resolveError(malformed).find("cpu-host: expected key=value"),
              std::string::npos)
        << malformed.str();
  EXPECT_EQ(resolveError("cpu-host:l2=1M,l2=2M"),
            "cpu-host: key 'l2' given twice");

  EXPECT_EQ(resolveError("cpu-host:vector-bits=300"),
            "cpu-host: bad value '300' for 'vector-bits'; valid values: 128, "
            "256, 512");
  EXPECT_EQ(resolveError("cpu-host:avx2=yes"),
            "cpu-host: bad value 'yes' for 'avx2'; valid values: true, false, "
            "1, 0");
  EXPECT_EQ(resolveError("cpu-host:l2=12X"),
            "cpu-host: bad value '12X' for 'l2'; valid values: a positive "
            "byte count with an optional K, M or G suffix");
  for (llvm::StringRef spec :
       {"cpu-host:vector-bits=abc", "cpu-host:registers=4",
        "cpu-host:registers=65", "cpu-host:cores=0", "cpu-host:cores=-2",
        "cpu-host:l1d=0", "cpu-host:l3=-1M", "cpu-host:fma=2"})
    EXPECT_NE(resolveError(spec).find("cpu-host: bad value '"),
              std::string::npos)
        << spec.str();

  EXPECT_EQ(resolveError("cpu-host:vector-bits=512,avx512f=false"),
            "cpu-host: vector-bits=512 needs avx512f=true");
  EXPECT_EQ(resolveError("cpu-host:vector-bits=256,avx2=false"),
            "cpu-host: vector-bits=256 needs avx2=true");
  EXPECT_EQ(resolveError("cpu-host:avx512f=true,avx2=false"),
            "cpu-host: avx512f=true needs avx2=true, but avx2=false was given");
  EXPECT_EQ(resolveError("cpu-host:fma=false,avx512bf16=true"),
            "cpu-host: avx512bf16=true needs fma=true, but fma=false was "
            "given");
}

TEST(CPUTargetTiling, RegisterTiles) {
  // The shapes the header promises, at 32 and 16 registers.
  CPUTargetDesc avx512 = machine(512, 32), avx2 = machine(256, 16);
  GemmTiling t = selectGemmTiling(avx512, 1024, 1024, 1, false);
  EXPECT_EQ(std::tuple(t.lanes, t.mr, t.nv), std::tuple(16, 6, 4));
  t = selectGemmTiling(avx512, 1024, 1024, 2, false);
  EXPECT_EQ(std::tuple(t.lanes, t.mr, t.nv), std::tuple(16, 6, 2));
  t = selectGemmTiling(avx2, 1024, 1024, 1, false);
  EXPECT_EQ(std::tuple(t.lanes, t.mr, t.nv), std::tuple(8, 6, 2));
  t = selectGemmTiling(avx2, 1024, 1024, 2, false);
  EXPECT_EQ(std::tuple(t.lanes, t.mr, t.nv), std::tuple(8, 6, 1));
  EXPECT_EQ(selectGemmTiling(machine(128, 16), 64, 64, 1, false).lanes, 4);

  // Too few registers for six rows: mr shrinks before nv would drop below 1.
  t = selectGemmTiling(machine(512, 8), 64, 1024, 1, false);
  EXPECT_EQ(std::tuple(t.mr, t.nv), std::tuple(5, 1));
  t = selectGemmTiling(machine(512, 8), 64, 1024, 2, false);
  EXPECT_EQ(std::tuple(t.mr, t.nv), std::tuple(2, 1));

  // Whatever the register count, the tile fits with one register spare.
  for (unsigned registers = 8; registers <= 64; ++registers)
    for (unsigned w = 1; w <= 2; ++w) {
      t = selectGemmTiling(machine(512, registers), 64, 4096, w, false);
      EXPECT_LE(t.mr * t.nv * w + t.nv * w + 1, int64_t(registers) - 1)
          << registers << " registers, W=" << w;
      EXPECT_GE(t.mr, 1);
      EXPECT_GE(t.nv, 1);
    }
}

TEST(CPUTargetTiling, PanelDividesN) {
  CPUTargetDesc avx512 = machine(512, 32);
  EXPECT_EQ(selectGemmTiling(avx512, 64, 64 * 3, 1, false).nv, 4);
  EXPECT_EQ(selectGemmTiling(avx512, 64, 32, 1, false).nv, 2);
  EXPECT_EQ(selectGemmTiling(avx512, 64, 48, 1, false).nv, 1);
  // Not even one vector divides N: nv stays 1 and the generator falls back.
  EXPECT_EQ(selectGemmTiling(avx512, 64, 8, 1, false).nv, 1);
  EXPECT_EQ(selectGemmTiling(avx512, 64, 1408, 2, false).nv, 2);
  EXPECT_EQ(selectGemmTiling(machine(256, 16), 64, 1400, 1, false).nv, 1);
}

TEST(CPUTargetTiling, WorkItemRows) {
  CPUTargetDesc avx512 = machine(512, 32, MiB);
  // Half of L2 is 512K. f32, K = 1024, W = 1: the 64-column panel is 256K,
  // leaving 256K for 4K rows: 64 rows, rounded down to 60.
  EXPECT_EQ(selectGemmTiling(avx512, 1024, 1024, 1, false).mt, 60);
  // W = 2 halves nv, so the two panels together are 256K as well.
  EXPECT_EQ(selectGemmTiling(avx512, 1024, 1024, 2, false).mt, 60);
  // bf16 halves every size: 128K panel, 384K for 2K rows: 192, clamped to 96.
  EXPECT_EQ(selectGemmTiling(avx512, 1024, 1024, 1, true).mt, 96);
  // K = 2048 is walked in two blocks of 1024, so the panel block and the
  // rows are as large as at K = 1024.
  EXPECT_EQ(selectGemmTiling(avx512, 2048, 1024, 1, false).mt, 60);
  EXPECT_EQ(selectGemmTiling(avx512, 16, 1024, 1, false).mt, 96);
  // A bigger L2 buys more rows.
  EXPECT_EQ(
      selectGemmTiling(machine(512, 32, 2 * MiB), 1024, 1024, 1, false).mt, 96);
  for (int64_t k : {1, 7, 100, 1000, 5000, 100000}) {
    GemmTiling t = selectGemmTiling(machine(256, 16, 256 * KiB), k, 512, 2,
                                    /*bf16=*/false);
    EXPECT_EQ(t.mt % t.mr, 0) << k;
    EXPECT_GE(t.mt, t.mr) << k;
    EXPECT_LE(t.mt, 16 * t.mr) << k;
  }
}

TEST(CPUTargetTiling, KBlocks) {
  CPUTargetDesc avx512 = machine(512, 32, MiB);
  // f32, W = 2, nv = 2: 256 bytes of panel per k; a quarter of L2 (256K)
  // holds 1024 of them, and half of L1d (24K) 1024 k of 6 input rows.
  EXPECT_EQ(selectGemmTiling(avx512, 7168, 2048, 2, false).kc, 1024);
  // bf16 halves the bytes per k on both sides.
  EXPECT_EQ(selectGemmTiling(avx512, 7168, 2048, 2, true).kc, 2048);
  // K within the limit is one block.
  EXPECT_EQ(selectGemmTiling(avx512, 1000, 2048, 2, false).kc, 1000);
  EXPECT_EQ(selectGemmTiling(avx512, 1, 2048, 2, false).kc, 1);
  // A 16K L1d: 8K / (6 rows * 4 bytes) = 341, rounded down to 336.
  CPUTargetDesc smallL1 = avx512;
  smallL1.l1dBytes = 16 * KiB;
  EXPECT_EQ(selectGemmTiling(smallL1, 7168, 2048, 2, false).kc, 336);
  // Never below 16, however small the caches.
  CPUTargetDesc tiny = machine(512, 32, 4 * KiB);
  tiny.l1dBytes = KiB;
  EXPECT_EQ(selectGemmTiling(tiny, 7168, 2048, 2, false).kc, 16);
}

TEST(CPUTargetTiling, Bf16Dot) {
  CPUTargetDesc bf16Host = machine(512, 32, MiB, /*avx512bf16=*/true);
  EXPECT_TRUE(selectGemmTiling(bf16Host, 64, 64, 1, true).bf16Dot);
  EXPECT_FALSE(selectGemmTiling(bf16Host, 64, 64, 1, false).bf16Dot);
  EXPECT_FALSE(selectGemmTiling(machine(512, 32), 64, 64, 1, true).bf16Dot);
  // Narrowed to 256 bits, the kernels use no 512-bit dot products.
  CPUTargetDesc narrowed = machine(256, 32, MiB, /*avx512bf16=*/true);
  narrowed.hasAVX512F = true;
  EXPECT_FALSE(selectGemmTiling(narrowed, 64, 64, 1, true).bf16Dot);
}

TEST(CPUTargetTiling, AttrRoundTrip) {
  mlir::MLIRContext context;
  GemmTiling t = tiling(16, 6, 4, 48);
  mlir::DictionaryAttr attr = t.toAttr(&context);
  std::string text;
  llvm::raw_string_ostream(text) << attr;
  EXPECT_EQ(text, "{bf16_dot = false, kc = 1024 : i64, lanes = 16 : i64, "
                  "mr = 6 : i64, mt = 48 : i64, nv = 4 : i64}");
  llvm::Expected<GemmTiling> back = GemmTiling::fromAttr(attr);
  ASSERT_TRUE(bool(back)) << llvm::toString(back.takeError());
  EXPECT_EQ(*back, t);

  GemmTiling other = tiling(8, 3, 1, 9, /*bf16Dot=*/true, /*kc=*/32);
  back = GemmTiling::fromAttr(other.toAttr(&context));
  ASSERT_TRUE(bool(back)) << llvm::toString(back.takeError());
  EXPECT_EQ(*back, other);
}

TEST(CPUTargetTiling, FromAttrErrors) {
  mlir::MLIRContext context;
  auto errorOf = [&](llvm::StringRef fields) -> std::string {
    auto attr = llvm::dyn_cast_or_null<mlir::DictionaryAttr>(
        mlir::parseAttribute(("{" + fields + "}").str(), &context));
    if (!attr)
      return "<not a dictionary>";
    llvm::Expected<GemmTiling> t = GemmTiling::fromAttr(attr);
    if (t)
      return "<accepted>";
    return llvm::toString(t.takeError());
  };
  const std::string valid =
      "lanes = 16 : i64, mr = 6 : i64, nv = 4 : i64, mt = 48 : i64, "
      "kc = 256 : i64, bf16_dot = false";
  EXPECT_EQ(errorOf(valid), "<accepted>");
  // Integers written without a type are i64.
  EXPECT_EQ(
      errorOf("lanes = 8, mr = 4, nv = 2, mt = 8, kc = 64, bf16_dot = true"),
      "<accepted>");

  EXPECT_EQ(errorOf("lanes = 16, nv = 4, mt = 48, kc = 256, bf16_dot = false"),
            "moe.cpu_tiling: missing key 'mr'");
  EXPECT_EQ(errorOf("lanes = 16, mr = 6, nv = 4, mt = 48, kc = 256"),
            "moe.cpu_tiling: missing key 'bf16_dot'");
  EXPECT_EQ(errorOf("lanes = 16, mr = 6, nv = 4, mt = 48, bf16_dot = false"),
            "moe.cpu_tiling: missing key 'kc'");
  EXPECT_EQ(errorOf(valid + ", nr = 16"),
            "moe.cpu_tiling: unknown key 'nr'; valid keys: lanes, mr, nv, mt, "
            "kc, bf16_dot");
  EXPECT_EQ(errorOf("lanes = 16, mr = 6, nv = 4, mt = 48, kc = 0, "
                    "bf16_dot = false"),
            "moe.cpu_tiling: 'kc' must be at least 1, got 0");
  EXPECT_EQ(errorOf("lanes = 16, mr = 6 : i32, nv = 4, mt = 48, kc = 256, "
                    "bf16_dot = false"),
            "moe.cpu_tiling: 'mr' must be an i64 integer, got 6 : i32");
  EXPECT_EQ(errorOf("lanes = 16, mr = 6, nv = \"4\", mt = 48, kc = 256, "
                    "bf16_dot = false"),
            "moe.cpu_tiling: 'nv' must be an i64 integer, got \"4\"");
  EXPECT_EQ(
      errorOf("lanes = 16, mr = 6, nv = 4, mt = 48, kc = 256, bf16_dot = 1"),
      "moe.cpu_tiling: 'bf16_dot' must be a bool, got 1 : i64");

  EXPECT_EQ(
      errorOf(
          "lanes = 12, mr = 6, nv = 4, mt = 48, kc = 256, bf16_dot = false"),
      "moe.cpu_tiling: 'lanes' must be 4, 8 or 16, got 12");
  EXPECT_EQ(
      errorOf(
          "lanes = 16, mr = 0, nv = 4, mt = 48, kc = 256, bf16_dot = false"),
      "moe.cpu_tiling: 'mr' must be at least 1, got 0");
  EXPECT_EQ(
      errorOf(
          "lanes = 16, mr = 6, nv = 0, mt = 48, kc = 256, bf16_dot = false"),
      "moe.cpu_tiling: 'nv' must be at least 1, got 0");
  EXPECT_EQ(
      errorOf(
          "lanes = 16, mr = 6, nv = 4, mt = 50, kc = 256, bf16_dot = false"),
      "moe.cpu_tiling: 'mt' must be a positive multiple of mr (6), got "
      "50");
  EXPECT_EQ(
      errorOf(
          "lanes = 16, mr = 6, nv = 4, mt = -6, kc = 256, bf16_dot = false"),
      "moe.cpu_tiling: 'mt' must be a positive multiple of mr (6), got "
      "-6");
}

} // namespace
