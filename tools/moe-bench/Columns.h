//===- Columns.h - the columns of every report ------------------*- C++ -*-===//
//
// One list defines what the CSV, the JSON, the tables and `--help` show, so
// that they cannot drift apart.
//
//===----------------------------------------------------------------------===//

#ifndef MOEC_TOOLS_MOEBENCH_COLUMNS_H
#define MOEC_TOOLS_MOEBENCH_COLUMNS_H

#include "CaseResult.h"
#include "Machine.h"

#include "llvm/ADT/ArrayRef.h"

#include <cstdint>
#include <string>
#include <variant>

namespace moec::bench {

/// A missing value (std::monostate) is an empty CSV field, a JSON null and
/// "-" in tables.
using Cell = std::variant<std::monostate, int64_t, double, std::string>;

struct Column {
  const char *name;
  const char *help;
  Cell (*value)(const CaseResult &result, const MachineInfo &machine);
  /// Header in the printed tables; null when the column is in the files
  /// only.
  const char *tableHeader = nullptr;
  /// Digits after the decimal point of a double in the printed tables.
  int tableDecimals = 1;
};

llvm::ArrayRef<Column> columns();

/// "name  help" lines for --help.
std::string describeColumns();

} // namespace moec::bench

#endif // MOEC_TOOLS_MOEBENCH_COLUMNS_H
