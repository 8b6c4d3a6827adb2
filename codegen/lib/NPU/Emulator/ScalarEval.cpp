//===- ScalarEval.cpp - index arithmetic of a plan ------------------------===//
//
// Plans compute loop bounds, offsets and event ids with arith ops on index
// and integer values. Integers follow arith's two's complement semantics at
// their bit width; what is undefined there (division by zero, signed
// division overflow) is an error here rather than a crash.
//
//===----------------------------------------------------------------------===//

#include "ScalarEval.h"
#include "PlanErrors.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "llvm/ADT/TypeSwitch.h"
#include "llvm/Support/FormatVariadic.h"

#include <limits>

using namespace mlir;
using namespace moec::npu;
using namespace moec::npu::detail;

namespace {

unsigned bitWidth(Type type) {
  if (type.isIndex())
    return 64;
  return type.getIntOrFloatBitWidth();
}

uint64_t widthMask(unsigned width) {
  return width >= 64 ? ~uint64_t(0) : (uint64_t(1) << width) - 1;
}

/// The operand as an unsigned number of its width.
uint64_t asUnsigned(int64_t value, Type type) {
  return static_cast<uint64_t>(value) & widthMask(bitWidth(type));
}

/// The operand as a signed number of its width (i1 true is -1).
int64_t asSigned(int64_t value, Type type) {
  unsigned width = bitWidth(type);
  if (width >= 64)
    return value;
  uint64_t bits = static_cast<uint64_t>(value) & widthMask(width);
  uint64_t sign = uint64_t(1) << (width - 1);
  return static_cast<int64_t>((bits ^ sign) - sign);
}

int64_t minSigned(Type type) {
  unsigned width = bitWidth(type);
  return width >= 64 ? std::numeric_limits<int64_t>::min()
                     : -(int64_t(1) << (width - 1));
}

bool compare(arith::CmpIPredicate predicate, int64_t lhs, int64_t rhs,
             Type type) {
  int64_t sl = asSigned(lhs, type), sr = asSigned(rhs, type);
  uint64_t ul = asUnsigned(lhs, type), ur = asUnsigned(rhs, type);
  switch (predicate) {
  case arith::CmpIPredicate::eq:
    return ul == ur;
  case arith::CmpIPredicate::ne:
    return ul != ur;
  case arith::CmpIPredicate::slt:
    return sl < sr;
  case arith::CmpIPredicate::sle:
    return sl <= sr;
  case arith::CmpIPredicate::sgt:
    return sl > sr;
  case arith::CmpIPredicate::sge:
    return sl >= sr;
  case arith::CmpIPredicate::ult:
    return ul < ur;
  case arith::CmpIPredicate::ule:
    return ul <= ur;
  case arith::CmpIPredicate::ugt:
    return ul > ur;
  case arith::CmpIPredicate::uge:
    return ul >= ur;
  }
  return false;
}

/// The binary integer ops: `lhs op rhs` at the width of `type`.
llvm::Expected<int64_t> binary(Operation *op, int64_t lhs, int64_t rhs,
                               Type type) {
  uint64_t ul = asUnsigned(lhs, type), ur = asUnsigned(rhs, type);
  int64_t sl = asSigned(lhs, type), sr = asSigned(rhs, type);
  bool isDivision = isa<arith::DivUIOp, arith::DivSIOp, arith::CeilDivUIOp,
                        arith::CeilDivSIOp, arith::RemUIOp, arith::RemSIOp>(op);
  if (isDivision && ur == 0)
    return opError(op, "division by zero");
  bool signedOverflow = sl == minSigned(type) && sr == -1;
  if (signedOverflow && isa<arith::DivSIOp, arith::CeilDivSIOp>(op))
    return opError(op, llvm::formatv("signed division {0} / -1 overflows", sl));
  return llvm::TypeSwitch<Operation *, llvm::Expected<int64_t>>(op)
      .Case([&](arith::AddIOp) { return static_cast<int64_t>(ul + ur); })
      .Case([&](arith::SubIOp) { return static_cast<int64_t>(ul - ur); })
      .Case([&](arith::MulIOp) { return static_cast<int64_t>(ul * ur); })
      .Case([&](arith::DivUIOp) { return static_cast<int64_t>(ul / ur); })
      .Case([&](arith::DivSIOp) { return sl / sr; })
      .Case([&](arith::CeilDivUIOp) {
        return static_cast<int64_t>(ul == 0 ? 0 : (ul - 1) / ur + 1);
      })
      .Case([&](arith::CeilDivSIOp) {
        int64_t quotient = sl / sr;
        bool inexact = sl % sr != 0;
        return quotient + (inexact && ((sl < 0) == (sr < 0)) ? 1 : 0);
      })
      .Case([&](arith::RemUIOp) { return static_cast<int64_t>(ul % ur); })
      .Case([&](arith::RemSIOp) { return sr == -1 ? 0 : sl % sr; })
      .Case([&](arith::MinSIOp) { return std::min(sl, sr); })
      .Case([&](arith::MaxSIOp) { return std::max(sl, sr); })
      .Case([&](arith::MinUIOp) {
        return static_cast<int64_t>(std::min(ul, ur));
      })
      .Case([&](arith::MaxUIOp) {
        return static_cast<int64_t>(std::max(ul, ur));
      })
      .Case([&](arith::AndIOp) { return static_cast<int64_t>(ul & ur); })
      .Case([&](arith::OrIOp) { return static_cast<int64_t>(ul | ur); })
      .Case([&](arith::XOrIOp) { return static_cast<int64_t>(ul ^ ur); })
      .Default([&](Operation *) -> llvm::Expected<int64_t> {
        return opError(op, "not a binary integer op");
      });
}

bool isBinary(Operation *op) {
  return isa<arith::AddIOp, arith::SubIOp, arith::MulIOp, arith::DivUIOp,
             arith::DivSIOp, arith::CeilDivUIOp, arith::CeilDivSIOp,
             arith::RemUIOp, arith::RemSIOp, arith::MinSIOp, arith::MaxSIOp,
             arith::MinUIOp, arith::MaxUIOp, arith::AndIOp, arith::OrIOp,
             arith::XOrIOp>(op);
}

/// Integer casts: the source as a signed or unsigned number of its width,
/// normalised (truncated or extended) to the result type.
bool isCast(Operation *op) {
  return isa<arith::IndexCastOp, arith::IndexCastUIOp, arith::ExtSIOp,
             arith::ExtUIOp, arith::TruncIOp>(op);
}

llvm::Expected<int64_t>
evaluate(Operation *op, const ValueEnv &env,
         function_ref<const BufferInfo &(BufferId)> bufferInfo) {
  if (auto constant = dyn_cast<arith::ConstantOp>(op)) {
    auto attr = dyn_cast<IntegerAttr>(constant.getValue());
    if (!attr)
      return opError(op, "only integer and index constants can be computed");
    return attr.getValue().getSExtValue();
  }
  if (auto dim = dyn_cast<memref::DimOp>(op)) {
    std::optional<BufferId> source = env.lookupBuffer(dim.getSource());
    if (!source)
      return opError(op, "its memref names no buffer the plan has created");
    llvm::Expected<int64_t> index = scalarOperand(op, dim.getIndex(), env);
    if (!index)
      return index.takeError();
    const BufferInfo &info = bufferInfo(*source);
    if (*index < 0 || *index >= static_cast<int64_t>(info.shape.size()))
      return opError(op, llvm::formatv("dimension {0} of {1}, which has rank "
                                       "{2}",
                                       *index, info.name, info.shape.size()));
    return info.shape[*index];
  }
  llvm::SmallVector<int64_t, 3> values;
  for (Value operand : op->getOperands()) {
    llvm::Expected<int64_t> value = scalarOperand(op, operand, env);
    if (!value)
      return value.takeError();
    values.push_back(*value);
  }
  Type operandType = op->getOperand(0).getType();
  if (auto cmp = dyn_cast<arith::CmpIOp>(op))
    return compare(cmp.getPredicate(), values[0], values[1], operandType) ? 1
                                                                          : 0;
  if (isa<arith::SelectOp>(op))
    return values[0] != 0 ? values[1] : values[2];
  if (isCast(op)) {
    bool zeroExtend = isa<arith::IndexCastUIOp, arith::ExtUIOp>(op);
    return zeroExtend ? static_cast<int64_t>(asUnsigned(values[0], operandType))
                      : asSigned(values[0], operandType);
  }
  return binary(op, values[0], values[1], operandType);
}

} // namespace

//===----------------------------------------------------------------------===//
// ValueEnv
//===----------------------------------------------------------------------===//

std::optional<int64_t> ValueEnv::lookupScalar(Value value) const {
  for (const ValueEnv *env = this; env; env = env->parent) {
    auto it = env->scalars.find(value);
    if (it != env->scalars.end())
      return it->second;
  }
  return std::nullopt;
}

std::optional<BufferId> ValueEnv::lookupBuffer(Value value) const {
  for (const ValueEnv *env = this; env; env = env->parent) {
    auto it = env->buffers.find(value);
    if (it != env->buffers.end())
      return it->second;
  }
  return std::nullopt;
}

void ValueEnv::setScalar(Value ssa, int64_t value) {
  scalars[ssa] = normaliseInteger(value, ssa.getType());
}

//===----------------------------------------------------------------------===//
// Evaluation
//===----------------------------------------------------------------------===//

int64_t moec::npu::detail::normaliseInteger(int64_t value, Type type) {
  if (type.isInteger(1))
    return value & 1;
  return asSigned(value, type);
}

uint64_t moec::npu::detail::toUnsigned(int64_t value, Type type) {
  return asUnsigned(value, type);
}

bool moec::npu::detail::isScalarType(Type type) {
  return type.isIndex() ||
         (type.isSignlessInteger() && type.getIntOrFloatBitWidth() <= 64);
}

llvm::Expected<int64_t> moec::npu::detail::scalarOperand(Operation *op,
                                                         Value value,
                                                         const ValueEnv &env) {
  if (std::optional<int64_t> scalar = env.lookupScalar(value))
    return *scalar;
  std::string text;
  llvm::raw_string_ostream os(text);
  value.printAsOperand(os, OpPrintingFlags());
  return opError(op, "operand " + text +
                         " has no value (it is defined by an "
                         "op the interpreter has not run)");
}

llvm::Expected<bool> moec::npu::detail::evaluateScalarOp(
    Operation *op, ValueEnv &env,
    function_ref<const BufferInfo &(BufferId)> bufferInfo) {
  bool known =
      isa<arith::ConstantOp, memref::DimOp, arith::CmpIOp, arith::SelectOp>(
          op) ||
      isBinary(op) || isCast(op);
  if (!known || op->getNumResults() != 1 ||
      !isScalarType(op->getResult(0).getType()))
    return false;
  for (Value operand : op->getOperands())
    if (!isScalarType(operand.getType()) && !isa<memref::DimOp>(op))
      return false;
  llvm::Expected<int64_t> value = evaluate(op, env, bufferInfo);
  if (!value)
    return value.takeError();
  env.setScalar(op->getResult(0), *value);
  return true;
}
