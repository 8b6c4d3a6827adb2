//===- Emulator.cpp - run a moe_npu plan on the CPU -----------------------===//
//
// The caller's buffers are checked against the plan's arguments and copied
// in; the plan interpreter runs the control and the syncs and hands every
// instruction to the handler below, which dispatches it to its op family;
// the arguments the plan wrote are copied back once it has succeeded, so a
// failed run leaves the caller's outputs untouched.
//
//===----------------------------------------------------------------------===//

#include "moec/NPU/Emulator.h"

#include "EmulatorOps.h"
#include "PlanErrors.h"

#include "moec/NPU/PlanInterpreter.h"

#include "llvm/ADT/TypeSwitch.h"
#include "llvm/Support/FormatVariadic.h"

#include <cstring>

using namespace mlir;
using namespace mlir::moe_npu;
using namespace moec;
using namespace moec::npu;
using namespace moec::npu::emu;

namespace {

/// The element kind a view of `dtype` holds, if the emulator has it.
std::optional<ElementKind> kindOf(DType dtype) {
  switch (dtype) {
  case DType::F32:
    return ElementKind::F32;
  case DType::F16:
    return ElementKind::F16;
  case DType::BF16:
    return ElementKind::BF16;
  case DType::I32:
    return ElementKind::I32;
  case DType::I64:
    return ElementKind::I64;
  case DType::F64:
    return std::nullopt;
  }
  return std::nullopt;
}

/// "bf16[4, 64]", for diagnostics (TensorView's own helpers live in a
/// library this one cannot link; see CMakeLists.txt).
std::string describeView(const TensorView &view) {
  static const char *const names[] = {"f32", "f16", "bf16",
                                      "f64", "i32", "i64"};
  std::string text = names[static_cast<int>(view.dtype)];
  text += "[";
  for (size_t i = 0; i < view.shape.size(); ++i)
    text += (i ? ", " : "") + std::to_string(view.shape[i]);
  return text + "]";
}

llvm::Error checkArgument(func::FuncOp plan, unsigned index,
                          const TensorView &view) {
  Type type = plan.getArgument(index).getType();
  std::string typeText;
  llvm::raw_string_ostream os(typeText);
  os << type;
  std::string prefix = llvm::formatv("argument {0} of @{1} ({2})", index,
                                     plan.getSymName(), typeText);
  auto bad = [&](const llvm::Twine &message) {
    return moec::npu::detail::planError(prefix + ": " + message + ", got " +
                                        describeView(view));
  };
  auto memref = dyn_cast<MemRefType>(type);
  if (!memref)
    return moec::npu::detail::planError(prefix + " is not a memref");
  llvm::Expected<ElementKind> kind = elementKindOf(memref.getElementType());
  if (!kind)
    return moec::npu::detail::planError(prefix + ": " +
                                        llvm::toString(kind.takeError()));
  if (kindOf(view.dtype) != *kind)
    return bad("the element type differs");
  if (static_cast<int64_t>(view.shape.size()) != memref.getRank())
    return bad("the rank differs");
  int64_t elements = 1;
  for (auto [dim, size] : llvm::enumerate(view.shape)) {
    if (size < 0)
      return bad(llvm::formatv("dimension {0} is negative", dim));
    if (!memref.isDynamicDim(dim) && memref.getDimSize(dim) != size)
      return bad(llvm::formatv("dimension {0} must be {1}", dim,
                               memref.getDimSize(dim)));
    elements *= size;
  }
  if (!view.strides.empty() && view.strides.size() != view.shape.size())
    return bad(llvm::formatv("it has {0} strides for {1} dimensions",
                             view.strides.size(), view.shape.size()));
  if (!view.data && elements > 0)
    return bad("its data pointer is null");
  return llvm::Error::success();
}

/// Calls `fn(index, offset)` for the view's elements in row-major order:
/// `index` counts them, `offset` is where each lies in the view's data (in
/// elements).
void forEachElement(const TensorView &view,
                    llvm::function_ref<void(int64_t, int64_t)> fn) {
  size_t rank = view.shape.size();
  std::vector<int64_t> strides = view.strides;
  if (strides.empty()) {
    strides.assign(rank, 1);
    for (size_t i = rank; i-- > 1;)
      strides[i - 1] = strides[i] * view.shape[i];
  }
  int64_t count = 1;
  for (int64_t size : view.shape)
    count *= size;
  std::vector<int64_t> position(rank, 0);
  for (int64_t index = 0; index < count; ++index) {
    int64_t offset = 0;
    for (size_t i = 0; i < rank; ++i)
      offset += position[i] * strides[i];
    fn(index, offset);
    for (size_t i = rank; i-- > 0;) {
      if (++position[i] < view.shape[i])
        break;
      position[i] = 0;
    }
  }
}

template <typename T> T elementAt(const TensorView &view, int64_t offset) {
  T value;
  std::memcpy(&value, static_cast<const char *>(view.data) + offset * sizeof(T),
              sizeof(T));
  return value;
}

template <typename T>
void setElement(const TensorView &view, int64_t offset, T value) {
  std::memcpy(static_cast<char *>(view.data) + offset * sizeof(T), &value,
              sizeof(T));
}

/// GM buffers are row-major, so a buffer index is the row-major position.
void copyIn(const TensorView &view, Buffer &buffer) {
  forEachElement(view, [&](int64_t index, int64_t offset) {
    switch (buffer.kind()) {
    case ElementKind::F32:
      return buffer.storeFloat(index, elementAt<float>(view, offset));
    case ElementKind::F16:
      return buffer.storeFloat(index,
                               fromF16Bits(elementAt<uint16_t>(view, offset)));
    case ElementKind::BF16:
      return buffer.storeFloat(index,
                               fromBF16Bits(elementAt<uint16_t>(view, offset)));
    case ElementKind::I32:
      return buffer.storeInt(index, elementAt<int32_t>(view, offset));
    case ElementKind::I64:
      return buffer.storeInt(index, elementAt<int64_t>(view, offset));
    }
  });
  buffer.written = false;
}

void copyOut(const Buffer &buffer, const TensorView &view) {
  forEachElement(view, [&](int64_t index, int64_t offset) {
    switch (buffer.kind()) {
    case ElementKind::F32:
      return setElement(view, offset, buffer.loadFloat(index));
    case ElementKind::F16:
      return setElement(view, offset, toF16Bits(buffer.loadFloat(index)));
    case ElementKind::BF16:
      return setElement(view, offset, toBF16Bits(buffer.loadFloat(index)));
    case ElementKind::I32:
      return setElement(view, offset,
                        static_cast<int32_t>(buffer.loadInt(index)));
    case ElementKind::I64:
      return setElement(view, offset, buffer.loadInt(index));
    }
  });
}

class EmulatorHandler final : public InstructionHandler {
public:
  EmulatorHandler(Machine &machine, ArrayRef<TensorView> args)
      : machine(machine), args(args) {}

  llvm::Error createBuffer(const BufferInfo &info) override {
    if (llvm::Error err = machine.createBuffer(info))
      return err;
    if (info.argument >= 0)
      copyIn(args[info.argument], machine.buffer(info.id));
    return llvm::Error::success();
  }

  llvm::Error beginKernel(KernelOp) override {
    machine.beginKernel();
    return llvm::Error::success();
  }

  llvm::Error endKernel(KernelOp) override {
    machine.endKernel();
    return llvm::Error::success();
  }

  llvm::Error instruction(Operation *op, const CoreRef &core,
                          const OperandValues &operands) override {
    Instruction instr(machine, op, core, operands);
    return llvm::TypeSwitch<Operation *, llvm::Error>(op)
        .Case([&](LoadOp load) { return runLoad(instr, load); })
        .Case([&](CopyOp copy) { return runCopy(instr, copy); })
        .Case([&](FixpipeOp fixpipe) { return runFixpipe(instr, fixpipe); })
        .Case([&](StoreOp store) { return runStore(instr, store); })
        .Case([&](MmadOp mmad) { return runMmad(instr, mmad); })
        .Case([&](VSwigluOp swiglu) { return runVSwiglu(instr, swiglu); })
        .Case([&](VAxpyOp axpy) { return runVAxpy(instr, axpy); })
        .Case([&](VCastOp cast) { return runVCast(instr, cast); })
        .Case([&](VRouteOp route) { return runVRoute(instr, route); })
        .Case([&](DispatchMetadataOp metadata) {
          return runDispatchMetadata(instr, metadata);
        })
        .Default([&](Operation *) {
          return instr.error("the emulator cannot run '" +
                             op->getName().getStringRef() + "'");
        });
  }

  llvm::Expected<int64_t> loadScalar(LoadScalarOp op, const CoreRef &core,
                                     const OperandValues &operands) override {
    return runLoadScalar(Instruction(machine, op, core, operands), op);
  }

  llvm::Error signal(Operation *op, const CoreRef &core,
                     uint64_t token) override {
    if (machine.checksOrdering())
      machine.ordering().signal(token, core,
                                cast<PipeOpInterface>(op).getPipe());
    return llvm::Error::success();
  }

  llvm::Error await(Operation *op, const CoreRef &core,
                    uint64_t token) override {
    if (machine.checksOrdering())
      machine.ordering().await(token, core,
                               cast<PipeOpInterface>(op).getPipe());
    return llvm::Error::success();
  }

private:
  Machine &machine;
  ArrayRef<TensorView> args;
};

} // namespace

llvm::Error moec::npu::emulatePlan(func::FuncOp plan, ArrayRef<TensorView> args,
                                   const EmulatorOptions &options) {
  if (args.size() != plan.getNumArguments())
    return moec::npu::detail::planError(llvm::formatv(
        "@{0} takes {1} argument(s) (its inputs, then its outputs), got {2}",
        plan.getSymName(), plan.getNumArguments(), args.size()));
  llvm::SmallVector<llvm::SmallVector<int64_t>> shapes;
  for (auto [index, view] : llvm::enumerate(args)) {
    if (llvm::Error err = checkArgument(plan, index, view))
      return err;
    shapes.emplace_back(view.shape.begin(), view.shape.end());
  }
  Machine machine(options.checkOrdering);
  EmulatorHandler handler(machine, args);
  if (llvm::Error err = interpretPlan(plan, shapes, handler))
    return err;
  // Arguments are the first buffers the interpreter creates: ids 0..n-1.
  for (auto [index, view] : llvm::enumerate(args)) {
    const Buffer &buffer = machine.buffer(static_cast<BufferId>(index));
    if (buffer.written)
      copyOut(buffer, view);
  }
  return llvm::Error::success();
}
