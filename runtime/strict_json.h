// JSON files the project reads (driver manifests, pool files, hal-cts's
// expected failures, hal-pack's kernel manifests) parsed one way: a duplicate
// key is an error, not "the last one wins" (a second "compute_share" would
// silently replace the first), nesting is bounded, and a syntax error names
// its line and column.
#ifndef HAL_RUNTIME_STRICT_JSON_H_
#define HAL_RUNTIME_STRICT_JSON_H_

#include <cstdint>
#include <initializer_list>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "nlohmann/json.hpp"

namespace hal::internal {

// Deeper nesting than any of the project's files has; bounded so that a
// hostile file cannot exhaust the stack of whoever walks or frees the tree.
inline constexpr int kMaxJsonDepth = 32;

// InvalidArgument "<where>: <problem>" for invalid JSON, a duplicate key
// (named with its path) or nesting past kMaxJsonDepth.
absl::StatusOr<nlohmann::json> ParseStrictJson(absl::string_view text, absl::string_view where);

// ReadRegularFile (at most kMaxJsonFileBytes) then ParseStrictJson; `what`
// names the kind of file ("pool file") in every message.
absl::StatusOr<nlohmann::json> ReadStrictJsonFile(const std::string& path, absl::string_view what);

// InvalidArgument "<where> has an unknown key "k" (known: a, b)" for the first
// key of `object` not among `known`.
absl::Status CheckKnownKeys(const nlohmann::json& object,
                            std::initializer_list<absl::string_view> known,
                            absl::string_view where);

}  // namespace hal::internal

#endif  // HAL_RUNTIME_STRICT_JSON_H_
