#include "tests/remote/hald_process.h"

#include <signal.h>

#include <fstream>
#include <sstream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace hal::testing {
namespace {

constexpr absl::string_view kListening = "hald: listening on ";

}  // namespace

absl::StatusOr<std::unique_ptr<HaldProcess>> HaldProcess::Start(const Options& options) {
  std::unique_ptr<HaldProcess> hald(new HaldProcess());
  hald->pool_path_ = hald->folder_.Write("pool.json", options.pool_json);
  hald->log_path_ = hald->folder_.path() + "/hald.log";
  const std::string socket = hald->folder_.path() + "/hald.sock";
  ChildProcess::Options child;
  child.argv = {options.hald, "--pool", hald->pool_path_, "--listen", "unix:" + socket};
  if (options.listen_tcp) {
    child.argv.push_back("--listen");
    child.argv.push_back("tcp://127.0.0.1:0");
  }
  child.argv.insert(child.argv.end(), options.extra_arguments.begin(),
                    options.extra_arguments.end());
  child.environment = options.environment;
  child.output_file = hald->log_path_;
  auto process = ChildProcess::Start(child);
  if (!process.ok()) return process.status();
  hald->process_ = *std::move(process);

  const size_t listeners = options.listen_tcp ? 2 : 1;
  const absl::Time deadline = absl::Now() + options.ready_timeout;
  while (!hald->ParseListeningLines(listeners)) {
    if (!hald->process_->Running()) {
      auto ended = hald->process_->Wait(absl::ZeroDuration());
      return absl::FailedPreconditionError(
          absl::StrCat("hald ended (", ended.ok() ? ended->ToString() : ended.status().ToString(),
                       ") before listening; its log:\n", hald->LogTail()));
    }
    if (absl::Now() >= deadline) {
      return absl::DeadlineExceededError(absl::StrCat(
          "hald did not print ", listeners, " \"", kListening, "\" line(s) in ",
          absl::FormatDuration(options.ready_timeout), "; its log:\n", hald->LogTail()));
    }
    absl::SleepFor(absl::Milliseconds(10));
  }
  return hald;
}

bool HaldProcess::ParseListeningLines(size_t listeners) {
  unix_endpoint_.clear();
  tcp_endpoint_.clear();
  size_t found = 0;
  for (absl::string_view line : absl::StrSplit(log(), '\n')) {
    const size_t at = line.find(kListening);
    if (at == absl::string_view::npos) continue;
    const absl::string_view endpoint =
        absl::StripAsciiWhitespace(line.substr(at + kListening.size()));
    if (absl::StartsWith(endpoint, "unix:")) {
      unix_endpoint_ = std::string(endpoint);
      ++found;
    } else if (absl::StartsWith(endpoint, "tcp://")) {
      tcp_endpoint_ = std::string(endpoint);
      ++found;
    }
  }
  return found >= listeners;
}

std::string HaldProcess::log() const {
  std::ifstream file(log_path_, std::ios::binary);
  std::stringstream contents;
  contents << file.rdbuf();
  return contents.str();
}

std::string HaldProcess::LogTail(size_t bytes) const {
  const std::string all = log();
  return all.size() <= bytes ? all : "..." + all.substr(all.size() - bytes);
}

absl::Status HaldProcess::WaitForLog(const std::string& text, absl::Duration timeout) const {
  const absl::Time deadline = absl::Now() + timeout;
  while (!absl::StrContains(log(), text)) {
    if (absl::Now() >= deadline) {
      return absl::DeadlineExceededError(absl::StrCat("hald did not log \"", text, "\" in ",
                                                      absl::FormatDuration(timeout), "; its log:\n",
                                                      LogTail()));
    }
    absl::SleepFor(absl::Milliseconds(10));
  }
  return absl::OkStatus();
}

absl::Status HaldProcess::RewritePool(const std::string& pool_json) {
  std::ofstream file(pool_path_, std::ios::binary | std::ios::trunc);
  file << pool_json;
  file.close();
  if (!file) return absl::InternalError("cannot rewrite " + pool_path_);
  return absl::OkStatus();
}

absl::StatusOr<ExitStatus> HaldProcess::Stop(absl::Duration timeout) {
  // A hald that already ended is not signalled; its status is still returned.
  if (process_->Running()) process_->Signal(SIGTERM).IgnoreError();
  auto ended = process_->Wait(timeout);
  if (!ended.ok()) {
    process_->Signal(SIGKILL).IgnoreError();
    process_->Wait(absl::Seconds(10)).IgnoreError();
    return absl::DeadlineExceededError(
        absl::StrCat(ended.status().message(), " after SIGTERM (killed); its log:\n", LogTail()));
  }
  return ended;
}

absl::Status HaldProcess::StopCleanly(absl::Duration timeout) {
  auto ended = Stop(timeout);
  if (!ended.ok()) return ended.status();
  if (!ended->exited || ended->code != 0) {
    return absl::InternalError(
        absl::StrCat("hald ended with ", ended->ToString(), " on SIGTERM; its log:\n", LogTail()));
  }
  return absl::OkStatus();
}

}  // namespace hal::testing
