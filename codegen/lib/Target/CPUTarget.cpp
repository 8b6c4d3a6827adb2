//===- CPUTarget.cpp - detect and override the host CPU description -------===//

#include "moec/Target/CPUTarget.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/TargetParser/Host.h"

#include <array>
#include <cassert>
#include <thread>
#include <tuple>

#if defined(__linux__)
#include <sched.h>
#endif
#include <unistd.h>

using namespace moec;

namespace {

constexpr llvm::StringLiteral kTargetName = "cpu-host";
constexpr llvm::StringLiteral kSysfsCacheDir =
    "/sys/devices/system/cpu/cpu0/cache";
constexpr uint64_t kKiB = 1024;

// The ISA features a CPUTargetDesc tracks, each before the features that
// need it, so one backward and one forward sweep close the implications.
enum Feature : unsigned { FMA, AVX2, AVX512F, AVX512BF16, NumFeatures };

struct FeatureInfo {
  llvm::StringLiteral name; // LLVM's -mattr spelling, also the override key
  bool CPUTargetDesc::*flag;
  llvm::SmallVector<Feature, 2> needs;
};

// Mirrors LLVM's X86 implications, so an override describes a CPU that can
// exist and that LLVM would accept as -mattr.
const std::array<FeatureInfo, NumFeatures> &features() {
  static const std::array<FeatureInfo, NumFeatures> table = {{
      {"fma", &CPUTargetDesc::hasFMA, {}},
      {"avx2", &CPUTargetDesc::hasAVX2, {}},
      {"avx512f", &CPUTargetDesc::hasAVX512F, {AVX2, FMA}},
      {"avx512bf16", &CPUTargetDesc::hasAVX512BF16, {AVX512F}},
  }};
  return table;
}

unsigned widestVectorBits(const CPUTargetDesc &desc) {
  if (desc.hasAVX512F)
    return 512;
  return desc.hasAVX2 ? 256 : 128;
}

unsigned vectorRegisterCount(const CPUTargetDesc &desc) {
  return desc.hasAVX512F ? 32 : 16;
}

std::optional<std::string> readSmallFile(const llvm::Twine &path) {
  // Streamed, since sysfs files claim a page-sized length they do not have.
  llvm::ErrorOr<std::unique_ptr<llvm::MemoryBuffer>> buffer =
      llvm::MemoryBuffer::getFileAsStream(path);
  if (!buffer)
    return std::nullopt;
  return (*buffer)->getBuffer().trim().str();
}

// glibc answers these from CPUID on x86, which covers containers and
// sandboxes that hide /sys. 0 when unknown.
uint64_t sysconfCacheBytes([[maybe_unused]] unsigned level) {
#if defined(_SC_LEVEL1_DCACHE_SIZE)
  long value = sysconf(level == 1   ? _SC_LEVEL1_DCACHE_SIZE
                       : level == 2 ? _SC_LEVEL2_CACHE_SIZE
                                    : _SC_LEVEL3_CACHE_SIZE);
  if (value > 0)
    return static_cast<uint64_t>(value);
#endif
  return 0;
}

unsigned allowedCores() {
#if defined(__linux__)
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof(set), &set) == 0 && CPU_COUNT(&set) > 0)
    return static_cast<unsigned>(CPU_COUNT(&set));
#endif
  unsigned count = std::thread::hardware_concurrency();
  return count ? count : 1;
}

llvm::Error targetError(const llvm::Twine &message) {
  return llvm::createStringError(kTargetName + ": " + message);
}

constexpr llvm::StringLiteral kValidKeys =
    "vector-bits, registers, l1d, l2, l3, cores, fma, avx2, avx512f, "
    "avx512bf16";

llvm::Error badValue(llvm::StringRef key, llvm::StringRef value,
                     llvm::StringRef valid) {
  return badOverrideValue(kTargetName, key, value, valid);
}

std::optional<bool> parseBool(llvm::StringRef text) {
  if (text == "true" || text == "1")
    return true;
  if (text == "false" || text == "0")
    return false;
  return std::nullopt;
}

/// Applies the feature overrides with their implications, then derives the
/// vector width and register count the features allow unless those were
/// given too.
llvm::Error
applyOverrides(CPUTargetDesc &desc,
               const std::array<std::optional<bool>, NumFeatures> &given,
               std::optional<unsigned> vectorBits,
               std::optional<unsigned> registers) {
  const auto &table = features();
  // Which explicit override forces each feature on or off, to name it when
  // two overrides contradict each other.
  std::array<std::optional<Feature>, NumFeatures> onBy, offBy;
  for (unsigned f = 0; f < NumFeatures; ++f) {
    if (given[f] == true)
      onBy[f] = Feature(f);
    if (given[f] == false)
      offBy[f] = Feature(f);
  }
  for (unsigned f = NumFeatures; f-- > 0;) {
    if (!onBy[f])
      continue;
    for (Feature need : table[f].needs) {
      if (given[need] == false)
        return targetError(table[*onBy[f]].name + "=true needs " +
                           table[need].name + "=true, but " + table[need].name +
                           "=false was given");
      onBy[need] = onBy[f];
    }
  }
  // The sweep above rejected every explicit "on" that needs an explicit "off",
  // so switching off what needs an "off" feature cannot undo an "on".
  for (unsigned f = 0; f < NumFeatures; ++f)
    for (Feature need : table[f].needs)
      if (offBy[need]) {
        assert(!onBy[f] && "contradiction missed by the first sweep");
        offBy[f] = offBy[need];
      }
  for (unsigned f = 0; f < NumFeatures; ++f)
    if (onBy[f] || offBy[f])
      desc.*table[f].flag = onBy[f].has_value();

  unsigned widest = widestVectorBits(desc);
  if (vectorBits && *vectorBits > widest)
    return targetError("vector-bits=" + llvm::Twine(*vectorBits) + " needs " +
                       (*vectorBits == 512 ? "avx512f" : "avx2") + "=true");
  desc.vectorBits = vectorBits.value_or(widest);
  desc.numVectorRegisters = registers.value_or(vectorRegisterCount(desc));
  return llvm::Error::success();
}

} // namespace

std::string CPUTargetDesc::str() const {
  std::string text = name;
  if (!cpuName.empty())
    text += " (" + cpuName + ")";
  text += ":";
  // Widest first: that is what the kernels are chosen for.
  bool any = false;
  for (auto [flag, feature] :
       {std::pair{hasAVX512F, "avx512f"},
        std::pair{hasAVX512BF16, "avx512bf16"}, std::pair{hasAVX2, "avx2"},
        std::pair{hasFMA, "fma"}}) {
    if (!flag)
      continue;
    text += std::string(" ") + feature;
    any = true;
  }
  if (!any)
    text += " baseline";
  text += ", " + std::to_string(vectorBits) + "-bit x " +
          std::to_string(numVectorRegisters) + " regs, L1d " +
          moec::formatByteSize(l1dBytes) + " L2 " +
          moec::formatByteSize(l2Bytes) + " L3 " +
          moec::formatByteSize(l3Bytes) + ", " + std::to_string(numCores) +
          (numCores == 1 ? " core" : " cores");
  return text;
}

std::optional<uint64_t> moec::parseByteSize(llvm::StringRef text) {
  unsigned shift = 0;
  if (!text.empty()) {
    switch (text.back()) {
    case 'K':
    case 'k':
      shift = 10;
      break;
    case 'M':
    case 'm':
      shift = 20;
      break;
    case 'G':
    case 'g':
      shift = 30;
      break;
    default:
      break;
    }
  }
  if (shift)
    text = text.drop_back();
  uint64_t value;
  // getAsInteger would also take a radix prefix ("0x10K"); sizes are decimal.
  if (text.empty() || !llvm::all_of(text, llvm::isDigit) ||
      text.getAsInteger(10, value) || value == 0 ||
      value > (UINT64_MAX >> shift))
    return std::nullopt;
  return value << shift;
}

CPUCacheSizes moec::readSysfsCacheSizes(llvm::StringRef cacheDir) {
  CPUCacheSizes sizes;
  std::error_code ec;
  for (llvm::sys::fs::directory_iterator it(cacheDir, ec), end;
       !ec && it != end; it.increment(ec)) {
    llvm::StringRef dir = it->path();
    if (!llvm::sys::path::filename(dir).starts_with("index"))
      continue;
    std::optional<std::string> level =
        readSmallFile(dir + llvm::sys::path::get_separator() + "level");
    std::optional<std::string> type =
        readSmallFile(dir + llvm::sys::path::get_separator() + "type");
    std::optional<std::string> size =
        readSmallFile(dir + llvm::sys::path::get_separator() + "size");
    if (!level || !type || !size || *type == "Instruction")
      continue;
    std::optional<uint64_t> bytes = parseByteSize(*size);
    if (!bytes)
      continue;
    if (*level == "1")
      sizes.l1dBytes = *bytes;
    else if (*level == "2")
      sizes.l2Bytes = *bytes;
    else if (*level == "3")
      sizes.l3Bytes = *bytes;
  }
  return sizes;
}

CPUTargetDesc moec::detectHostCPU() {
  CPUTargetDesc desc;
  desc.cpuName = llvm::sys::getHostCPUName().str();
  llvm::StringMap<bool> hostFeatures = llvm::sys::getHostCPUFeatures();
  for (const FeatureInfo &feature : features())
    desc.*feature.flag = hostFeatures.lookup(feature.name);
  desc.vectorBits = widestVectorBits(desc);
  desc.numVectorRegisters = vectorRegisterCount(desc);

  CPUCacheSizes sysfs = readSysfsCacheSizes(kSysfsCacheDir);
  auto pick = [](uint64_t fromSysfs, unsigned level, uint64_t fallback) {
    if (fromSysfs)
      return fromSysfs;
    uint64_t fromSysconf = sysconfCacheBytes(level);
    return fromSysconf ? fromSysconf : fallback;
  };
  desc.l1dBytes = pick(sysfs.l1dBytes, 1, 32 * kKiB);
  desc.l2Bytes = pick(sysfs.l2Bytes, 2, 1024 * kKiB);
  desc.l3Bytes = pick(sysfs.l3Bytes, 3, 8 * 1024 * kKiB);
  desc.numCores = allowedCores();
  return desc;
}

llvm::Expected<CPUTargetDesc> moec::resolveCPUTarget(llvm::StringRef spec) {
  auto [targetName, overrides] = spec.split(':');
  if (targetName != kTargetName)
    return llvm::createStringError("unknown CPU target '" + targetName +
                                   "'; valid targets: " + kTargetName);
  CPUTargetDesc desc = detectHostCPU();
  if (targetName.size() == spec.size())
    return desc;

  std::array<std::optional<bool>, NumFeatures> givenFeatures;
  std::optional<unsigned> vectorBits, registers;
  auto apply = [&](llvm::StringRef key, llvm::StringRef value) -> llvm::Error {
    const auto &table = features();
    const auto *feature = llvm::find_if(
        table, [&](const FeatureInfo &info) { return info.name == key; });
    if (feature != table.end()) {
      std::optional<bool> on = parseBool(value);
      if (!on)
        return badValue(key, value, "true, false, 1, 0");
      givenFeatures[feature - table.begin()] = on;
      return llvm::Error::success();
    }

    unsigned number;
    if (key == "vector-bits") {
      if (value.getAsInteger(10, number) ||
          !llvm::is_contained({128u, 256u, 512u}, number))
        return badValue(key, value, "128, 256, 512");
      vectorBits = number;
    } else if (key == "registers") {
      if (value.getAsInteger(10, number) || number < 8 || number > 64)
        return badValue(key, value, "an integer from 8 to 64");
      registers = number;
    } else if (key == "cores") {
      if (value.getAsInteger(10, number) || number == 0)
        return badValue(key, value, "a positive integer");
      desc.numCores = number;
    } else if (key == "l1d" || key == "l2" || key == "l3") {
      std::optional<uint64_t> bytes = parseByteSize(value);
      if (!bytes)
        return badValue(key, value,
                        "a positive byte count with an optional K, M or G "
                        "suffix");
      uint64_t &cache = key == "l1d"  ? desc.l1dBytes
                        : key == "l2" ? desc.l2Bytes
                                      : desc.l3Bytes;
      cache = *bytes;
    } else {
      return targetError("unknown key '" + key +
                         "'; valid keys: " + kValidKeys);
    }
    return llvm::Error::success();
  };
  if (llvm::Error error =
          forEachOverride(kTargetName, overrides, kValidKeys, apply))
    return std::move(error);
  if (llvm::Error error =
          applyOverrides(desc, givenFeatures, vectorBits, registers))
    return std::move(error);
  return desc;
}

llvm::Error moec::forEachOverride(
    llvm::StringRef target, llvm::StringRef overrides,
    llvm::StringRef validKeys,
    llvm::function_ref<llvm::Error(llvm::StringRef, llvm::StringRef)> apply) {
  llvm::StringSet<> seen;
  llvm::SmallVector<llvm::StringRef> items;
  overrides.split(items, ',');
  for (llvm::StringRef item : items) {
    auto [rawKey, rawValue] = item.split('=');
    llvm::StringRef key = rawKey.trim(), value = rawValue.trim();
    if (key.empty() || value.empty() || rawKey.size() == item.size())
      return llvm::createStringError(target + ": expected key=value, got '" +
                                     item + "'; valid keys: " + validKeys);
    if (!seen.insert(key).second)
      return llvm::createStringError(target + ": key '" + key +
                                     "' given twice");
    if (llvm::Error error = apply(key, value))
      return error;
  }
  return llvm::Error::success();
}

llvm::Error moec::badOverrideValue(llvm::StringRef target, llvm::StringRef key,
                                   llvm::StringRef value,
                                   const llvm::Twine &valid) {
  return llvm::createStringError(target + ": bad value '" + value + "' for '" +
                                 key + "'; valid values: " + valid);
}

std::vector<std::string> CPUTargetDesc::featureNames() const {
  std::vector<std::string> names;
  for (const FeatureInfo &feature : features())
    if (this->*feature.flag)
      names.push_back(feature.name.str());
  return names;
}

void CPUTargetDesc::enableFeatures(llvm::ArrayRef<std::string> names) {
  for (const FeatureInfo &feature : features())
    if (llvm::is_contained(names, feature.name))
      this->*feature.flag = true;
}

std::string moec::formatByteSize(uint64_t bytes) {
  static constexpr std::pair<unsigned, char> units[] = {
      {30, 'G'}, {20, 'M'}, {10, 'K'}};
  for (auto [shift, suffix] : units)
    if (bytes >= (uint64_t(1) << shift) && bytes % (uint64_t(1) << shift) == 0)
      return std::to_string(bytes >> shift) + suffix;
  return std::to_string(bytes);
}
