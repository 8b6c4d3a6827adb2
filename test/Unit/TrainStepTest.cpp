//===- TrainStepTest.cpp - examples/train_step.mlir through the C++ API ---===//
//
// A synthetic regression task: a teacher layer with fixed random weights
// gives the targets of a batch of tokens; a student layer of the same shape,
// started from other random weights, is trained by examples/train_step.mlir
// (forward, MSE plus load-balancing loss, backward, AdamW) for 50 steps on
// caller-owned buffers updated in place. Its loss must fall, the first loss
// must be the loss of the student computed independently, and every
// parameter and moment must have moved in the caller's buffers.
//
//===----------------------------------------------------------------------===//

#include "Inputs.h"
#include "KernelTesting.h"
#include "LayerExecution.h"

#include "moec/Runtime/Compiler.h"

#include "gtest/gtest.h"

#include "llvm/Support/MemoryBuffer.h"

#include <cmath>

using namespace moec;
using namespace moec::test;

namespace {

constexpr int64_t kTokens = 64, kHidden = 64, kInter = 32, kExperts = 8,
                  kTopK = 2;
constexpr double kAuxAlpha = 1e-2;

MoELayerConfig layerConfig() {
  MoELayerConfig config;
  config.hidden = kHidden;
  config.intermediate = kInter;
  config.numExperts = kExperts;
  config.topK = kTopK;
  config.normTopkProb = true;
  return config;
}

std::shared_ptr<const Kernel> compileTrainStep() {
  std::string path = std::string(MOEC_EXAMPLES_DIR) + "/train_step.mlir";
  auto file = llvm::MemoryBuffer::getFile(path);
  if (!file) {
    ADD_FAILURE() << "cannot read " << path;
    return nullptr;
  }
  auto source =
      Compiler::gradientSource((*file)->getBuffer(), "loss", "train_step.mlir");
  if (!source) {
    ADD_FAILURE() << llvm::toString(source.takeError());
    return nullptr;
  }
  return compileEntry(*source, "train_step");
}

/// The loss @loss computes, in f64: mean squared error of the layer on `x`
/// against `target`, plus alpha * E * sum_e f_e P_e.
double referenceLoss(const MoELayerConfig &config, const LayerData &student,
                     const std::vector<float> &x,
                     const std::vector<double> &target) {
  reference::LayerWeights weights = referenceWeights(config, student);
  std::vector<double> xd = reference::toDouble(x);
  std::vector<double> y = reference::layer(xd, kTokens, weights);
  double mse = 0.0;
  for (size_t i = 0; i < y.size(); ++i)
    mse += (y[i] - target[i]) * (y[i] - target[i]);
  mse /= static_cast<double>(y.size());

  std::vector<double> logits(kTokens * kExperts, 0.0);
  for (int64_t t = 0; t < kTokens; ++t)
    for (int64_t h = 0; h < kHidden; ++h)
      for (int64_t e = 0; e < kExperts; ++e)
        logits[t * kExperts + e] +=
            xd[t * kHidden + h] * weights.routerW[h * kExperts + e];
  reference::RouterResult routed =
      reference::route(logits, kTokens, kExperts, weights.routing);
  std::vector<double> fraction(kExperts, 0.0), probability(kExperts, 0.0);
  for (int64_t id : routed.ids)
    fraction[id] += 1.0 / (kTokens * kTopK);
  for (int64_t t = 0; t < kTokens; ++t) {
    std::vector<double> row(logits.begin() + t * kExperts,
                            logits.begin() + (t + 1) * kExperts);
    std::vector<double> p =
        reference::routerScores(row, reference::Scoring::Softmax);
    for (int64_t e = 0; e < kExperts; ++e)
      probability[e] += p[e] / kTokens;
  }
  double aux = 0.0;
  for (int64_t e = 0; e < kExperts; ++e)
    aux += fraction[e] * probability[e];
  return mse + kAuxAlpha * kExperts * aux;
}

TEST(TrainStep, LossFallsOverFiftyStepsInPlace) {
  std::shared_ptr<const Kernel> kernel = compileTrainStep();
  ASSERT_TRUE(kernel);
  MoELayerConfig config = layerConfig();
  LayerData teacher = LayerData::generate(config, kTokens, /*seed=*/100);
  LayerData student = LayerData::generate(config, kTokens, /*seed=*/200);
  const std::vector<float> &x = teacher.x;
  std::vector<double> target = reference::layer(
      reference::toDouble(x), kTokens, referenceWeights(config, teacher));
  std::vector<float> targetF(target.begin(), target.end());
  std::vector<double> targetRounded = reference::toDouble(targetF);
  double firstWant = referenceLoss(config, student, x, targetRounded);

  // The parameters and their moments, owned here and updated in place.
  std::vector<float> *params[] = {&student.routerW, &student.wGate,
                                  &student.wUp, &student.wDown};
  std::vector<int64_t> shapes[] = {{kHidden, kExperts},
                                   {kExperts, kHidden, kInter},
                                   {kExperts, kHidden, kInter},
                                   {kExperts, kInter, kHidden}};
  std::vector<std::vector<float>> moments;
  for (std::vector<float> *p : params) {
    moments.emplace_back(p->size(), 0.0f);
    moments.emplace_back(p->size(), 0.0f);
  }
  std::vector<std::vector<float>> initial;
  for (std::vector<float> *p : params)
    initial.push_back(*p);

  int64_t step = 0;
  float loss = NAN;
  std::vector<TensorView> inputs = {
      TensorView(const_cast<float *>(x.data()), DType::F32, {kTokens, kHidden}),
      TensorView(targetF.data(), DType::F32, {kTokens, kHidden})};
  for (int i = 0; i < 4; ++i)
    inputs.emplace_back(params[i]->data(), DType::F32, shapes[i]);
  for (int i = 0; i < 8; ++i)
    inputs.emplace_back(moments[i].data(), DType::F32, shapes[i / 2]);
  inputs.emplace_back(&step, DType::I64, std::vector<int64_t>{});
  // Each tied result is given its argument's own buffer: updated in place.
  std::vector<TensorView> outputs = {
      TensorView(&loss, DType::F32, std::vector<int64_t>{})};
  for (int i = 2; i < 14; ++i)
    outputs.push_back(inputs[i]);

  std::vector<float> losses;
  for (step = 1; step <= 50; ++step) {
    llvm::Error err = kernel->run(inputs, outputs);
    ASSERT_FALSE(err) << llvm::toString(std::move(err));
    ASSERT_TRUE(std::isfinite(loss)) << "step " << step;
    losses.push_back(loss);
  }
  EXPECT_NEAR(losses.front(), firstWant, 1e-5 * firstWant);
  EXPECT_LT(losses.back(), 0.25 * losses.front())
      << "first loss " << losses.front() << ", last " << losses.back();
  // Down early, not only by the end: steps 10 and 25 are below half the
  // first loss. (Near the end the loss is mostly the balancing term, whose
  // floor is alpha = 0.01 for a perfect balance, and it may wobble.)
  EXPECT_LT(losses[9], 0.5 * losses.front());
  EXPECT_LT(losses[24], 0.5 * losses.front());
  for (int i = 0; i < 4; ++i) {
    EXPECT_NE(*params[i], initial[i]) << "parameter " << i << " not updated";
    EXPECT_NE(moments[2 * i], std::vector<float>(moments[2 * i].size(), 0.0f))
        << "first moment " << i << " not updated";
  }
  // The losses, for the log.
  std::string trace;
  for (size_t i = 0; i < losses.size(); i += 7)
    trace += " " + std::to_string(losses[i]);
  RecordProperty("losses", trace);
  std::printf("train_step losses (every 7th step):%s ... %f\n", trace.c_str(),
              losses.back());
}

} // namespace
