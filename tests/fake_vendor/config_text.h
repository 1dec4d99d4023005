// The configuration text of a fake vendor library: "key=v0,v1;key2=v" with
// one unsigned value per device in each list (a single value applies to every
// device). Read from a control call and from an environment variable, so it
// is parsed as untrusted text: every malformed piece is an error that names it.
#ifndef HAL_TESTS_FAKE_VENDOR_CONFIG_TEXT_H_
#define HAL_TESTS_FAKE_VENDOR_CONFIG_TEXT_H_

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace hal::fake {

class ConfigText {
 public:
  // Keys outside `known_keys` are refused (a typo must not pass silently).
  static absl::StatusOr<ConfigText> Parse(absl::string_view text,
                                          const std::vector<std::string>& known_keys);

  // The value of `key` for `device`: its entry in the list, the only entry of
  // a one-element list, or `fallback` when the key is absent.
  // OutOfRange when the list has several entries but none for `device`.
  absl::StatusOr<uint64_t> ValueFor(absl::string_view key, uint32_t device,
                                    uint64_t fallback) const;
  bool Has(absl::string_view key) const;

 private:
  std::map<std::string, std::vector<uint64_t>, std::less<>> values_;
};

}  // namespace hal::fake

#endif  // HAL_TESTS_FAKE_VENDOR_CONFIG_TEXT_H_
