//===- JitKernel.cpp - a kernel compiled in-process by MLIR's JIT ---------===//

#include "JitKernel.h"
#include "HostTarget.h"
#include "LargeBuffer.h"
#include "MemRefDescriptor.h"

#include "mlir/ExecutionEngine/ExecutionEngine.h"
#include "mlir/ExecutionEngine/OptUtils.h"
#include "llvm/Target/TargetMachine.h"

#include <cstdlib>
#include <memory>

using namespace moec;

namespace {

struct FreeDeleter {
  void operator()(void *pointer) const { std::free(pointer); }
};

/// Packed copies of one kernel's weights, in 64-byte aligned buffers (the
/// packed panels are read a cache line at a time), on huge pages when large.
class JitPreparedWeights final : public PreparedWeights {
public:
  explicit JitPreparedWeights(const Kernel *owner) : owner(owner) {}
  uint64_t bytes() const override { return total; }

  llvm::Error allocate(const TensorSpec &spec) {
    TensorView view(nullptr, spec.dtype, spec.shape);
    uint64_t size = view.numElements() * byteSize(spec.dtype);
    view.data = detail::allocateLargeBuffer(64, size);
    if (!view.data)
      return llvm::createStringError(
          llvm::inconvertibleErrorCode(),
          "cannot allocate %llu bytes for packed weight %s",
          static_cast<unsigned long long>(size), spec.name.c_str());
    buffers.emplace_back(view.data);
    views.push_back(std::move(view));
    total += size;
    return llvm::Error::success();
  }

  const Kernel *owner;
  std::vector<std::unique_ptr<void, FreeDeleter>> buffers;
  std::vector<TensorView> views;
  uint64_t total = 0;
};

} // namespace

JitKernel::JitKernel(Signature sig,
                     std::unique_ptr<mlir::ExecutionEngine> engine,
                     PackedFn entry, std::optional<PackedEntries> packed)
    : Kernel(std::move(sig)), engine(std::move(engine)), entry(entry),
      packed(std::move(packed)) {}

JitKernel::~JitKernel() = default;

llvm::Expected<std::unique_ptr<JitKernel>>
JitKernel::create(LoweredModule lowered, unsigned optLevel) {
  auto machine = createHostTargetMachine(optLevel, /*forJIT=*/true);
  if (!machine)
    return machine.takeError();
  // The transformer is a function_ref: it must outlive create().
  std::function<llvm::Error(llvm::Module *)> optimize =
      mlir::makeOptimizingTransformer(optLevel, /*sizeLevel=*/0,
                                      machine->get());
  mlir::ExecutionEngineOptions options;
  options.transformer = optimize;
  options.jitCodeGenOptLevel = (*machine)->getOptLevel();
  llvm::StringRef runtimeLibraries[] = {MOEC_LIBOMP_PATH};
  options.sharedLibPaths = runtimeLibraries;
  auto engine = mlir::ExecutionEngine::create(*lowered.module, options,
                                              std::move(*machine));
  if (!engine)
    return engine.takeError();

  // Entries are looked up and global constructors run once, here, so that
  // concurrent calls share nothing mutable.
  auto lookup = [&](const std::string &function) {
    return (*engine)->lookupPacked("_mlir_ciface_" + function);
  };
  const std::string &function = lowered.signature.function;
  auto entry = lookup(function);
  if (!entry)
    return entry.takeError();
  std::optional<PackedEntries> packed;
  // A weight the function updates in place would leave a packed copy
  // stale after the first call: such a kernel packs on every call (through
  // @f, which packs and runs), prepared weights or not.
  auto updatedInPlace = [&](unsigned argument) {
    return llvm::any_of(lowered.signature.results, [&](const TensorSpec &r) {
      return r.inPlaceOf == argument;
    });
  };
  if (lowered.packing &&
      llvm::none_of(lowered.packing->weightArguments, updatedInPlace)) {
    auto prepack = lookup(function + "__prepack");
    if (!prepack)
      return prepack.takeError();
    auto run = lookup(function + "__packed");
    if (!run)
      return run.takeError();
    packed = PackedEntries{std::move(*lowered.packing), *prepack, *run};
  }
  (*engine)->initialize();
  return std::unique_ptr<JitKernel>(new JitKernel(std::move(lowered.signature),
                                                  std::move(*engine), *entry,
                                                  std::move(packed)));
}

llvm::Error JitKernel::invoke(llvm::ArrayRef<TensorView> inputs,
                              llvm::ArrayRef<TensorView> outputs) const {
  PackedArguments arguments(inputs, outputs);
  entry(arguments.data());
  return llvm::Error::success();
}

llvm::Expected<std::shared_ptr<const PreparedWeights>>
JitKernel::prepare(llvm::ArrayRef<TensorView> inputs) const {
  auto prepared = std::make_shared<JitPreparedWeights>(this);
  // A kernel whose weights need no packing runs as it is.
  if (!packed)
    return prepared;
  std::vector<TensorView> weights;
  for (unsigned index : packed->plan.weightArguments) {
    if (llvm::Error err = signature().checkInput(index, inputs[index]))
      return std::move(err);
    weights.push_back(inputs[index]);
  }
  for (const TensorSpec &spec : packed->plan.packed)
    if (llvm::Error err = prepared->allocate(spec))
      return std::move(err);
  PackedArguments arguments(weights, prepared->views);
  packed->prepack(arguments.data());
  return prepared;
}

llvm::Error JitKernel::invokePrepared(llvm::ArrayRef<TensorView> inputs,
                                      llvm::ArrayRef<TensorView> outputs,
                                      const PreparedWeights &weights) const {
  auto *prepared = dynamic_cast<const JitPreparedWeights *>(&weights);
  if (!prepared || prepared->owner != this)
    return llvm::createStringError(
        llvm::inconvertibleErrorCode(),
        "@%s: the prepared weights were made by another kernel",
        signature().function.c_str());
  if (!packed)
    return invoke(inputs, outputs);
  // @f__packed takes the packed buffers first, then @f's arguments.
  std::vector<TensorView> withPacked(prepared->views);
  withPacked.insert(withPacked.end(), inputs.begin(), inputs.end());
  PackedArguments arguments(withPacked, outputs);
  packed->run(arguments.data());
  return llvm::Error::success();
}
