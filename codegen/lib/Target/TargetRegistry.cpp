//===- TargetRegistry.cpp - the named targets and their overrides ---------===//
//
// The Ascend-like entries hold the public figures of ../shared ASCEND-TARGET
// (docs/target-description.md cites them); chip-level numbers (clock, HBM
// bandwidth) are weak evidence there and stay overridable.
//
//===----------------------------------------------------------------------===//

#include "moec/Target/TargetDesc.h"

#include "moec/Target/CPUTarget.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/MemoryBuffer.h"

using namespace moec;

namespace {

constexpr llvm::StringLiteral kTargetNames[] = {"cpu-host", "ascend-910b",
                                                "ascend-910c"};

llvm::Error targetError(llvm::StringRef target, const llvm::Twine &message) {
  return llvm::createStringError(target + ": " + message);
}

/// A 910B-class die (DaVinci dav-c220): 24 cube + 48 vector cores.
TargetDesc davinciDie(llvm::StringRef name, double clockGHz, uint64_t gmBytes,
                      double gmBandwidthGBs) {
  constexpr uint64_t KiB = 1024;
  TargetDesc t;
  t.name = name.str();
  t.kind = "npu";
  t.clockGHz = clockGHz;
  t.matrixCores = 24;
  t.vectorCores = 48;
  // A fractal is 16 rows x 32 bytes; one fractal multiply per cycle. fp32
  // (16 x 8) is assumed to run at the fractal rate too: no public figure.
  t.matrixModes = {{"f16", 16, 16, 16, 4096},
                   {"bf16", 16, 16, 16, 4096},
                   {"i8", 16, 32, 16, 8192},
                   {"f32", 16, 8, 16, 2048}};
  t.vector = {256, 32};
  // A local level's bandwidth is what its outgoing pipe moves per core: L1
  // to L0A/L0B on MTE1 and L0C out through FixPipe. No public figures:
  // assumed 256 and 128 bytes per cycle at ~1.6 GHz, rounded, for the cost
  // model (docs/npu-cost-model.md).
  t.memory = {{"GM", gmBytes, 512, gmBandwidthGBs},
              {"L1", 512 * KiB, 32, 400},
              {"L0A", 64 * KiB, 512, 0},
              {"L0B", 64 * KiB, 512, 0},
              {"L0C", 128 * KiB, 512, 200},
              {"UB", 192 * KiB, 32, 0}};
  t.copies = {{"GM", "L1", "MTE2"},  {"L1", "L0A", "MTE1"},
              {"L1", "L0B", "MTE1"}, {"L0C", "GM", "FIX"},
              {"L0C", "L1", "FIX"},  {"GM", "UB", "MTE2"},
              {"UB", "GM", "MTE3"}};
  t.pipes = {"S", "V", "M", "MTE1", "MTE2", "MTE3", "FIX"};
  t.eventIds = 8;
  t.crossCoreEventIds = 11;
  return t;
}

TargetDesc fromCPU(const CPUTargetDesc &cpu) {
  TargetDesc t;
  t.name = cpu.name;
  t.kind = "cpu";
  t.vectorCores = cpu.numCores;
  // A vector operand is best aligned to the whole register.
  int64_t vectorBytes = cpu.vectorBits / 8;
  t.vector = {vectorBytes, vectorBytes, cpu.numVectorRegisters};
  t.features = cpu.featureNames();
  t.memory = {{"L1d", cpu.l1dBytes, 64, 0},
              {"L2", cpu.l2Bytes, 64, 0},
              {"L3", cpu.l3Bytes, 64, 0}};
  return t;
}

llvm::Expected<TargetDesc> baseTarget(llvm::StringRef name) {
  constexpr uint64_t GiB = uint64_t(1) << 30;
  // 313 TFLOPS (the middle of the published 280-320) over 24 cube cores of
  // 4096 MACs is 1.59 GHz; 910C's 376 TFLOPS per die is 1.91 GHz.
  if (name == "ascend-910b")
    return davinciDie(name, 1.59, 64 * GiB, 1600);
  if (name == "ascend-910c")
    return davinciDie(name, 1.91, 64 * GiB, 1600);
  return llvm::createStringError(
      "unknown target '" + name +
      "'; valid targets: " + llvm::join(registeredTargets(), ", "));
}

std::string validKeys(const TargetDesc &t) {
  std::vector<std::string> keys = {"clock-ghz", "cube-cores", "vector-cores",
                                   "vector-width"};
  for (const MemoryLevel &level : t.memory) {
    std::string key = llvm::StringRef(level.name).lower();
    keys.push_back(key);
    keys.push_back(key + "-align");
    keys.push_back(key + "-bw");
  }
  for (const MatrixMode &mode : t.matrixModes)
    keys.push_back("macs-" + mode.elementType);
  return llvm::join(keys, ", ");
}

llvm::Error applyOverride(TargetDesc &t, llvm::StringRef key,
                          llvm::StringRef value) {
  auto positive = [&](unsigned &field) -> llvm::Error {
    unsigned number;
    if (value.getAsInteger(10, number) || number == 0)
      return badOverrideValue(t.name, key, value, "a positive integer");
    field = number;
    return llvm::Error::success();
  };
  auto positiveReal = [&](double &field) -> llvm::Error {
    double number;
    if (value.getAsDouble(number) || !(number > 0))
      return badOverrideValue(t.name, key, value, "a positive number");
    field = number;
    return llvm::Error::success();
  };
  if (key == "clock-ghz")
    return positiveReal(t.clockGHz);
  if (key == "cube-cores")
    return positive(t.matrixCores);
  if (key == "vector-cores")
    return positive(t.vectorCores);
  if (key == "vector-width") {
    int64_t bytes;
    if (value.getAsInteger(10, bytes) || bytes <= 0 ||
        bytes % t.vector.blockBytes != 0)
      return badOverrideValue(t.name, key, value,
                              "a positive multiple of " +
                                  std::to_string(t.vector.blockBytes));
    t.vector.widthBytes = bytes;
    return llvm::Error::success();
  }
  if (key.consume_front("macs-")) {
    for (MatrixMode &mode : t.matrixModes)
      if (mode.elementType == key) {
        unsigned macs;
        if (auto err = positive(macs))
          return err;
        mode.macsPerCycle = macs;
        return llvm::Error::success();
      }
    return targetError(t.name, "unknown key 'macs-" + key +
                                   "'; valid keys: " + validKeys(t));
  }
  auto [levelKey, field] = key.split('-');
  for (MemoryLevel &level : t.memory) {
    if (llvm::StringRef(level.name).lower() != levelKey)
      continue;
    if (field.empty()) {
      std::optional<uint64_t> bytes = parseByteSize(value);
      if (!bytes)
        return badOverrideValue(
            t.name, key, value,
            "a positive byte count with an optional K, M or G "
            "suffix");
      level.capacityBytes = *bytes;
      return llvm::Error::success();
    }
    if (field == "align") {
      uint64_t bytes;
      if (value.getAsInteger(10, bytes) || !llvm::isPowerOf2_64(bytes))
        return badOverrideValue(t.name, key, value, "a power of two");
      level.alignmentBytes = bytes;
      return llvm::Error::success();
    }
    if (field == "bw")
      return positiveReal(level.bandwidthGBs);
  }
  return targetError(t.name,
                     "unknown key '" + key + "'; valid keys: " + validKeys(t));
}

/// The spec a target file spells: its first line is a target (a name,
/// possibly with overrides), every further line one key=value; blank lines
/// and text after '#' are ignored.
llvm::Expected<std::string> specFromFile(llvm::StringRef path) {
  llvm::ErrorOr<std::unique_ptr<llvm::MemoryBuffer>> file =
      llvm::MemoryBuffer::getFile(path, /*IsText=*/true);
  if (!file)
    return llvm::createStringError("cannot read target file '" + path +
                                   "': " + file.getError().message());
  std::string spec;
  bool hasOverrides = false;
  llvm::SmallVector<llvm::StringRef> lines;
  (*file)->getBuffer().split(lines, '\n');
  for (llvm::StringRef line : lines) {
    line = line.split('#').first.trim();
    if (line.empty())
      continue;
    if (spec.empty()) {
      spec = line.str();
      hasOverrides = line.contains(':');
      continue;
    }
    spec += (hasOverrides ? "," : ":") + line.str();
    hasOverrides = true;
  }
  if (spec.empty())
    return llvm::createStringError("target file '" + path +
                                   "' names no target");
  return spec;
}

} // namespace

llvm::ArrayRef<llvm::StringRef> moec::registeredTargets() {
  static const std::vector<llvm::StringRef> names(std::begin(kTargetNames),
                                                  std::end(kTargetNames));
  return names;
}

llvm::Expected<TargetDesc> moec::resolveTarget(llvm::StringRef spec) {
  if (spec.consume_front("@")) {
    llvm::Expected<std::string> fromFile = specFromFile(spec);
    if (!fromFile)
      return fromFile.takeError();
    if (llvm::StringRef(*fromFile).starts_with("@"))
      return llvm::createStringError("target file '" + spec +
                                     "' names another file; it must name a "
                                     "target");
    return resolveTarget(*fromFile);
  }
  auto [name, overrides] = spec.split(':');
  if (name == "cpu-host") {
    llvm::Expected<CPUTargetDesc> cpu = resolveCPUTarget(spec);
    if (!cpu)
      return cpu.takeError();
    return fromCPU(*cpu);
  }
  llvm::Expected<TargetDesc> target = baseTarget(name);
  if (!target || name.size() == spec.size())
    return target;
  if (llvm::Error error =
          forEachOverride(name, overrides, validKeys(*target),
                          [&](llvm::StringRef key, llvm::StringRef value) {
                            return applyOverride(*target, key, value);
                          }))
    return std::move(error);
  return target;
}
