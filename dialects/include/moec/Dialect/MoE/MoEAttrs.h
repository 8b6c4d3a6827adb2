//===- MoEAttrs.h - moe dialect attributes ----------------------*- C++ -*-===//

#ifndef MOEC_DIALECT_MOE_MOEATTRS_H
#define MOEC_DIALECT_MOE_MOEATTRS_H

#include "mlir/IR/Attributes.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/DialectImplementation.h"

namespace mlir::moe::detail {
/// Parses `true` or `false`.
FailureOr<bool> parseBoolKeyword(AsmParser &parser);
/// Parses a float or integer literal as an f64 APFloat.
FailureOr<llvm::APFloat> parseDoubleAsAPFloat(AsmParser &parser);
/// Prints the shortest decimal form of `value` that reads back exactly,
/// always with a decimal point (`2.5`, `1.0`, `1.0e-20`).
void printShortestDouble(AsmPrinter &printer, double value);
} // namespace mlir::moe::detail

#include "moec/Dialect/MoE/MoEEnums.h.inc"

#define GET_ATTRDEF_CLASSES
#include "moec/Dialect/MoE/MoEAttrs.h.inc"

#endif // MOEC_DIALECT_MOE_MOEATTRS_H
