//===- CsvWriter.cpp - moe-bench.csv --------------------------------------===//

#include "Columns.h"
#include "Report.h"

#include "llvm/ADT/StringExtras.h"

#include <cstdio>

using namespace moec::bench;

namespace {

/// RFC 4180: quote fields holding a separator, a quote or a line break.
std::string csvField(const Cell &cell) {
  if (std::holds_alternative<std::monostate>(cell))
    return "";
  if (auto *i = std::get_if<int64_t>(&cell))
    return std::to_string(*i);
  if (auto *d = std::get_if<double>(&cell)) {
    char text[32];
    std::snprintf(text, sizeof text, "%.6g", *d);
    return text;
  }
  const std::string &text = std::get<std::string>(cell);
  if (text.find_first_of(",\"\n") == std::string::npos)
    return text;
  std::string quoted = "\"";
  for (char c : text)
    quoted += c == '"' ? std::string("\"\"") : std::string(1, c);
  return quoted + "\"";
}

} // namespace

llvm::Error moec::bench::writeCsv(const Report &report, llvm::StringRef path) {
  auto file = openReportFile(path);
  if (!file)
    return file.takeError();
  llvm::raw_fd_ostream &os = **file;
  llvm::ListSeparator header(",");
  for (const Column &column : columns())
    os << header << column.name;
  os << "\n";
  for (const CaseResult &result : report.cases) {
    llvm::ListSeparator row(",");
    for (const Column &column : columns())
      os << row << csvField(column.value(result, report.machine));
    os << "\n";
  }
  return llvm::Error::success();
}
