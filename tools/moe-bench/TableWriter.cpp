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

/// A column of a printed table: which report column, under which header.
struct TableColumn {
  const Column *column;
  const char *header;
  int decimals;
};

struct Table {
  std::vector<TableColumn> columns;
  std::vector<std::vector<std::string>> rows;
  std::vector<size_t> widths;
};

/// The train table's columns (the report columns named, in this order):
/// forward, forward + backward and backward of each engine side by side.
struct TrainTableColumn {
  const char *name, *header;
  int decimals;
};
const TrainTableColumn kTrainTable[] = {
    {"case", "case", 0},
    {"grad_compile_ms", "grad compile ms", 0},
    {"moec_ms", "fwd ms", 2},
    {"moec_train_ms", "fwd+bwd ms", 2},
    {"moec_bwd_ms", "bwd ms", 2},
    {"moec_bwd_fwd_ratio", "bwd/fwd", 2},
    {"moec_train_gflops", "GFLOP/s", 1},
    {"openblas_ms", "blas fwd", 2},
    {"openblas_train_ms", "blas fwd+bwd", 2},
    {"openblas_bwd_ms", "blas bwd", 2},
    {"openblas_bwd_fwd_ratio", "blas bwd/fwd", 2},
    {"speedup_train_vs_openblas", "x blas", 2},
    {"speedup_bwd_vs_openblas", "x blas bwd", 2},
    {"naive_train_ms", "naive fwd+bwd", 1},
    {"naive_basis", "naive basis", 0},
    {"err_vs_openblas", "err blas", -1},
    {"err_vs_reference", "err ref", -1},
};

const Column *findColumn(llvm::StringRef name) {
  for (const Column &column : columns())
    if (name == column.name)
      return &column;
  return nullptr;
}

/// The main table: every column with a table header, the cases that are
/// not train cases; the train table: kTrainTable, the train cases.
Table buildTable(const Report &report, bool train) {
  Table table;
  if (train) {
    for (const TrainTableColumn &entry : kTrainTable)
      if (const Column *column = findColumn(entry.name))
        table.columns.push_back({column, entry.header, entry.decimals});
  } else {
    for (const Column &column : columns())
      if (column.tableHeader)
        table.columns.push_back(
            {&column, column.tableHeader, column.tableDecimals});
  }
  for (const TableColumn &column : table.columns)
    table.widths.push_back(std::string(column.header).size());
  for (const CaseResult &result : report.cases) {
    if (result.benchCase.isTrain() != train)
      continue;
    std::vector<std::string> &row = table.rows.emplace_back();
    for (size_t i = 0; i < table.columns.size(); ++i) {
      const TableColumn &column = table.columns[i];
      row.push_back(tableText(column.column->value(result, report.machine),
                              column.decimals));
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

void printTableRows(llvm::raw_ostream &os, const Table &table, bool markdown) {
  std::vector<std::string> header;
  for (const TableColumn &column : table.columns)
    header.push_back(column.header);
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
  Table layers = buildTable(report, /*train=*/false);
  Table train = buildTable(report, /*train=*/true);
  if (!layers.rows.empty())
    printTableRows(os, layers, markdown);
  if (!train.rows.empty()) {
    if (!layers.rows.empty())
      os << "\n";
    os << (markdown ? "Train cases: " : "train cases: ")
       << "forward (fwd) and forward + backward (fwd+bwd) in the same run; "
          "bwd = fwd+bwd - fwd; moec without prepared weights\n";
    if (markdown)
      os << "\n";
    printTableRows(os, train, markdown);
  }
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
