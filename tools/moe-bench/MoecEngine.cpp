//===- MoecEngine.cpp - compile, pack and time cases with moec ------------===//

#include "MoecEngine.h"

#include "Bf16.h"
#include "ExpertFfnModule.h"

#include <chrono>

using namespace moec;
using namespace moec::bench;

MoecSession::MoecSession(const Workload &workload)
    : workload(workload),
      bf16(workload.config.elementType == ElementType::BF16) {
  const test::LayerData &d = workload.data;
  const MoELayerConfig &c = workload.config;
  int64_t H = c.hidden, I = c.intermediate, E = c.numExperts,
          S = c.sharedIntermediate();
  if (!workload.expertsOnly) {
    x = view(d.x, {static_cast<int64_t>(d.x.size()) / H, H});
    rest.push_back(view(d.routerW, {H, E}));
  }
  rest.push_back(view(d.wGate, {E, H, I}));
  rest.push_back(view(d.wUp, {E, H, I}));
  rest.push_back(view(d.wDown, {E, I, H}));
  if (workload.expertsOnly)
    return;
  if (S > 0) {
    rest.push_back(view(d.sharedGate, {H, S}));
    rest.push_back(view(d.sharedUp, {H, S}));
    rest.push_back(view(d.sharedDown, {S, H}));
  }
  if (c.selectionBias)
    rest.push_back(view(d.bias, {E}));
}

TensorView MoecSession::view(const std::vector<float> &values,
                             std::vector<int64_t> shape) {
  if (!bf16)
    return TensorView(const_cast<float *>(values.data()), DType::F32,
                      std::move(shape));
  copies.push_back(toBf16(values));
  return TensorView(copies.back().data(), DType::BF16, std::move(shape));
}

std::vector<TensorView>
MoecSession::inputs(const TokenSlice &slice,
                    std::deque<std::vector<uint16_t>> &bf16Rows,
                    std::vector<int32_t> &offsets) const {
  int64_t H = workload.config.hidden;
  std::vector<TensorView> views;
  if (workload.expertsOnly) {
    const std::vector<float> &rows = slice.dispatchedX;
    if (bf16)
      views.emplace_back(bf16Rows.emplace_back(toBf16(rows)).data(),
                         DType::BF16, std::vector<int64_t>{slice.rows(), H});
    else
      views.emplace_back(const_cast<float *>(rows.data()), DType::F32,
                         std::vector<int64_t>{slice.rows(), H});
    offsets.assign(slice.plan.offsets.begin(), slice.plan.offsets.end());
    views.emplace_back(offsets.data(), DType::I32,
                       std::vector<int64_t>{workload.config.numExperts + 1});
  } else {
    // The first `tokens` rows of x.
    views.push_back(x);
    views.back().shape[0] = slice.tokens;
  }
  views.insert(views.end(), rest.begin(), rest.end());
  return views;
}

llvm::Expected<std::unique_ptr<MoecSession>>
MoecSession::create(const Workload &workload, llvm::StringRef name,
                    const TokenSlice &slice, const CompileOptions &options) {
  CompileOptions compileOptions = options;
  std::string source;
  if (workload.expertsOnly) {
    source = expertFfnSource(workload.config);
    compileOptions.entry = kExpertFfnEntry;
  } else {
    auto text = Compiler::layerSource(workload.config);
    if (!text)
      return text.takeError();
    source = std::move(*text);
    compileOptions.entry = "moe_layer";
  }

  std::unique_ptr<MoecSession> session(new MoecSession(workload));
  auto start = std::chrono::steady_clock::now();
  auto kernel = session->compiler.compileSource(source, compileOptions, name);
  if (!kernel)
    return kernel.takeError();
  session->compileMs = elapsedMs(start);
  session->kernel = std::move(*kernel);

  std::deque<std::vector<uint16_t>> bf16Rows;
  std::vector<int32_t> offsets;
  start = std::chrono::steady_clock::now();
  auto prepared = session->kernel->prepareWeights(
      session->inputs(slice, bf16Rows, offsets));
  if (!prepared)
    return prepared.takeError();
  session->packMs = elapsedMs(start);
  session->prepared = std::move(*prepared);
  session->packedBytes = session->prepared->bytes();
  return session;
}

llvm::Expected<MoecRun> MoecSession::run(const TokenSlice &slice,
                                         const TimingPolicy &policy) const {
  std::deque<std::vector<uint16_t>> bf16Rows;
  std::vector<int32_t> offsets;
  std::vector<TensorView> arguments = inputs(slice, bf16Rows, offsets);

  int64_t rows = workload.expertsOnly ? slice.rows() : slice.tokens;
  int64_t H = workload.config.hidden;
  MoecRun result;
  result.output.resize(rows * H);
  std::vector<uint16_t> outBf16(bf16 ? rows * H : 0);
  TensorView output =
      bf16 ? TensorView(outBf16.data(), DType::BF16, {rows, H})
           : TensorView(result.output.data(), DType::F32, {rows, H});

  letWorkersSleep();
  auto timing = timeCalls(
      [&] { return kernel->run(arguments, {output}, *prepared); }, policy);
  if (!timing)
    return timing.takeError();
  result.timing = *timing;
  for (size_t i = 0; i < outBf16.size(); ++i)
    result.output[i] = fromBf16(outBf16[i]);
  return result;
}
