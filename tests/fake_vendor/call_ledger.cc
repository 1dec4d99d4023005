#include "tests/fake_vendor/call_ledger.h"

#include <cstdio>
#include <utility>

namespace hal::fake {

std::optional<int> CallLedger::OnCall(absl::string_view function) {
  std::lock_guard lock(mutex_);
  auto count = counts_.find(function);
  if (count == counts_.end()) count = counts_.emplace(std::string(function), 0).first;
  ++count->second;
  const auto nth = nth_failures_.find({count->first, count->second});
  if (nth != nth_failures_.end()) {
    const int result = nth->second;
    nth_failures_.erase(nth);
    return result;
  }
  const auto failure = failures_.find(function);
  if (failure == failures_.end()) return std::nullopt;
  const int result = failure->second.result;
  if (--failure->second.remaining <= 0) failures_.erase(failure);
  return result;
}

void CallLedger::FailNext(absl::string_view function, int result, int count) {
  std::lock_guard lock(mutex_);
  if (count <= 0) {
    failures_.erase(std::string(function));
    return;
  }
  failures_[std::string(function)] = {result, count};
}

void CallLedger::FailCall(absl::string_view function, int result, uint64_t nth) {
  std::lock_guard lock(mutex_);
  nth_failures_[{std::string(function), nth}] = result;
}

uint64_t CallLedger::CallCount(absl::string_view function) const {
  std::lock_guard lock(mutex_);
  const auto it = counts_.find(function);
  return it == counts_.end() ? 0 : it->second;
}

void CallLedger::RecordViolation(std::string why) {
  // A refusal the caller may not surface in full: stderr keeps it in the
  // test's log too.
  std::fprintf(stderr, "fake vendor library: %s\n", why.c_str());
  std::lock_guard lock(mutex_);
  last_violation_ = std::move(why);
}

const char* CallLedger::last_violation() const {
  std::lock_guard lock(mutex_);
  return last_violation_.c_str();
}

void CallLedger::Reset() {
  std::lock_guard lock(mutex_);
  counts_.clear();
  failures_.clear();
  nth_failures_.clear();
  last_violation_.clear();
}

}  // namespace hal::fake
