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
     "dispatched rows: gate and up grouped GEMMs, SwiGLU, down grouped GEMM)",
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
     "2*T*3*H*S (gemm: experts only); element-wise work not counted",
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
    {"moec_ms", "moec: median ms per call (Kernel::run with packed weights)",
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
    {"openblas_ms", "OpenBLAS sgemm expert loop: median ms per call",
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
    {"naive_tokens", "tokens the reference ran on",
     [](R r, M) -> Cell { return r.naive ? Cell(r.naiveTokens) : Cell(); }},
    {"naive_basis", "measured, or extrapolated from T'=<naive_tokens>",
     [](R r, M) -> Cell {
       if (!r.naive)
         return std::monostate();
       if (r.naiveTokens == r.benchCase.tokens)
         return std::string("measured");
       return llvm::formatv("extrapolated from T'={0}", r.naiveTokens).str();
     },
     "naive basis"},
    {"naive_runs", "reference: timed calls after the one-token warm-up",
     [](R r, M) { return runs(r.naive); }},
    {"speedup_vs_naive", "naive_ms / moec_ms",
     [](R r, M) { return ratio(r.naiveScaledMs, ms(r.moec)); }, "x naive", 1},
    {"err_vs_reference",
     "max relative error of moec against the f64 reference (first "
     "naive_tokens rows)",
     [](R r, M) { return number(r.errMoecVsReference); }, "err ref", -1},
    {"err_vs_openblas", "max relative error of moec against OpenBLAS",
     [](R r, M) { return number(r.errMoecVsOpenBlas); }},
    {"err_openblas_vs_reference",
     "max relative error of OpenBLAS against the reference",
     [](R r, M) { return number(r.errOpenBlasVsReference); }},
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
