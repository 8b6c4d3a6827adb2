//===- JsonWriter.cpp - moe-bench.json ------------------------------------===//

#include "Columns.h"
#include "Report.h"

#include "llvm/Support/JSON.h"

using namespace moec::bench;

namespace {

llvm::json::Value jsonValue(const Cell &cell) {
  if (auto *i = std::get_if<int64_t>(&cell))
    return *i;
  if (auto *d = std::get_if<double>(&cell))
    return *d;
  if (auto *s = std::get_if<std::string>(&cell))
    return *s;
  return nullptr;
}

void writeMachine(llvm::json::OStream &json, const MachineInfo &machine) {
  json.attributeObject("machine", [&] {
    json.attribute("cpu", machine.cpuName);
    json.attribute("isa", machine.isa);
    json.attribute("threads", machine.threads);
    json.attribute("fma_peak_gflops", machine.fmaPeakGflops);
    json.attribute("bandwidth_gbs", machine.bandwidthGBs);
    json.attribute("bandwidth_buffer_bytes",
                   static_cast<int64_t>(machine.bandwidthBufferBytes));
  });
}

void writeRun(llvm::json::OStream &json, const Report &report) {
  const RunInfo &run = report.run;
  json.attribute("date", run.date);
  json.attribute("command", run.commandLine);
  json.attributeObject("settings", [&] {
    json.attribute("target", run.target);
    json.attribute("repeat", run.repeat);
    json.attribute("budget_s", run.budgetSeconds);
    json.attribute("naive_budget_s", run.naiveBudgetSeconds);
    json.attribute("max_gib", run.maxGib);
    json.attribute("seed", static_cast<int64_t>(run.seed));
    json.attribute("cache_flush_bytes", static_cast<int64_t>(run.flushBytes));
  });
  json.attributeObject("openblas", [&] {
    json.attribute("core", report.openblas.core);
    json.attribute("config", report.openblas.config);
    json.attribute("bf16", report.openblas.bf16Mode);
  });
}

} // namespace

llvm::Error moec::bench::writeJson(const Report &report, llvm::StringRef path) {
  auto file = openReportFile(path);
  if (!file)
    return file.takeError();
  llvm::raw_fd_ostream &os = **file;
  llvm::json::OStream json(os, /*IndentSize=*/2);
  json.object([&] {
    json.attribute("tool", "moe-bench");
    writeRun(json, report);
    writeMachine(json, report.machine);
    json.attributeObject("columns", [&] {
      for (const Column &column : columns())
        json.attribute(column.name, column.help);
    });
    json.attributeArray("cases", [&] {
      for (const CaseResult &result : report.cases)
        json.object([&] {
          for (const Column &column : columns())
            json.attribute(column.name,
                           jsonValue(column.value(result, report.machine)));
        });
    });
  });
  os << "\n";
  return llvm::Error::success();
}
