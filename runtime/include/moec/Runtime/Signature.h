//===- Signature.h - what a compiled kernel expects -------------*- C++ -*-===//
//
// The argument and result types of a compiled function, taken from its
// tensor-level signature before lowering, and the checks that a call's
// tensors match them. Every failed check names the argument and the
// mismatch, so a framework can report it to its user.
//
//===----------------------------------------------------------------------===//

#ifndef MOEC_RUNTIME_SIGNATURE_H
#define MOEC_RUNTIME_SIGNATURE_H

#include "moec/Runtime/TensorView.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/Support/Error.h"

#include <cstdint>
#include <string>
#include <vector>

namespace moec {

/// Marks a dimension whose size is only known at run time.
inline constexpr int64_t kDynamic = -1;

struct TensorSpec {
  /// What the argument is, e.g. "x" or "w_gate" when the function feeds it to
  /// a moe op, "arg3" otherwise; results are "result0", ...
  std::string name;
  DType dtype = DType::F32;
  /// kDynamic for a size fixed by the call.
  std::vector<int64_t> shape;
};

/// Where a dynamic result dimension takes its size from.
struct DimSource {
  unsigned argument = 0;
  unsigned dim = 0;
};

struct Signature {
  std::string function;
  std::vector<TensorSpec> arguments;
  std::vector<TensorSpec> results;
  /// For each result, for each dimension: its source when dynamic.
  std::vector<std::vector<std::optional<DimSource>>> resultDimSources;
  /// Dynamic argument dimensions the function requires to be equal (e.g. the
  /// token count of `x` and of `token_ids`).
  std::vector<std::vector<DimSource>> equalDims;

  /// Shapes of the results for these inputs (which must pass
  /// checkInputs), so a caller can allocate them.
  llvm::Expected<std::vector<std::vector<int64_t>>>
  resultShapes(llvm::ArrayRef<TensorView> inputs) const;

  /// Checks dtype, rank, static sizes and layout of input `index`.
  llvm::Error checkInput(unsigned index, const TensorView &input) const;
  /// Checks the count and every input, and that dynamic sizes shared between
  /// arguments agree.
  llvm::Error checkInputs(llvm::ArrayRef<TensorView> inputs) const;
  /// checkInputs, then the outputs' count, dtype and exact shape, and that
  /// no output overlaps another tensor of the call.
  llvm::Error checkCall(llvm::ArrayRef<TensorView> inputs,
                        llvm::ArrayRef<TensorView> outputs) const;

  /// "moe_layer(x: f32[?, 2048], ...) -> (result0: f32[?, 2048])".
  std::string toString() const;
};

} // namespace moec

#endif // MOEC_RUNTIME_SIGNATURE_H
