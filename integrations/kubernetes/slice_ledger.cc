#include "integrations/kubernetes/slice_ledger.h"

#include <algorithm>

#include "absl/strings/str_cat.h"

namespace hal::kubernetes {
namespace {

bool Intersects(const std::set<int>& a, const std::set<int>& b) {
  return std::any_of(a.begin(), a.end(), [&](int slice) { return b.count(slice) != 0; });
}

}  // namespace

absl::Status SliceLedger::Assign(const std::string& virtual_device, const std::set<int>& slices,
                                 absl::Time since) {
  if (slices.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("virtual device ", virtual_device, " would hold no slices"));
  }
  if (holdings_.count(virtual_device) != 0) {
    return absl::AlreadyExistsError(
        absl::StrCat("virtual device ", virtual_device, " already holds slices"));
  }
  for (const auto& [name, holding] : holdings_) {
    if (Intersects(holding.slices, slices)) {
      return absl::FailedPreconditionError(
          absl::StrCat("virtual device ", name, " already holds slices asked for ",
                       virtual_device));
    }
  }
  holdings_.emplace(virtual_device, Holding{slices, since});
  return absl::OkStatus();
}

absl::Status SliceLedger::Release(absl::string_view virtual_device) {
  auto it = holdings_.find(virtual_device);
  if (it == holdings_.end()) {
    return absl::NotFoundError(
        absl::StrCat("virtual device ", virtual_device, " holds no slices"));
  }
  holdings_.erase(it);
  return absl::OkStatus();
}

std::vector<std::string> SliceLedger::HoldersOf(const std::set<int>& slices) const {
  std::vector<std::string> holders;
  for (const auto& [name, holding] : holdings_) {
    if (Intersects(holding.slices, slices)) holders.push_back(name);
  }
  return holders;
}

std::vector<std::string> SliceLedger::Unused(const std::set<int>& in_use,
                                             absl::Time held_before) const {
  std::vector<std::string> unused;
  for (const auto& [name, holding] : holdings_) {
    if (holding.since < held_before && !Intersects(holding.slices, in_use)) {
      unused.push_back(name);
    }
  }
  return unused;
}

}  // namespace hal::kubernetes
