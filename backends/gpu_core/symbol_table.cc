#include "backends/gpu_core/symbol_table.h"

#include <algorithm>
#include <cstring>

namespace hal::gpu {
namespace {

void Store(void* slot, void* entry_point) { std::memcpy(slot, &entry_point, sizeof(entry_point)); }

void* Resolve(const SymbolSpec& spec, const SymbolResolver& resolver) {
  void* entry_point = nullptr;
  ResolveStatus status = resolver(spec.name, spec.version, &entry_point);
  if (status == ResolveStatus::kVersionNotSufficient && spec.fallback_version != 0) {
    status = resolver(spec.name, spec.fallback_version, &entry_point);
  }
  return status == ResolveStatus::kFound ? entry_point : nullptr;
}

template <typename T>
void AddOnce(std::vector<T>& list, const T& value) {
  if (std::find(list.begin(), list.end(), value) == list.end()) list.push_back(value);
}

}  // namespace

bool SymbolResolution::HasGroup(std::string_view group) const {
  return std::find(missing_groups.begin(), missing_groups.end(), group) == missing_groups.end();
}

std::string SymbolResolution::MissingRequiredList() const {
  std::string list;
  for (const std::string& name : missing_required) {
    if (!list.empty()) list += ", ";
    list += name;
  }
  return list;
}

SymbolResolution ResolveSymbols(std::span<const SymbolSpec> specs, const SymbolResolver& resolver) {
  SymbolResolution resolution;
  for (const SymbolSpec& spec : specs) {
    void* entry_point = Resolve(spec, resolver);
    Store(spec.slot, entry_point);
    if (entry_point != nullptr) continue;
    if (spec.group == nullptr) {
      resolution.missing_required.emplace_back(spec.name);
    } else {
      AddOnce(resolution.missing_groups, std::string(spec.group));
      resolution.missing_optional.emplace_back(spec.name);
    }
  }
  // A group is all-or-nothing: null the members that were found.
  for (const SymbolSpec& spec : specs) {
    if (spec.group != nullptr && !resolution.HasGroup(spec.group)) Store(spec.slot, nullptr);
  }
  return resolution;
}

}  // namespace hal::gpu
