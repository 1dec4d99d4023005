#include "conformance/reporting/record_json.h"

#include <cmath>
#include <initializer_list>
#include <optional>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "nlohmann/json.hpp"
#include "runtime/strict_json.h"

namespace hal::cts {
namespace {

using nlohmann::json;

constexpr absl::string_view kTruncationMark = "... (message truncated)";

// Cut at a byte count, possibly inside a UTF-8 sequence: the JSON writer
// replaces the broken tail with U+FFFD.
std::string BoundedMessage(const std::string& message) {
  if (message.size() <= kMaxRecordMessageBytes) return message;
  return absl::StrCat(
      absl::string_view(message).substr(0, kMaxRecordMessageBytes - kTruncationMark.size()),
      kTruncationMark);
}

std::string Dump(const json& value) {
  return value.dump(-1, ' ', false, json::error_handler_t::replace);
}

absl::StatusOr<json> ParseLine(absl::string_view line, absl::string_view what) {
  if (line.size() > kMaxRecordLineBytes) {
    return absl::InvalidArgumentError(absl::StrCat(
        what, " is ", line.size(), " bytes long (at most ", kMaxRecordLineBytes, " accepted)"));
  }
  if (!line.empty() && line.back() == '\n') line.remove_suffix(1);
  if (line.find('\n') != absl::string_view::npos) {
    return absl::InvalidArgumentError(absl::StrCat(what, " holds more than one line"));
  }
  return internal::ParseStrictJson(line, what);
}

// Checks `object` is an object with exactly the keys `keys`, naming the first
// unknown or missing one.
absl::Status CheckExactKeys(const json& object, std::initializer_list<absl::string_view> keys,
                            absl::string_view what) {
  if (!object.is_object()) {
    return absl::InvalidArgumentError(
        absl::StrCat(what, " is not a JSON object but ", object.type_name()));
  }
  if (absl::Status status = internal::CheckKnownKeys(object, keys, what); !status.ok()) {
    return status;
  }
  for (absl::string_view key : keys) {
    if (!object.contains(std::string(key))) {
      return absl::InvalidArgumentError(absl::StrCat(
          what, " has no key \"", key, "\" (needed: ", absl::StrJoin(keys, ", "), ")"));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> StringAt(const json& object, const char* key, absl::string_view what) {
  const json& value = object.at(key);
  if (!value.is_string()) {
    return absl::InvalidArgumentError(
        absl::StrCat(what, ": \"", key, "\" is ", value.type_name(), ", not a string"));
  }
  return value.get<std::string>();
}

// The enum value named by the string at `key` of a test record.
template <typename Enum>
absl::StatusOr<Enum> NamedValueAt(const json& object, const char* key,
                                  std::optional<Enum> (*from_name)(absl::string_view)) {
  absl::StatusOr<std::string> name = StringAt(object, key, "test record");
  if (!name.ok()) return name.status();
  std::optional<Enum> value = from_name(*name);
  if (!value) {
    return absl::InvalidArgumentError(
        absl::StrCat("test record: unknown \"", key, "\" \"", *name, "\""));
  }
  return *value;
}

absl::StatusOr<TestRecord> TestRecordFromJson(const json& object) {
  constexpr absl::string_view kWhat = "test record";
  if (absl::Status status = CheckExactKeys(
          object, {"name", "device", "group", "outcome", "skip_kind", "message", "seconds"}, kWhat);
      !status.ok()) {
    return status;
  }
  TestRecord record;
  for (auto [key, field] :
       {std::pair{"name", &record.name}, std::pair{"device", &record.device},
        std::pair{"group", &record.group}, std::pair{"message", &record.message}}) {
    absl::StatusOr<std::string> value = StringAt(object, key, kWhat);
    if (!value.ok()) return value.status();
    *field = *std::move(value);
  }
  if (record.name.empty()) return absl::InvalidArgumentError("test record: \"name\" is empty");

  absl::StatusOr<TestOutcome> outcome = NamedValueAt(object, "outcome", OutcomeFromName);
  if (!outcome.ok()) return outcome.status();
  record.outcome = *outcome;
  absl::StatusOr<SkipKind> skip_kind = NamedValueAt(object, "skip_kind", SkipKindFromName);
  if (!skip_kind.ok()) return skip_kind.status();
  if ((record.outcome == TestOutcome::kSkipped) != (*skip_kind != SkipKind::kNone)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "test record: \"skip_kind\" \"", SkipKindName(*skip_kind), "\" on a test that ",
        record.outcome == TestOutcome::kSkipped ? "was" : "was not", " skipped"));
  }
  record.skip_kind = *skip_kind;

  const json& seconds = object.at("seconds");
  if (!seconds.is_number()) {
    return absl::InvalidArgumentError(
        absl::StrCat("test record: \"seconds\" is ", seconds.type_name(), ", not a number"));
  }
  record.seconds = seconds.get<double>();
  if (!std::isfinite(record.seconds) || record.seconds < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("test record: \"seconds\" is ", record.seconds, ", not a duration"));
  }
  return record;
}

absl::StatusOr<DeviceRecord> DeviceRecordFromJson(const json& object) {
  constexpr absl::string_view kWhat = "device record";
  if (absl::Status status = CheckExactKeys(
          object, {"id", "driver", "driver_version", "abi_version", "name", "vendor", "uuid"},
          kWhat);
      !status.ok()) {
    return status;
  }
  DeviceRecord record;
  for (auto [key, field] :
       {std::pair{"id", &record.id}, std::pair{"driver", &record.driver},
        std::pair{"driver_version", &record.driver_version},
        std::pair{"abi_version", &record.abi_version}, std::pair{"name", &record.name},
        std::pair{"vendor", &record.vendor}, std::pair{"uuid", &record.uuid}}) {
    absl::StatusOr<std::string> value = StringAt(object, key, kWhat);
    if (!value.ok()) return value.status();
    *field = *std::move(value);
  }
  if (record.id.empty() || record.driver.empty()) {
    return absl::InvalidArgumentError("device record: \"id\" and \"driver\" must not be empty");
  }
  return record;
}

}  // namespace

std::string TestRecordToJsonLine(const TestRecord& record) {
  return Dump(json{{"name", record.name},
                   {"device", record.device},
                   {"group", record.group},
                   {"outcome", OutcomeName(record.outcome)},
                   {"skip_kind", SkipKindName(record.skip_kind)},
                   {"message", BoundedMessage(record.message)},
                   {"seconds", std::isfinite(record.seconds) ? record.seconds : 0.0}});
}

absl::StatusOr<TestRecord> TestRecordFromJsonLine(absl::string_view line) {
  absl::StatusOr<json> parsed = ParseLine(line, "test record");
  if (!parsed.ok()) return parsed.status();
  return TestRecordFromJson(*parsed);
}

std::string DeviceRecordsToJsonLine(const std::vector<DeviceRecord>& devices) {
  json array = json::array();
  for (const DeviceRecord& device : devices) {
    array.push_back({{"id", device.id},
                     {"driver", device.driver},
                     {"driver_version", device.driver_version},
                     {"abi_version", device.abi_version},
                     {"name", device.name},
                     {"vendor", device.vendor},
                     {"uuid", device.uuid}});
  }
  return Dump(array);
}

absl::StatusOr<std::vector<DeviceRecord>> DeviceRecordsFromJsonLine(absl::string_view line) {
  absl::StatusOr<json> parsed = ParseLine(line, "device list");
  if (!parsed.ok()) return parsed.status();
  if (!parsed->is_array()) {
    return absl::InvalidArgumentError(
        absl::StrCat("device list is not a JSON array but ", parsed->type_name()));
  }
  if (parsed->size() > kMaxDeviceRecords) {
    return absl::InvalidArgumentError(absl::StrCat(
        "device list has ", parsed->size(), " devices (at most ", kMaxDeviceRecords, " accepted)"));
  }
  std::vector<DeviceRecord> devices;
  for (const json& object : *parsed) {
    absl::StatusOr<DeviceRecord> device = DeviceRecordFromJson(object);
    if (!device.ok()) return device.status();
    devices.push_back(*std::move(device));
  }
  return devices;
}

}  // namespace hal::cts
