//===- Signature.h - what a compiled kernel expects -------------*- C++ -*-===//
//
// The argument and result types of a compiled function, taken from its
// tensor-level signature before lowering, and the checks that a call's
// tensors match them. Every failed check names the argument and the
// mismatch, so a framework can report it to its user.
//
// In-place results. A function may declare that result N is written into
// the buffer of argument M, with the result attribute `moe.in_place = M :
// i64` (docs/training-design.md, "In place"): a training step updating
// caller-owned parameters and optimizer state. The compiler makes that true
// or fails naming the result and the argument; the compiled code takes no
// out-parameter for such a result and writes argument M's buffer. Every
// argument that is not tied is only read. A call passes, for result N:
//  - input M's own buffer (same data pointer and shape): the update happens
//    there, no copy; the usual training loop, which runs the same call
//    again and again;
//  - or a buffer disjoint from every input and every other output: the
//    runtime first copies input M into it and runs the update there, so
//    input M is left unchanged (value semantics, at the cost of one copy);
// and anything else that overlaps is refused.
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
  /// Results only: the argument whose buffer the function writes this result
  /// into (`moe.in_place`); it has that argument's dtype and shape.
  std::optional<unsigned> inPlaceOf;
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
  /// no output overlaps another tensor of the call. The one overlap allowed
  /// is an in-place result (`inPlaceOf` = M) given exactly input M's buffer,
  /// which must then not overlap any other input or output; any other
  /// output overlapping input M is refused.
  llvm::Error checkCall(llvm::ArrayRef<TensorView> inputs,
                        llvm::ArrayRef<TensorView> outputs) const;

  /// Whether some result is written into an argument's buffer.
  bool hasInPlaceResults() const;

  /// "moe_layer(x: f32[?, 2048], ...) -> (result0: f32[?, 2048])"; an
  /// in-place result reads "result0: f32[?] (in place of arg0)".
  std::string toString() const;
};

} // namespace moec

#endif // MOEC_RUNTIME_SIGNATURE_H
