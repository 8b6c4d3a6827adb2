//===- Columns.cpp - the columns of every report --------------------------===//

#include "Columns.h"

#include "llvm/Support/FormatVariadic.h"

#include <cmath>

using namespace moec;
using namespace moec::bench;

namespace {

Cell number(std::optional<double> value) {
  if (!value || !std::isfinite(*value))
    return std::monostate();
  return *value;
}

std::optional<double> ms(const std::optional<Timing> &timing) {
  return timing ? std::optional<double>(timing->medianMs) : std::nullopt;
}

Cell runs(const std::optional<Timing> &timing) {
  return timing ? Cell(int64_t(timing->runs)) : Cell();
}

Cell gflops(const CaseResult &r, std::optional<double> ms) {
  return ms ? number(r.flops / (*ms * 1e6)) : Cell();
}

/// Forward + backward GFLOP/s of a train case.
Cell gflops3(const CaseResult &r, std::optional<double> ms) {
  return ms ? number(3 * r.flops / (*ms * 1e6)) : Cell();
}

Cell ratio(std::optional<double> baselineMs, std::optional<double> ms) {
  return baselineMs && ms ? number(*baselineMs / *ms) : Cell();
}

std::optional<double> moecGflops(const CaseResult &r) {
  return r.moec ? std::optional<double>(r.flops / (r.moec->medianMs * 1e6))
                : std::nullopt;
}

std::optional<double> moecGBs(const CaseResult &r) {
  return r.moec
             ? std::optional<double>(r.weightBytes / (r.moec->medianMs * 1e6))
             : std::nullopt;
}

/// Backward time: forward + backward minus forward, both from the same run.
std::optional<double> backwardMs(const std::optional<Timing> &forward,
                                 const std::optional<Timing> &train) {
  return forward && train
             ? std::optional<double>(train->medianMs - forward->medianMs)
             : std::nullopt;
}

Cell backwardRatio(const std::optional<Timing> &forward,
                   const std::optional<Timing> &train) {
  auto backward = backwardMs(forward, train);
  return backward ? number(*backward / forward->medianMs) : Cell();
}

/// The reference's call of the case: the layer, or in train cases forward +
/// backward.
const std::optional<Timing> &naiveTiming(const CaseResult &r) {
  return r.benchCase.isTrain() ? r.naiveTrain : r.naive;
}

int64_t naiveTokens(const CaseResult &r) {
  return r.benchCase.isTrain() ? r.naiveTrainTokens : r.naiveTokens;
}

const char *statusName(CaseStatus status) {
  switch (status) {
  case CaseStatus::Ok:
    return "ok";
  case CaseStatus::Skipped:
    return "skipped";
  case CaseStatus::Failed:
    return "failed";
  }
  return "?";
}

using R = const CaseResult &;
using M = const MachineInfo &;

const Column kColumns[] = {
    {"case", "model:phase:dtype:T<tokens>",
     [](R r, M) -> Cell { return r.benchCase.name(); }, "case"},
    {"model", "the config's name",
     [](R r, M) -> Cell { return r.benchCase.model; }},
    {"phase",
     "prefill or decode (the whole layer), gemm (the expert FFN alone on "
     "dispatched rows: gate and up grouped GEMMs, SwiGLU, down grouped "
     "GEMM), train (the layer's forward, and forward + backward: "
     "@moe_layer_grad)",
     [](R r, M) -> Cell { return toString(r.benchCase.phase).str(); }},
    {"dtype", "element type of every tensor (f32 or bf16)",
     [](R r, M) -> Cell {
       return toString(r.benchCase.config.elementType).str();
     }},
    {"tokens", "T, tokens per call",
     [](R r, M) -> Cell { return r.benchCase.tokens; }},
    {"rows", "T*k, rows of the expert GEMMs",
     [](R r, M) -> Cell { return r.rows; }},
    {"experts_hit", "routed experts that get at least one token",
     [](R r, M) -> Cell { return r.expertsHit; }},
    {"status", "ok, skipped (see note) or failed (see note)",
     [](R r, M) -> Cell { return std::string(statusName(r.status)); }},
    {"gflop",
     "10^9 FLOPs per call: router 2*T*H*E + experts 2*T*k*3*H*I + shared "
     "2*T*3*H*S (gemm: experts only; train: the forward's); element-wise "
     "work not counted",
     [](R r, M) -> Cell { return number(r.flops / 1e9); }},
    {"weight_mb",
     "10^6 bytes of weights one call must read: router (+bias), the 3 "
     "matrices of every expert hit, the shared experts (gemm: experts only)",
     [](R r, M) -> Cell { return number(r.weightBytes / 1e6); }},
    {"footprint_gib",
     "estimated peak memory of the case (checked against "
     "--max-gib)",
     [](R r, M) -> Cell { return number(r.footprintBytes / double(1 << 30)); }},
    {"compile_ms", "moec: module text to JIT-compiled code, fresh compiler",
     [](R r, M) { return number(r.compileMs); }, "compile ms", 0},
    {"pack_ms", "moec: Kernel::prepareWeights, once per weight set",
     [](R r, M) { return number(r.packMs); }, "pack ms", 0},
    {"packed_mb", "moec: 10^6 bytes held by the packed weights",
     [](R r, M) -> Cell {
       return r.packedBytes ? number(*r.packedBytes / 1e6) : Cell();
     }},
    {"moec_ms",
     "moec: median ms per call (Kernel::run with packed weights; train: of "
     "the forward, without them)",
     [](R r, M) { return number(ms(r.moec)); }, "moec ms", 2},
    {"moec_runs", "moec: timed calls after one warm-up",
     [](R r, M) { return runs(r.moec); }},
    {"moec_gflops", "moec: gflop / time",
     [](R r, M) { return number(moecGflops(r)); }, "GFLOP/s", 1},
    {"moec_pct_peak", "moec: GFLOP/s as % of the measured f32 FMA peak",
     [](R r, M m) -> Cell {
       auto g = moecGflops(r);
       return g ? number(100 * *g / m.fmaPeakGflops) : Cell();
     },
     "% peak", 1},
    {"moec_gbs", "moec: weight_mb / time, GB/s",
     [](R r, M) { return number(moecGBs(r)); }, "GB/s", 1},
    {"moec_pct_bandwidth",
     "moec: GB/s as % of the measured read bandwidth (the roofline of a "
     "weight-bound call)",
     [](R r, M m) -> Cell {
       auto g = moecGBs(r);
       return g ? number(100 * *g / m.bandwidthGBs) : Cell();
     },
     "% bw", 1},
    {"openblas_ms",
     "OpenBLAS sgemm expert loop: median ms per call (train: of the "
     "forward)",
     [](R r, M) { return number(ms(r.openblas)); }, "blas ms", 2},
    {"openblas_runs", "OpenBLAS: timed calls after one warm-up",
     [](R r, M) { return runs(r.openblas); }},
    {"openblas_gflops", "OpenBLAS: gflop / time",
     [](R r, M) { return gflops(r, ms(r.openblas)); }},
    {"speedup_vs_openblas", "openblas_ms / moec_ms",
     [](R r, M) { return ratio(ms(r.openblas), ms(r.moec)); }, "x blas", 2},
    {"naive_ms",
     "f64 reference, one thread: median ms per call, scaled to all tokens "
     "when it ran on fewer (naive_tokens)",
     [](R r, M) { return number(r.naiveScaledMs); }, "naive ms", 1},
    {"naive_tokens", "tokens the reference ran on (train: forward + backward)",
     [](R r, M) -> Cell {
       return naiveTiming(r) ? Cell(naiveTokens(r)) : Cell();
     }},
    {"naive_basis", "measured, or extrapolated from T'=<naive_tokens>",
     [](R r, M) -> Cell {
       if (!naiveTiming(r))
         return std::monostate();
       if (naiveTokens(r) == r.benchCase.tokens)
         return std::string("measured");
       return llvm::formatv("extrapolated from T'={0}", naiveTokens(r)).str();
     },
     "naive basis"},
    {"naive_runs", "reference: timed calls after the one-token warm-up",
     [](R r, M) { return runs(naiveTiming(r)); }},
    {"speedup_vs_naive", "naive_ms / moec_ms",
     [](R r, M) { return ratio(r.naiveScaledMs, ms(r.moec)); }, "x naive", 1},
    {"err_vs_reference",
     "max relative error of moec against the f64 reference (first "
     "naive_tokens rows; train: y and every gradient on those tokens, the "
     "largest)",
     [](R r, M) { return number(r.errMoecVsReference); }, "err ref", -1},
    {"err_vs_openblas",
     "max relative error of moec against OpenBLAS (train: the largest over y "
     "and every gradient)",
     [](R r, M) { return number(r.errMoecVsOpenBlas); }},
    {"err_openblas_vs_reference",
     "max relative error of OpenBLAS against the reference",
     [](R r, M) { return number(r.errOpenBlasVsReference); }},
    // Train cases only.
    {"train_gflop",
     "train: 10^9 FLOPs of forward + backward, 3*gflop (the backward of a "
     "matmul is two of its size)",
     [](R r, M) -> Cell {
       return r.benchCase.isTrain() ? number(3 * r.flops / 1e9) : Cell();
     }},
    {"grad_compile_ms",
     "train, moec: gradientSource + JIT compile of @moe_layer_grad, fresh "
     "compiler",
     [](R r, M) { return number(r.gradCompileMs); }},
    {"moec_train_ms",
     "train, moec: median ms per forward + backward call (@moe_layer_grad: "
     "y and every gradient)",
     [](R r, M) { return number(ms(r.moecTrain)); }},
    {"moec_train_runs", "train, moec: timed calls after one warm-up",
     [](R r, M) { return runs(r.moecTrain); }},
    {"moec_train_gflops", "train, moec: train_gflop / moec_train_ms",
     [](R r, M) { return gflops3(r, ms(r.moecTrain)); }},
    {"moec_bwd_ms",
     "train, moec: backward ms, moec_train_ms - moec_ms (same run, same "
     "data)",
     [](R r, M) { return number(backwardMs(r.moec, r.moecTrain)); }},
    {"moec_bwd_fwd_ratio",
     "train, moec: moec_bwd_ms / moec_ms (the backward has 2x the forward's "
     "FLOPs; target <= 2.5)",
     [](R r, M) { return backwardRatio(r.moec, r.moecTrain); }},
    {"openblas_train_ms",
     "train, OpenBLAS: median ms per forward + backward call",
     [](R r, M) { return number(ms(r.openblasTrain)); }},
    {"openblas_train_runs", "train, OpenBLAS: timed calls after one warm-up",
     [](R r, M) { return runs(r.openblasTrain); }},
    {"openblas_bwd_ms", "train, OpenBLAS: openblas_train_ms - openblas_ms",
     [](R r, M) { return number(backwardMs(r.openblas, r.openblasTrain)); }},
    {"openblas_bwd_fwd_ratio", "train, OpenBLAS: openblas_bwd_ms / openblas_ms",
     [](R r, M) { return backwardRatio(r.openblas, r.openblasTrain); }},
    {"speedup_train_vs_openblas", "train: openblas_train_ms / moec_train_ms",
     [](R r, M) { return ratio(ms(r.openblasTrain), ms(r.moecTrain)); }},
    {"speedup_bwd_vs_openblas", "train: openblas_bwd_ms / moec_bwd_ms",
     [](R r, M) {
       return ratio(backwardMs(r.openblas, r.openblasTrain),
                    backwardMs(r.moec, r.moecTrain));
     }},
    {"naive_train_ms",
     "train, f64 reference (reference::layerBackward), one thread: median ms "
     "per forward + backward call, scaled to all tokens when it ran on fewer "
     "(naive_tokens); run only when its f64 weights and gradients fit "
     "--max-gib",
     [](R r, M) { return number(r.naiveTrainScaledMs); }},
    {"speedup_train_vs_naive", "train: naive_train_ms / moec_train_ms",
     [](R r, M) { return ratio(r.naiveTrainScaledMs, ms(r.moecTrain)); }},
    {"err_vs_openblas_worst",
     "train: the result (y, dx, d_router_w, d_w_gate, ...) where "
     "err_vs_openblas is",
     [](R r, M) -> Cell {
       return r.errMoecVsOpenBlasWorst.empty() ? Cell()
                                               : Cell(r.errMoecVsOpenBlasWorst);
     }},
    {"note", "why a case was skipped or failed; remarks",
     [](R r, M) -> Cell { return r.note.empty() ? Cell() : Cell(r.note); }},
};

} // namespace

llvm::ArrayRef<Column> moec::bench::columns() { return kColumns; }

std::string moec::bench::describeColumns() {
  std::string text = "Columns of moe-bench.csv and moe-bench.json (the "
                     "printed table shows a subset):\n";
  for (const Column &column : columns())
    text += llvm::formatv("  {0,-27} {1}\n", column.name, column.help).str();
  return text;
}
