//===- SignatureAnalysis.h - a func's Signature from its tensor IR
//---------===//

#ifndef MOEC_RUNTIME_SIGNATUREANALYSIS_H
#define MOEC_RUNTIME_SIGNATUREANALYSIS_H

#include "moec/Runtime/Signature.h"

#include <optional>

namespace mlir {
class ModuleOp;
namespace func {
class FuncOp;
} // namespace func
} // namespace mlir

namespace moec {

/// Reads the tensor-level signature of `func` (before any lowering): element
/// types and shapes, names of arguments that feed moe ops, where each dynamic
/// result size comes from, and which dynamic sizes must agree. Fails, naming
/// the argument or result, for types the runtime cannot pass or result sizes
/// it cannot tell from the arguments.
llvm::Expected<Signature> analyzeSignature(mlir::func::FuncOp func);

/// How `@<entry>__prepack` (made by --moe-cpu-split-weight-packing) packs
/// the entry's weights: which arguments it reads and what it returns.
struct PackingPlan {
  std::vector<unsigned> weightArguments;
  std::vector<TensorSpec> packed;
};

/// The plan for `entry`, or none when the module has no pack-once entry
/// point for it.
llvm::Expected<std::optional<PackingPlan>>
analyzePacking(mlir::ModuleOp module, llvm::StringRef entry);

} // namespace moec

#endif // MOEC_RUNTIME_SIGNATUREANALYSIS_H
