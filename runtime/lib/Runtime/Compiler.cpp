//===- Compiler.cpp - compile moe functions, with a cache -----------------===//

#include "moec/Runtime/Compiler.h"
#include "moec/Target/TargetDesc.h"

#include "JitKernel.h"
#include "ModuleLowering.h"
#include "PlanKernel.h"

#include "moec/Model/LayerBuilder.h"

#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/raw_ostream.h"

#include <map>
#include <mutex>

using namespace moec;

struct Compiler::Impl {
  std::mutex mutex;
  // Keyed by everything that determines the code: options and source text.
  std::map<std::string, std::shared_ptr<const Kernel>> cache;
  CacheStats stats;
};

Compiler::Compiler() : impl(std::make_unique<Impl>()) {}
Compiler::~Compiler() = default;

static std::string cacheKey(llvm::StringRef source,
                            const CompileOptions &options) {
  return options.entry + '\0' + std::to_string(options.optLevel) + '\0' +
         std::to_string(options.threads) + '\0' + options.target + '\0' +
         source.str();
}

/// Checks the options; the target's kind decides between the CPU JIT and
/// the NPU plan run on the emulator.
static llvm::Expected<bool> isNPUTarget(const CompileOptions &options) {
  if (options.optLevel > 3)
    return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                   "optLevel must be 0 to 3, got %u",
                                   options.optLevel);
  llvm::Expected<TargetDesc> target = resolveTarget(options.target);
  if (!target)
    return target.takeError();
  if (target->kind == "npu")
    return true;
  // cpu-host: the CPU pipeline's own checks (overrides, vector width).
  if (llvm::Expected<CPUTargetDesc> cpu = resolveCPUTarget(options.target);
      !cpu)
    return cpu.takeError();
  return false;
}

static llvm::Expected<std::unique_ptr<Kernel>>
buildKernel(llvm::StringRef source, const CompileOptions &options,
            llvm::StringRef bufferName, bool npu) {
  if (npu) {
    auto planned = planForNPU(source, bufferName, options);
    if (!planned)
      return planned.takeError();
    return PlanKernel::create(std::move(*planned), options.entry);
  }
  auto lowered = lowerToLLVMDialect(source, bufferName, options);
  if (!lowered)
    return lowered.takeError();
  return JitKernel::create(std::move(*lowered), options.optLevel);
}

llvm::Expected<std::shared_ptr<const Kernel>>
Compiler::compileSource(llvm::StringRef source, const CompileOptions &options,
                        llvm::StringRef bufferName) {
  llvm::Expected<bool> npu = isNPUTarget(options);
  if (!npu)
    return npu.takeError();
  std::string key = cacheKey(source, options);
  {
    std::lock_guard<std::mutex> lock(impl->mutex);
    auto it = impl->cache.find(key);
    if (it != impl->cache.end()) {
      ++impl->stats.hits;
      return it->second;
    }
  }
  // Compile without holding the lock: compilations are independent, and a
  // slow one must not stall calls that hit the cache.
  auto kernel = buildKernel(source, options, bufferName, *npu);
  if (!kernel)
    return kernel.takeError();

  std::lock_guard<std::mutex> lock(impl->mutex);
  ++impl->stats.misses;
  // Another thread may have compiled the same source meanwhile; keep one.
  auto [it, inserted] = impl->cache.emplace(
      key, std::shared_ptr<const Kernel>(std::move(*kernel)));
  return it->second;
}

llvm::Expected<std::shared_ptr<const Kernel>>
Compiler::compileFile(llvm::StringRef path, const CompileOptions &options) {
  auto buffer = llvm::MemoryBuffer::getFile(path, /*IsText=*/true);
  if (!buffer)
    return llvm::createStringError(buffer.getError(), "cannot read %s: %s",
                                   path.str().c_str(),
                                   buffer.getError().message().c_str());
  return compileSource((*buffer)->getBuffer(), options, path);
}

llvm::Expected<std::string>
Compiler::layerSource(const MoELayerConfig &config) {
  mlir::MLIRContext context(compilerRegistry(),
                            mlir::MLIRContext::Threading::DISABLED);
  auto module = buildLayerModule(context, config);
  if (!module)
    return module.takeError();
  std::string text;
  llvm::raw_string_ostream os(text);
  (*module)->print(os);
  return text;
}

llvm::Expected<std::shared_ptr<const Kernel>>
Compiler::compileLayer(const MoELayerConfig &config,
                       const CompileOptions &options) {
  auto source = layerSource(config);
  if (!source)
    return source.takeError();
  CompileOptions layerOptions = options;
  layerOptions.entry = "moe_layer";
  return compileSource(*source, layerOptions, "<layer config>");
}

CacheStats Compiler::cacheStats() const {
  std::lock_guard<std::mutex> lock(impl->mutex);
  return impl->stats;
}
