//===- MoecTrain.cpp - moec's forward and forward + backward --------------===//

#include "MoecTrain.h"

#include <chrono>

using namespace moec;
using namespace moec::bench;

llvm::Expected<std::unique_ptr<MoecTrainSession>>
MoecTrainSession::create(const Workload &workload, llvm::StringRef name,
                         const CompileOptions &options) {
  if (workload.config.elementType != ElementType::F32 || workload.dy.empty())
    return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                   "%s: train cases need an f32 layer with dy",
                                   name.str().c_str());
  std::unique_ptr<MoecTrainSession> session(new MoecTrainSession(workload));
  auto source = Compiler::layerSource(workload.config);
  if (!source)
    return source.takeError();

  CompileOptions forwardOptions = options;
  forwardOptions.entry = "moe_layer";
  auto start = std::chrono::steady_clock::now();
  auto forward =
      session->forwardCompiler.compileSource(*source, forwardOptions, name);
  if (!forward)
    return forward.takeError();
  session->forwardCompileMs = elapsedMs(start);
  session->forward = std::move(*forward);

  CompileOptions gradOptions = options;
  gradOptions.entry = "moe_layer_grad";
  start = std::chrono::steady_clock::now();
  auto gradSource = Compiler::gradientSource(*source, "moe_layer", name);
  if (!gradSource)
    return gradSource.takeError();
  auto grad =
      session->gradCompiler.compileSource(*gradSource, gradOptions, name);
  if (!grad)
    return grad.takeError();
  session->gradCompileMs = elapsedMs(start);
  session->grad = std::move(*grad);
  return session;
}

std::vector<TensorView>
MoecTrainSession::layerInputs(int64_t tokens, size_t &differentiable) const {
  const MoELayerConfig &c = workload.config;
  const test::LayerData &d = workload.data;
  int64_t H = c.hidden, E = c.numExperts, I = c.intermediate,
          S = c.sharedIntermediate();
  auto view = [](const std::vector<float> &values, std::vector<int64_t> shape) {
    return TensorView(const_cast<float *>(values.data()), DType::F32,
                      std::move(shape));
  };
  std::vector<TensorView> inputs = {
      view(d.x, {tokens, H}), view(d.routerW, {H, E}), view(d.wGate, {E, H, I}),
      view(d.wUp, {E, H, I}), view(d.wDown, {E, I, H})};
  if (S > 0) {
    inputs.push_back(view(d.sharedGate, {H, S}));
    inputs.push_back(view(d.sharedUp, {H, S}));
    inputs.push_back(view(d.sharedDown, {S, H}));
  }
  differentiable = inputs.size();
  if (c.selectionBias)
    inputs.push_back(view(d.bias, {E}));
  return inputs;
}

std::vector<TensorView>
MoecTrainSession::gradOutputs(llvm::ArrayRef<TensorView> inputs,
                              size_t differentiable, TrainOutputs &results) {
  // y has x's shape; each gradient its input's.
  results.assign(differentiable + 1, {});
  std::vector<TensorView> outputs;
  for (size_t i = 0; i <= differentiable; ++i) {
    const TensorView &like = inputs[i == 0 ? 0 : i - 1];
    results[i].resize(like.numElements());
    outputs.emplace_back(results[i].data(), DType::F32, like.shape);
  }
  return outputs;
}

llvm::Expected<MoecTrainRun>
MoecTrainSession::run(int64_t tokens, const TimingPolicy &policy) const {
  int64_t H = workload.config.hidden;
  size_t differentiable = 0;
  std::vector<TensorView> inputs = layerInputs(tokens, differentiable);

  MoecTrainRun result;
  result.forwardY.resize(tokens * H);
  TensorView forwardY(result.forwardY.data(), DType::F32, {tokens, H});
  letWorkersSleep();
  auto forwardTiming =
      timeCalls([&] { return forward->run(inputs, {forwardY}); }, policy);
  if (!forwardTiming)
    return forwardTiming.takeError();
  result.forward = *forwardTiming;

  std::vector<TensorView> outputs =
      gradOutputs(inputs, differentiable, result.outputs);
  inputs.push_back(TensorView(const_cast<float *>(workload.dy.data()),
                              DType::F32, {tokens, H}));
  letWorkersSleep();
  auto trainTiming =
      timeCalls([&] { return grad->run(inputs, outputs); }, policy);
  if (!trainTiming)
    return trainTiming.takeError();
  result.train = *trainTiming;
  return result;
}

llvm::Expected<TrainOutputs> MoecTrainSession::gradients(int64_t tokens) const {
  size_t differentiable = 0;
  std::vector<TensorView> inputs = layerInputs(tokens, differentiable);
  TrainOutputs results;
  std::vector<TensorView> outputs =
      gradOutputs(inputs, differentiable, results);
  inputs.push_back(TensorView(const_cast<float *>(workload.dy.data()),
                              DType::F32, {tokens, workload.config.hidden}));
  if (llvm::Error err = grad->run(inputs, outputs))
    return std::move(err);
  return results;
}
