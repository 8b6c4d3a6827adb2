//===- TableWriter.cpp - the printed and the Markdown table ---------------===//

#include "Columns.h"
#include "Report.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FormatVariadic.h"

#include <algorithm>
#include <cstdio>

using namespace moec::bench;

namespace {

std::string tableText(const Cell &cell, int decimals) {
  if (std::holds_alternative<std::monostate>(cell))
    return "-";
  if (auto *i = std::get_if<int64_t>(&cell))
    return std::to_string(*i);
  if (auto *d = std::get_if<double>(&cell)) {
    char text[32];
    if (decimals < 0)
      std::snprintf(text, sizeof text, "%.1e", *d);
    else
      std::snprintf(text, sizeof text, "%.*f", decimals, *d);
    return text;
  }
  return std::get<std::string>(cell);
}

struct Table {
  std::vector<const Column *> columns;
  std::vector<std::vector<std::string>> rows;
  std::vector<size_t> widths;
};

Table buildTable(const Report &report) {
  Table table;
  for (const Column &column : columns())
    if (column.tableHeader) {
      table.columns.push_back(&column);
      table.widths.push_back(std::string(column.tableHeader).size());
    }
  for (const CaseResult &result : report.cases) {
    std::vector<std::string> &row = table.rows.emplace_back();
    for (size_t i = 0; i < table.columns.size(); ++i) {
      const Column &column = *table.columns[i];
      row.push_back(tableText(column.value(result, report.machine),
                              column.tableDecimals));
      table.widths[i] = std::max(table.widths[i], row.back().size());
    }
  }
  return table;
}

/// The first column (the case name) is text; the others are numbers.
void printRow(llvm::raw_ostream &os, const Table &table,
              llvm::ArrayRef<std::string> cells, bool markdown) {
  for (size_t i = 0; i < cells.size(); ++i) {
    os << (markdown ? (i ? " | " : "| ") : (i ? "  " : ""));
    if (i == 0)
      os << llvm::left_justify(cells[i], table.widths[i]);
    else
      os << llvm::right_justify(cells[i], table.widths[i]);
  }
  os << (markdown ? " |\n" : "\n");
}

/// A note on one line: its first line and the lines that name an error
/// (compiler diagnostics quote whole operations on the lines between).
std::string oneLine(llvm::StringRef note) {
  llvm::SmallVector<llvm::StringRef> lines;
  note.split(lines, '\n');
  std::string text = lines.front().trim().str();
  for (llvm::StringRef line : llvm::drop_begin(lines))
    if (line.contains("error:"))
      text += " " + line.trim().str();
  return text;
}

void printNotes(llvm::raw_ostream &os, const Report &report, bool markdown) {
  for (const CaseResult &result : report.cases)
    if (!result.note.empty())
      os << (markdown ? "- `" : "note: ") << result.benchCase.name()
         << (markdown ? "`: " : ": ") << oneLine(result.note) << "\n";
}

void printAll(llvm::raw_ostream &os, const Report &report, bool markdown) {
  Table table = buildTable(report);
  std::vector<std::string> header;
  for (const Column *column : table.columns)
    header.push_back(column->tableHeader);
  printRow(os, table, header, markdown);
  if (markdown) {
    // The case names left-aligned, the numbers right-aligned.
    os << "|";
    for (size_t i = 0; i < table.columns.size(); ++i) {
      std::string dashes(table.widths[i] - 1, '-');
      os << " " << (i ? dashes + ":" : ":" + dashes) << " |";
    }
    os << "\n";
  }
  for (const std::vector<std::string> &row : table.rows)
    printRow(os, table, row, markdown);
  if (markdown)
    os << "\n";
  printNotes(os, report, markdown);
  os << "\n";
  printTargets(os, report, markdown);
}

} // namespace

void moec::bench::printHeader(llvm::raw_ostream &os, const Report &report) {
  const MachineInfo &m = report.machine;
  const RunInfo &run = report.run;
  os << llvm::formatv("machine: {0}, {1} thread(s): f32 FMA peak {2:F1} "
                      "GFLOP/s ({3}), read bandwidth {4:F1} GB/s ({5} MiB "
                      "buffer)\n",
                      m.cpuName, m.threads, m.fmaPeakGflops, m.isa,
                      m.bandwidthGBs, m.bandwidthBufferBytes >> 20);
  os << llvm::formatv("openblas: {0} kernels, {1} thread(s); bf16 cases: {2}\n",
                      report.openblas.core, m.threads,
                      report.openblas.bf16Mode);
  // OPENBLAS_CORETYPE (or an older OpenBLAS on a newer CPU) can hold the
  // library to AVX2 kernels: a baseline weaker than the library can be.
  if (m.isa == "avx512f" && !report.openblas.avx512Kernels)
    os << "openblas: not its AVX-512 kernels on this AVX-512 CPU; "
          "OPENBLAS_CORETYPE=SkylakeX in the environment selects them"
       << (report.openblas.coreTypeOverride.empty()
               ? std::string()
               : " (the environment sets OPENBLAS_CORETYPE=" +
                     report.openblas.coreTypeOverride + ")")
       << "\n";
  os << llvm::formatv("run: {0}; target {1}; median of up to {2} calls after "
                      "a warm-up, fewer past ~{3:F1} s per engine and case; "
                      "naive budget {4:F1} s\n",
                      run.date, run.target, run.repeat, run.budgetSeconds,
                      run.naiveBudgetSeconds);
  if (run.flushBytes)
    os << llvm::formatv("caches: cold; {0} MiB streamed before every moec and "
                        "OpenBLAS call\n",
                        run.flushBytes >> 20);
  else
    os << "caches: warm (--warm-caches); calls back to back\n";
}

void moec::bench::printTable(llvm::raw_ostream &os, const Report &report) {
  printAll(os, report, /*markdown=*/false);
}

llvm::Error moec::bench::writeMarkdown(const Report &report,
                                       llvm::StringRef path) {
  auto file = openReportFile(path);
  if (!file)
    return file.takeError();
  llvm::raw_fd_ostream &os = **file;
  os << "```\n" << report.run.commandLine << "\n```\n\n";
  std::string header;
  llvm::raw_string_ostream headerStream(header);
  printHeader(headerStream, report);
  for (llvm::StringRef line : llvm::split(llvm::StringRef(header).trim(), '\n'))
    os << "- " << line << "\n";
  os << "\n";
  printAll(os, report, /*markdown=*/true);
  return llvm::Error::success();
}
