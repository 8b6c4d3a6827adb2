//===- PlanNames.cpp - how plan diagnostics name cores, ops and pipes -----===//
//
// Shared by the interpreter, the emulator and (through PlanInterpreter.h)
// other handlers, so that every message names things the same way.
//
//===----------------------------------------------------------------------===//

#include "PlanErrors.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;
using namespace moec::npu;

std::string CoreRef::str() const {
  if (isCube())
    return "AIC " + std::to_string(block);
  return "AIV " + std::to_string(block) + "." + std::to_string(sub);
}

std::string moec::npu::describeOp(Operation *op) {
  std::string text;
  llvm::raw_string_ostream os(text);
  os << op->getName().getStringRef() << " at ";
  LocationAttr loc = op->getLoc();
  if (auto file = loc.findInstanceOf<FileLineColLoc>()) {
    StringRef name = file.getFilename().getValue();
    os << (name.empty() ? StringRef("<input>") : name) << ":" << file.getLine()
       << ":" << file.getColumn();
  } else {
    os << loc;
  }
  return text;
}

std::string moec::npu::pipeName(moe_npu::Pipe pipe) {
  return llvm::StringRef(moe_npu::stringifyPipe(pipe)).upper();
}

llvm::Error moec::npu::detail::planError(const llvm::Twine &message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), message);
}

llvm::Error moec::npu::detail::opError(Operation *op,
                                       const llvm::Twine &message) {
  return planError(describeOp(op) + ": " + message);
}

llvm::Error moec::npu::detail::coreError(Operation *op, const CoreRef &core,
                                         const llvm::Twine &message) {
  return planError(describeOp(op) + " on " + core.str() + ": " + message);
}
