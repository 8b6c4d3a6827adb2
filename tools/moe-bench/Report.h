//===- Report.h - everything a run writes -----------------------*- C++ -*-===//

#ifndef MOEC_TOOLS_MOEBENCH_REPORT_H
#define MOEC_TOOLS_MOEBENCH_REPORT_H

#include "CaseResult.h"
#include "Machine.h"
#include "OpenBlasEngine.h"

#include "llvm/Support/Error.h"
#include "llvm/Support/raw_ostream.h"

#include <memory>
#include <string>
#include <vector>

namespace moec::bench {

/// The settings a run used, recorded so that its numbers can be reproduced.
struct RunInfo {
  std::string date; ///< UTC, ISO 8601
  std::string commandLine;
  std::string target;
  unsigned repeat = 0;
  double budgetSeconds = 0;
  double naiveBudgetSeconds = 0;
  double maxGib = 0;
  uint64_t seed = 0;
  /// Bytes streamed before every timed call to empty the caches; 0 with
  /// --warm-caches.
  uint64_t flushBytes = 0;
};

struct Report {
  MachineInfo machine;
  OpenBlasInfo openblas;
  RunInfo run;
  std::vector<CaseResult> cases;
};

/// The machine and settings in a few lines of text.
void printHeader(llvm::raw_ostream &os, const Report &report);
/// The table of the columns that have a table header, aligned.
void printTable(llvm::raw_ostream &os, const Report &report);

/// The performance targets, each against the cases it applies to
/// (Targets.cpp), as text or as a Markdown table.
void printTargets(llvm::raw_ostream &os, const Report &report, bool markdown);

/// `path` opened for writing a report (text), or an error naming it.
llvm::Expected<std::unique_ptr<llvm::raw_fd_ostream>>
openReportFile(llvm::StringRef path);

llvm::Error writeCsv(const Report &report, llvm::StringRef path);
llvm::Error writeJson(const Report &report, llvm::StringRef path);
/// The header and table as Markdown, for docs/performance.md.
llvm::Error writeMarkdown(const Report &report, llvm::StringRef path);
/// A grouped bar chart of the ms per case of each engine, drawn by gnuplot
/// (pngcairo). Returns false, writing nothing, when gnuplot is not on PATH.
llvm::Expected<bool> writePlot(const Report &report, llvm::StringRef path);

} // namespace moec::bench

#endif // MOEC_TOOLS_MOEBENCH_REPORT_H
