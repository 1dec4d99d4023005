// HAL_DEVICE_SELECTOR: one syntax for the runtime, hal-info and hal-cts.
//
//   selector := term ("," term)*
//   term     := ["!"] driver [":" which]
//   driver   := a driver name, or "*" for every driver
//   which    := "*" | index | uuid      (uuid: 8-4-4-4-12 hex digits)
//
// A device is selected when it matches some positive term (or there is none)
// and no "!" term. "cuda:0,vulkan:*" takes the first CUDA device and every
// Vulkan one; "!cpu" takes every device but CPUs.
#ifndef HAL_SELECTOR_H_
#define HAL_SELECTOR_H_

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "hal/export.h"

namespace hal {

class HAL_API DeviceSelector {
 public:
  // Everything; what an empty or unset HAL_DEVICE_SELECTOR means.
  DeviceSelector() = default;
  // InvalidArgument naming the term and what is wrong with it.
  static absl::StatusOr<DeviceSelector> Parse(absl::string_view text);

  bool Matches(absl::string_view driver, uint32_t index, const std::array<uint8_t, 16>& uuid) const;
  // Whether any device of `driver` can match (lets the runtime skip loading).
  bool MayMatchDriver(absl::string_view driver) const;

  // A device the drivers found, selected or not.
  struct Candidate {
    std::string driver;
    uint32_t index = 0;
    std::array<uint8_t, 16> uuid{};
  };
  // One sentence for each positive term that matches none of `found`, saying
  // what exists instead: "\"cuda:0\" matches no device: no driver \"cuda\" has
  // a device; the devices found are cpu:0, vulkan:0" (hal-info lists why a
  // driver is unavailable). Empty when every positive term matched.
  std::vector<std::string> ExplainUnmatched(const std::vector<Candidate>& found) const;
  const std::string& text() const { return text_; }

 private:
  struct Term {
    std::string text;  // as written, for messages
    bool negated = false;
    std::string driver;  // "*" for any
    enum class Which { kAll, kIndex, kUuid } which = Which::kAll;
    uint32_t index = 0;
    std::array<uint8_t, 16> uuid{};
  };
  static bool TermMatches(const Term& term, absl::string_view driver, uint32_t index,
                          const std::array<uint8_t, 16>& uuid);
  std::vector<Term> terms_;
  std::string text_;
};

// Formats a UUID as lower-case 8-4-4-4-12 hex; parses that form back.
HAL_API std::string FormatUuid(const std::array<uint8_t, 16>& uuid);
HAL_API std::optional<std::array<uint8_t, 16>> ParseUuid(absl::string_view text);

}  // namespace hal

#endif  // HAL_SELECTOR_H_
