//===- HostTarget.h - LLVM target machines for the running CPU
//-------------===//

#ifndef MOEC_RUNTIME_HOSTTARGET_H
#define MOEC_RUNTIME_HOSTTARGET_H

#include "llvm/Support/Error.h"

#include <memory>

namespace llvm {
class TargetMachine;
} // namespace llvm

namespace moec {

/// A target machine for the CPU this process runs on, with all its ISA
/// features (AVX-512 where present). Position-independent, so its objects can
/// go into shared libraries. Initialises LLVM's native target on first use.
llvm::Expected<std::unique_ptr<llvm::TargetMachine>>
createHostTargetMachine(unsigned optLevel, bool forJIT);

} // namespace moec

#endif // MOEC_RUNTIME_HOSTTARGET_H
