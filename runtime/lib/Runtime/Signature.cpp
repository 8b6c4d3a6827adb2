//===- Signature.cpp - checks that a call matches a compiled kernel
//--------===//

#include "moec/Runtime/Signature.h"

#include "llvm/Support/CheckedArithmetic.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/raw_ostream.h"

using namespace moec;

namespace {

llvm::Error callError(const llvm::Twine &message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), message);
}

std::string describe(llvm::StringRef role, unsigned index,
                     const TensorSpec &spec) {
  return llvm::formatv("{0} {1} ({2})", role, index, spec.name).str();
}

/// Byte range of a view, or nullopt when it has no elements.
std::optional<std::pair<uintptr_t, uintptr_t>>
byteRange(const TensorView &view) {
  int64_t elements = view.numElements();
  if (elements == 0)
    return std::nullopt;
  auto begin = reinterpret_cast<uintptr_t>(view.data);
  return std::make_pair(
      begin, begin + static_cast<uintptr_t>(elements * byteSize(view.dtype)));
}

/// The checks shared by inputs and outputs: dtype, rank, sizes (static ones
/// against the spec, dynamic ones against `dynamicSizes` when given), memory.
llvm::Error checkTensor(llvm::StringRef role, unsigned index,
                        const TensorSpec &spec, const TensorView &view,
                        llvm::ArrayRef<int64_t> expectedShape) {
  std::string what = describe(role, index, spec);
  if (view.dtype != spec.dtype)
    return callError(llvm::formatv("{0}: expected dtype {1}, got {2}", what,
                                   toString(spec.dtype), toString(view.dtype)));
  if (view.shape.size() != expectedShape.size())
    return callError(llvm::formatv("{0}: expected rank {1} {2}, got rank {3} "
                                   "{4}",
                                   what, expectedShape.size(),
                                   formatShape(expectedShape),
                                   view.shape.size(), formatShape(view.shape)));
  int64_t bytes = byteSize(view.dtype);
  for (auto [dim, size] : llvm::enumerate(view.shape)) {
    if (size < 0)
      return callError(llvm::formatv("{0}: dimension {1} has negative size "
                                     "{2}",
                                     what, dim, size));
    if (expectedShape[dim] != kDynamic && expectedShape[dim] != size)
      return callError(llvm::formatv(
          "{0}: expected shape {1}, got {2} (dimension {3} is {4}, expected "
          "{5})",
          what, formatShape(expectedShape), formatShape(view.shape), dim, size,
          expectedShape[dim]));
    std::optional<int64_t> product = llvm::checkedMul(bytes, size);
    if (!product)
      return callError(what + ": shape " + formatShape(view.shape) +
                       " is too large to address");
    bytes = *product;
  }
  if (!view.strides.empty() && view.strides.size() != view.shape.size())
    return callError(llvm::formatv("{0}: {1} strides for a rank-{2} shape",
                                   what, view.strides.size(),
                                   view.shape.size()));
  if (!view.isContiguous())
    return callError(llvm::formatv(
        "{0}: strides {1} are not row-major contiguous for shape {2} (expected "
        "{3}); moec kernels read and write row-major tensors, so make a "
        "contiguous copy first",
        what, formatShape(view.strides), formatShape(view.shape),
        formatShape(view.contiguousStrides())));
  if (!view.data && bytes != 0)
    return callError(what + ": data pointer is null");
  return llvm::Error::success();
}

} // namespace

llvm::Error Signature::checkInput(unsigned index,
                                  const TensorView &input) const {
  if (index >= arguments.size())
    return callError(llvm::formatv("{0} has {1} arguments, there is no input "
                                   "{2}",
                                   function, arguments.size(), index));
  return checkTensor("input", index, arguments[index], input,
                     arguments[index].shape);
}

llvm::Error Signature::checkInputs(llvm::ArrayRef<TensorView> inputs) const {
  if (inputs.size() != arguments.size())
    return callError(llvm::formatv("{0} expects {1} inputs, got {2}: {3}",
                                   function, arguments.size(), inputs.size(),
                                   toString()));
  for (auto [index, view] : llvm::enumerate(inputs))
    if (llvm::Error err = checkInput(index, view))
      return err;
  for (const std::vector<DimSource> &group : equalDims) {
    const DimSource &first = group.front();
    int64_t size = inputs[first.argument].shape[first.dim];
    for (const DimSource &other : group) {
      int64_t otherSize = inputs[other.argument].shape[other.dim];
      if (otherSize != size)
        return callError(llvm::formatv(
            "{0} dimension {1} is {2} but {3} dimension {4} is {5}; the "
            "function needs them equal",
            describe("input", other.argument, arguments[other.argument]),
            other.dim, otherSize,
            describe("input", first.argument, arguments[first.argument]),
            first.dim, size));
    }
  }
  return llvm::Error::success();
}

llvm::Expected<std::vector<std::vector<int64_t>>>
Signature::resultShapes(llvm::ArrayRef<TensorView> inputs) const {
  if (llvm::Error err = checkInputs(inputs))
    return std::move(err);
  std::vector<std::vector<int64_t>> shapes;
  for (auto [spec, sources] : llvm::zip_equal(results, resultDimSources)) {
    std::vector<int64_t> shape = spec.shape;
    for (auto [size, source] : llvm::zip_equal(shape, sources))
      if (size == kDynamic && source)
        size = inputs[source->argument].shape[source->dim];
    shapes.push_back(std::move(shape));
  }
  return shapes;
}

llvm::Error Signature::checkCall(llvm::ArrayRef<TensorView> inputs,
                                 llvm::ArrayRef<TensorView> outputs) const {
  auto shapes = resultShapes(inputs);
  if (!shapes)
    return shapes.takeError();
  if (outputs.size() != results.size())
    return callError(llvm::formatv("{0} has {1} results, got {2} outputs: {3}",
                                   function, results.size(), outputs.size(),
                                   toString()));
  for (auto [index, view] : llvm::enumerate(outputs))
    if (llvm::Error err = checkTensor("output", index, results[index], view,
                                      (*shapes)[index]))
      return err;

  // Outputs are written while inputs are still being read, so an output that
  // shares memory with any other tensor of the call would corrupt the result.
  // The exception is an in-place result given its own argument's buffer:
  // the compiled code updates that buffer element by element as designed.
  auto overlaps = [](const TensorView &a, const TensorView &b) {
    auto rangeA = byteRange(a), rangeB = byteRange(b);
    return rangeA && rangeB && rangeA->first < rangeB->second &&
           rangeB->first < rangeA->second;
  };
  for (auto [index, out] : llvm::enumerate(outputs)) {
    std::string what = describe("output", index, results[index]);
    std::optional<unsigned> tied = results[index].inPlaceOf;
    // Same start, dtype and shape (both checked contiguous): the same bytes.
    bool inPlace = tied && out.data == inputs[*tied].data &&
                   out.dtype == inputs[*tied].dtype &&
                   out.shape == inputs[*tied].shape;
    for (auto [inIndex, in] : llvm::enumerate(inputs)) {
      if ((inPlace && inIndex == *tied) || !overlaps(out, in))
        continue;
      std::string input = describe("input", inIndex, arguments[inIndex]);
      if (inPlace)
        return callError(llvm::formatv(
            "{0} is updated in place in the buffer of {1}, which overlaps {2} "
            "in memory; an argument updated in place must not share memory "
            "with another input",
            what, describe("input", *tied, arguments[*tied]), input));
      if (tied && inIndex == *tied)
        return callError(llvm::formatv(
            "{0} overlaps {1} in memory but is not its buffer; a result "
            "written in place of {1} (moe.in_place) takes exactly that "
            "input's buffer (same data pointer and shape) or a buffer "
            "disjoint from every input",
            what, input));
      return callError(llvm::formatv(
          "{0} overlaps {1} in memory; outputs must not alias inputs", what,
          input));
    }
    for (size_t other = index + 1; other < outputs.size(); ++other)
      if (overlaps(out, outputs[other]))
        return callError(
            llvm::formatv("{0} overlaps {1} in memory", what,
                          describe("output", other, results[other])));
  }
  return llvm::Error::success();
}

bool Signature::hasInPlaceResults() const {
  return llvm::any_of(results,
                      [](const TensorSpec &spec) { return spec.inPlaceOf; });
}

std::string Signature::toString() const {
  std::string text;
  llvm::raw_string_ostream os(text);
  auto print = [&](llvm::ArrayRef<TensorSpec> specs) {
    llvm::interleaveComma(specs, os, [&](const TensorSpec &spec) {
      os << spec.name << ": " << moec::toString(spec.dtype)
         << formatShape(spec.shape);
      if (spec.inPlaceOf && *spec.inPlaceOf < arguments.size())
        os << " (in place of " << arguments[*spec.inPlaceOf].name << ')';
    });
  };
  os << function << '(';
  print(arguments);
  os << ") -> (";
  print(results);
  os << ')';
  return text;
}
