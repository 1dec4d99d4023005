// Resolving a vendor library's entry points by name and pinned API version
// (cuGetProcAddress_v2, hipGetProcAddress), for every GPU driver. The driver
// lists each function once with its version and whether it is required or
// belongs to an optional group (green contexts, virtual memory); a group is
// all-or-nothing, so a driver never sees half of a feature.
#ifndef HAL_BACKENDS_GPU_CORE_SYMBOL_TABLE_H_
#define HAL_BACKENDS_GPU_CORE_SYMBOL_TABLE_H_

#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace hal::gpu {

enum class ResolveStatus {
  kFound,
  kNotFound,              // the library does not know the name
  kVersionNotSufficient,  // the name exists only in a later version than asked
};

// Looks `name` up at API `version`; on kFound stores the entry point in *out.
using SymbolResolver = std::function<ResolveStatus(const char* name, int version, void** out)>;

struct SymbolSpec {
  const char* name;      // the plain name ("cuMemAlloc"), never a _v2 spelling
  int version;           // the pinned API version asked for
  int fallback_version;  // asked when `version` is not sufficient; 0: none
  const char* group;     // nullptr: required; otherwise an optional group's name
  // Where the entry point goes: the address of a function pointer variable.
  // Written with memcpy, so any function-pointer type fits.
  void* slot;
};

struct SymbolResolution {
  std::vector<std::string> missing_required;  // names of required functions not found
  std::vector<std::string> missing_groups;    // optional groups left out (slots nulled)
  std::vector<std::string> missing_optional;  // the optional functions that caused that

  bool complete() const { return missing_required.empty(); }
  bool HasGroup(std::string_view group) const;
  // "cuMemAlloc, cuMemFree" for the unavailable-driver message.
  std::string MissingRequiredList() const;
};

// Resolves every spec. A required function missing is listed (all of them,
// not just the first); an optional group with any member missing has all of
// its slots set to null and is listed.
SymbolResolution ResolveSymbols(std::span<const SymbolSpec> specs, const SymbolResolver& resolver);

}  // namespace hal::gpu

#endif  // HAL_BACKENDS_GPU_CORE_SYMBOL_TABLE_H_
