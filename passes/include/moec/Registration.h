//===- Registration.h - what every moec tool registers ----------*- C++ -*-===//
//
// The one place that decides which dialects, extensions and passes a moec
// tool (moe-opt, moe-translate, the C++ API, tests) knows about.
//
//===----------------------------------------------------------------------===//

#ifndef MOEC_REGISTRATION_H
#define MOEC_REGISTRATION_H

namespace mlir {
class DialectRegistry;
} // namespace mlir

namespace moec {

/// Upstream MLIR's dialects and extensions plus the moe dialect.
void registerAllDialects(mlir::DialectRegistry &registry);

/// Upstream MLIR's passes plus moec's passes and pipelines, for the
/// command-line pass registry. Idempotent.
void registerAllPasses();

} // namespace moec

#endif // MOEC_REGISTRATION_H
