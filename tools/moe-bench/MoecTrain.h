//===- MoecTrain.h - moec's forward and forward + backward ------*- C++ -*-===//
//
// A train case compiles two functions of the same module: @moe_layer and
// the @moe_layer_grad that Compiler::gradientSource adds to it, and times
// both on the same inputs. Neither uses prepared weights: a training step
// changes the weights after every call, so packing them is part of each
// call (the kernels pack as they run).
//
//===----------------------------------------------------------------------===//

#ifndef MOEC_TOOLS_MOEBENCH_MOECTRAIN_H
#define MOEC_TOOLS_MOEBENCH_MOECTRAIN_H

#include "Timing.h"
#include "TrainOutputs.h"
#include "Workload.h"

#include "moec/moec.h"

#include <memory>

namespace moec::bench {

struct MoecTrainRun {
  /// @moe_layer alone, then @moe_layer_grad (forward + backward).
  Timing forward, train;
  /// @moe_layer's y, and @moe_layer_grad's results.
  std::vector<float> forwardY;
  TrainOutputs outputs;
};

class MoecTrainSession {
public:
  /// Compiles both functions for an f32 layer workload with dy; `name`
  /// names the module in diagnostics. The workload must outlive the
  /// session.
  static llvm::Expected<std::unique_ptr<MoecTrainSession>>
  create(const Workload &workload, llvm::StringRef name,
         const CompileOptions &options);

  /// Times the forward, then forward + backward, on the first `tokens`
  /// tokens of x and dy.
  llvm::Expected<MoecTrainRun> run(int64_t tokens,
                                   const TimingPolicy &policy) const;
  /// One untimed call of @moe_layer_grad on the first `tokens` tokens.
  llvm::Expected<TrainOutputs> gradients(int64_t tokens) const;

  /// Module text to JIT-compiled code of @moe_layer and of @moe_layer_grad
  /// (gradientSource included), each with a fresh Compiler.
  double forwardCompileMs = 0, gradCompileMs = 0;

private:
  explicit MoecTrainSession(const Workload &workload) : workload(workload) {}
  /// @moe_layer's inputs on `tokens` tokens; `differentiable` gets how many
  /// of them have a gradient (all but the routing bias).
  std::vector<TensorView> layerInputs(int64_t tokens,
                                      size_t &differentiable) const;
  /// Outputs of @moe_layer_grad for `inputs`, viewing `results` (resized).
  static std::vector<TensorView> gradOutputs(llvm::ArrayRef<TensorView> inputs,
                                             size_t differentiable,
                                             TrainOutputs &results);

  const Workload &workload;
  Compiler forwardCompiler, gradCompiler;
  std::shared_ptr<const Kernel> forward, grad;
};

} // namespace moec::bench

#endif // MOEC_TOOLS_MOEBENCH_MOECTRAIN_H
