//===- ReportFile.cpp - opening the files a run writes --------------------===//

#include "Report.h"

#include "llvm/Support/FileSystem.h"

llvm::Expected<std::unique_ptr<llvm::raw_fd_ostream>>
moec::bench::openReportFile(llvm::StringRef path) {
  std::error_code ec;
  auto os =
      std::make_unique<llvm::raw_fd_ostream>(path, ec, llvm::sys::fs::OF_Text);
  if (ec)
    return llvm::createStringError(ec, "cannot write %s: %s",
                                   path.str().c_str(), ec.message().c_str());
  return std::move(os);
}
