//===- SignatureAnalysis.h - a func's Signature from its tensor IR
//---------===//

#ifndef MOEC_RUNTIME_SIGNATUREANALYSIS_H
#define MOEC_RUNTIME_SIGNATUREANALYSIS_H

#include "moec/Runtime/Signature.h"

namespace mlir::func {
class FuncOp;
} // namespace mlir::func

namespace moec {

/// Reads the tensor-level signature of `func` (before any lowering): element
/// types and shapes, names of arguments that feed moe ops, where each dynamic
/// result size comes from, and which dynamic sizes must agree. Fails, naming
/// the argument or result, for types the runtime cannot pass or result sizes
/// it cannot tell from the arguments.
llvm::Expected<Signature> analyzeSignature(mlir::func::FuncOp func);

} // namespace moec

#endif // MOEC_RUNTIME_SIGNATUREANALYSIS_H
