//===- PlotWriter.cpp - moe-bench.png through gnuplot ---------------------===//

#include "Report.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/ScopeExit.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Program.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

using namespace moec::bench;

namespace {

/// gnuplot string literal in double quotes.
std::string quoted(llvm::StringRef text) {
  std::string result = "\"";
  for (char c : text)
    if (c != '"' && c != '\\')
      result += c;
  return result + "\"";
}

std::string value(const std::optional<double> &ms) {
  if (!ms || !std::isfinite(*ms))
    return "NaN";
  char text[32];
  std::snprintf(text, sizeof text, "%.6g", *ms);
  return text;
}

std::string plotScript(const Report &report, llvm::StringRef path) {
  std::string script;
  llvm::raw_string_ostream os(script);
  const MachineInfo &m = report.machine;
  // Wide enough for every case's bars and rotated label.
  size_t width = std::max<size_t>(1000, 300 + 60 * report.cases.size());
  os << "set terminal pngcairo size " << width << ",800 font 'sans,9'\n"
     << "set output " << quoted(path) << "\n"
     << "set title "
     << quoted(llvm::formatv("moe-bench {0}: median ms per call, log scale. "
                             "{1}, {2} thread(s), FMA peak {3:F0} GFLOP/s, "
                             "{4:F0} GB/s",
                             report.run.date, m.cpuName, m.threads,
                             m.fmaPeakGflops, m.bandwidthGBs)
                   .str())
     << "\n"
     << "set style data histograms\n"
     << "set style histogram clustered gap 1\n"
     << "set style fill solid 0.8 border -1\n"
     << "set logscale y\n"
     << "set ylabel 'ms per call'\n"
     << "set xtics rotate by -40 scale 0 noenhanced\n"
     << "set key outside top center horizontal noenhanced\n"
     << "set grid ytics\n"
     << "set bmargin 12\n"
     << "set rmargin 14\n"
     << "$data << EOD\n";
  auto ms = [](const std::optional<Timing> &t) {
    return t ? std::optional<double>(t->medianMs) : std::nullopt;
  };
  // gnuplot fails on a series without a single value, so only engines that
  // ran get one.
  bool has[3] = {false, false, false};
  for (const CaseResult &r : report.cases) {
    // Train cases: forward + backward.
    bool train = r.benchCase.isTrain();
    std::optional<double> values[3] = {ms(train ? r.moecTrain : r.moec),
                                       ms(train ? r.openblasTrain : r.openblas),
                                       train ? r.naiveTrainScaledMs
                                             : r.naiveScaledMs};
    if (!values[0] && !values[1] && !values[2])
      continue;
    os << quoted(r.benchCase.name() + (train ? " fwd+bwd" : ""));
    for (int i = 0; i < 3; ++i) {
      os << " " << value(values[i]);
      has[i] |= value(values[i]) != "NaN";
    }
    os << "\n";
  }
  os << "EOD\n";
  const char *titles[3] = {
      "moec", "OpenBLAS sgemm loop",
      "naive f64 reference (extrapolated for long prefills)"};
  llvm::ListSeparator plots(", ");
  os << "plot ";
  for (int i = 0; i < 3; ++i)
    if (has[i])
      os << plots << "$data using " << i + 2 << ":xtic(1) title '" << titles[i]
         << "'";
  os << "\n";
  return script;
}

} // namespace

llvm::Expected<bool> moec::bench::writePlot(const Report &report,
                                            llvm::StringRef path) {
  auto gnuplot = llvm::sys::findProgramByName("gnuplot");
  if (!gnuplot)
    return false;
  if (llvm::none_of(report.cases, [](const CaseResult &r) {
        return r.moec || r.openblas || r.naiveScaledMs || r.moecTrain ||
               r.openblasTrain || r.naiveTrainScaledMs;
      }))
    return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                   "no case has a time to plot");

  llvm::SmallString<128> scriptPath, logPath;
  int scriptFd;
  if (std::error_code ec = llvm::sys::fs::createTemporaryFile(
          "moe-bench", "gp", scriptFd, scriptPath))
    return llvm::createStringError(ec, "cannot create a gnuplot script: %s",
                                   ec.message().c_str());
  llvm::scope_exit removeScript([&] { llvm::sys::fs::remove(scriptPath); });
  {
    llvm::raw_fd_ostream script(scriptFd, /*shouldClose=*/true);
    script << plotScript(report, path);
  }
  if (std::error_code ec =
          llvm::sys::fs::createTemporaryFile("moe-bench", "log", logPath))
    return llvm::createStringError(ec, "cannot create a gnuplot log: %s",
                                   ec.message().c_str());
  llvm::scope_exit removeLog([&] { llvm::sys::fs::remove(logPath); });

  // A plot left from an earlier run must not pass for this one's.
  llvm::sys::fs::remove(path);
  std::optional<llvm::StringRef> redirects[] = {std::nullopt, logPath.str(),
                                                logPath.str()};
  std::string message;
  int status =
      llvm::sys::ExecuteAndWait(*gnuplot, {*gnuplot, scriptPath}, std::nullopt,
                                redirects, 0, 0, &message);
  uint64_t size = 0;
  if (status != 0 || llvm::sys::fs::file_size(path, size) || size == 0) {
    auto log = llvm::MemoryBuffer::getFile(logPath);
    return llvm::createStringError(
        llvm::inconvertibleErrorCode(), "gnuplot failed (%s): %s",
        message.empty() ? ("exit status " + std::to_string(status)).c_str()
                        : message.c_str(),
        log ? (*log)->getBuffer().trim().str().c_str() : "");
  }
  return true;
}
