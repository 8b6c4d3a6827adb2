//===- ModuleLowering.h - .mlir text to the LLVM dialect --------*- C++ -*-===//
//
// The part shared by JIT and ahead-of-time compilation: parse, find the entry
// function, read its signature, run the CPU pipeline. Diagnostics are
// collected into the returned error instead of being printed.
//
//===----------------------------------------------------------------------===//

#ifndef MOEC_RUNTIME_MODULELOWERING_H
#define MOEC_RUNTIME_MODULELOWERING_H

#include "SignatureAnalysis.h"
#include "moec/Runtime/Compiler.h"
#include "moec/Runtime/Signature.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/OwningOpRef.h"

#include <memory>

namespace moec {

struct LoweredModule {
  std::unique_ptr<mlir::MLIRContext> context;
  mlir::OwningOpRef<mlir::ModuleOp> module;
  /// The entry function's signature, read before lowering.
  Signature signature;
  /// Set when the entry packs weights and has pack-once entry points.
  std::optional<PackingPlan> packing;
};

/// Every dialect, extension and LLVM IR translation a compilation needs.
const mlir::DialectRegistry &compilerRegistry();

/// Lowers `options.entry` (and everything else in the module) with the CPU
/// pipeline for `options.target` and `options.threads`.
llvm::Expected<LoweredModule> lowerToLLVMDialect(llvm::StringRef source,
                                                 llvm::StringRef bufferName,
                                                 const CompileOptions &options);

/// Plans `options.entry` (and everything else in the module) for the NPU
/// target `options.target`: the module holds moe_npu plan functions.
llvm::Expected<LoweredModule> planForNPU(llvm::StringRef source,
                                         llvm::StringRef bufferName,
                                         const CompileOptions &options);

} // namespace moec

#endif // MOEC_RUNTIME_MODULELOWERING_H
