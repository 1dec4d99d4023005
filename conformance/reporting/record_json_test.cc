#include "conformance/reporting/record_json.h"

#include <limits>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"

namespace hal::cts {
namespace {

using ::testing::HasSubstr;

TestRecord FailedRecord() {
  TestRecord record;
  record.name = "Copy.HostToDeviceToHost/cpu_0";
  record.device = "cpu:0";
  record.group = "Copy/cpu_0";
  record.outcome = TestOutcome::kFailed;
  record.message = "copy_test.cc:12: byte 3 is 0x7f\nexpected 0x00 \"quoted\"";
  record.seconds = 0.25;
  return record;
}

void ExpectSameRecord(const TestRecord& expected, const TestRecord& actual) {
  EXPECT_EQ(expected.name, actual.name);
  EXPECT_EQ(expected.device, actual.device);
  EXPECT_EQ(expected.group, actual.group);
  EXPECT_EQ(expected.outcome, actual.outcome);
  EXPECT_EQ(expected.skip_kind, actual.skip_kind);
  EXPECT_EQ(expected.message, actual.message);
  EXPECT_DOUBLE_EQ(expected.seconds, actual.seconds);
}

// The line FailedRecord gives with `key` set to `value` (or removed when
// `value` is discarded).
std::string LineWith(const char* key, const nlohmann::json& value) {
  nlohmann::json object = nlohmann::json::parse(TestRecordToJsonLine(FailedRecord()));
  if (value.is_discarded()) {
    object.erase(key);
  } else {
    object[key] = value;
  }
  return object.dump();
}

absl::Status ParseError(absl::string_view line) {
  absl::StatusOr<TestRecord> record = TestRecordFromJsonLine(line);
  return record.ok() ? absl::OkStatus() : record.status();
}

TEST(RecordJsonTest, EveryOutcomeRoundTrips) {
  for (TestOutcome outcome : {TestOutcome::kPassed, TestOutcome::kFailed, TestOutcome::kSkipped,
                              TestOutcome::kCrashed, TestOutcome::kTimedOut}) {
    TestRecord record = FailedRecord();
    record.outcome = outcome;
    if (outcome == TestOutcome::kSkipped) record.skip_kind = SkipKind::kKnownFailure;
    const std::string line = TestRecordToJsonLine(record);
    EXPECT_EQ(line.find('\n'), std::string::npos) << line;
    absl::StatusOr<TestRecord> parsed = TestRecordFromJsonLine(line);
    ASSERT_TRUE(parsed.ok()) << parsed.status();
    ExpectSameRecord(record, *parsed);
  }
}

TEST(RecordJsonTest, OneTrailingNewlineIsAccepted) {
  EXPECT_TRUE(TestRecordFromJsonLine(TestRecordToJsonLine(FailedRecord()) + "\n").ok());
}

TEST(RecordJsonTest, LongMessageIsTruncatedSoTheLineStillParses) {
  TestRecord record = FailedRecord();
  record.message = std::string(10 * kMaxRecordMessageBytes, 'x');
  const std::string line = TestRecordToJsonLine(record);
  EXPECT_LE(line.size(), kMaxRecordLineBytes);
  absl::StatusOr<TestRecord> parsed = TestRecordFromJsonLine(line);
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(parsed->message.size(), kMaxRecordMessageBytes);
  EXPECT_THAT(parsed->message, ::testing::EndsWith("... (message truncated)"));
}

TEST(RecordJsonTest, InvalidUtf8InAMessageIsReplaced) {
  TestRecord record = FailedRecord();
  record.message = "wrong byte \xff\xfe here";
  absl::StatusOr<TestRecord> parsed = TestRecordFromJsonLine(TestRecordToJsonLine(record));
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(parsed->message, "wrong byte \xEF\xBF\xBD\xEF\xBF\xBD here");
}

TEST(RecordJsonTest, NonFiniteSecondsAreWrittenAsZero) {
  TestRecord record = FailedRecord();
  record.seconds = std::numeric_limits<double>::quiet_NaN();
  absl::StatusOr<TestRecord> parsed = TestRecordFromJsonLine(TestRecordToJsonLine(record));
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(parsed->seconds, 0);
}

TEST(RecordJsonTest, UnknownKeyIsNamed) {
  const absl::Status status = ParseError(LineWith("core_dump", "yes"));
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(), HasSubstr("\"core_dump\""));
}

TEST(RecordJsonTest, EveryMissingKeyIsNamed) {
  for (const char* key :
       {"name", "device", "group", "outcome", "skip_kind", "message", "seconds"}) {
    const absl::Status status = ParseError(LineWith(key, nlohmann::json::value_t::discarded));
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << key;
    EXPECT_THAT(status.message(), HasSubstr(absl::StrCat("no key \"", key, "\""))) << key;
  }
}

TEST(RecordJsonTest, WrongTypesAreNamed) {
  for (const char* key : {"name", "device", "group", "outcome", "skip_kind", "message"}) {
    const absl::Status status = ParseError(LineWith(key, 7));
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << key;
    EXPECT_THAT(status.message(), HasSubstr(absl::StrCat("\"", key, "\" is number"))) << key;
  }
  const absl::Status status = ParseError(LineWith("seconds", "1.5"));
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(), HasSubstr("\"seconds\" is string"));
}

TEST(RecordJsonTest, BadValuesAreRefused) {
  struct BadValue {
    const char* key;
    nlohmann::json value;
    const char* problem;
  };
  for (const BadValue& bad :
       std::vector<BadValue>{{"outcome", "exploded", "unknown \"outcome\" \"exploded\""},
                             {"skip_kind", "lazy", "unknown \"skip_kind\" \"lazy\""},
                             {"skip_kind", "unsupported", "on a test that was not skipped"},
                             {"name", "", "\"name\" is empty"},
                             {"seconds", -1, "not a duration"}}) {
    const absl::Status status = ParseError(LineWith(bad.key, bad.value));
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << bad.key;
    EXPECT_THAT(status.message(), HasSubstr(bad.problem)) << bad.key;
  }
}

TEST(RecordJsonTest, SkippedWithoutKindIsRefused) {
  nlohmann::json object = nlohmann::json::parse(TestRecordToJsonLine(FailedRecord()));
  object["outcome"] = "skipped";
  const absl::Status status = ParseError(object.dump());
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(), HasSubstr("\"none\" on a test that was skipped"));
}

// What a dying or scribbling child could leave on the pipe.
TEST(RecordJsonTest, HostileLinesAreRefusedNotCrashedOn) {
  const std::string good = TestRecordToJsonLine(FailedRecord());
  std::vector<std::string> hostile = {
      "",
      "\n",
      "null",
      "[]",
      "\"a string\"",
      "{}",
      "{\"name\":\"a\"",
      good + good,
      good + "\n\n",
      good + "garbage",
      std::string(1000, '{'),
      std::string(1000, '[') + std::string(1000, ']'),
      "{\"name\":\"\xff\xfe\",\"device\":\"\",\"group\":\"\",\"outcome\":\"passed\","
      "\"skip_kind\":\"none\",\"message\":\"\",\"seconds\":0}",
      "{\"name\":{\"name\":{\"name\":[1,2,{\"x\":null}]}}}",
      "{\"name\":\"a\",\"name\":\"b\"}",
      "{\"seconds\":1e999}",
      std::string("{\"name\":\"a\0b\"}", 14),
  };
  // Every prefix of a good line: a child killed mid-write.
  for (size_t length = 0; length < good.size(); ++length) hostile.push_back(good.substr(0, length));
  // One byte changed at every position.
  for (size_t position = 0; position < good.size(); ++position) {
    std::string flipped = good;
    flipped[position] = static_cast<char>(flipped[position] ^ 0x80);
    hostile.push_back(flipped);
  }
  for (const std::string& line : hostile) {
    const absl::Status status = ParseError(line);
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << line.substr(0, 80);
  }
}

TEST(RecordJsonTest, HugeLineIsRefusedByItsLength) {
  const std::string line =
      LineWith("message", std::string(kMaxRecordLineBytes, 'x'));  // valid JSON, too long
  const absl::Status status = ParseError(line);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(), HasSubstr("bytes long"));
}

std::vector<DeviceRecord> TwoDevices() {
  return {{"cpu:0", "cpu", "0.1.0", "2.0", "host CPU", "hal", "0011-22"},
          {"vulkan:0", "vulkan", "0.1.0", "2.0", "llvmpipe \"x\"", "Mesa", "ab-cd"}};
}

TEST(DeviceRecordsJsonTest, RoundTrips) {
  const std::string line = DeviceRecordsToJsonLine(TwoDevices());
  EXPECT_EQ(line.find('\n'), std::string::npos);
  absl::StatusOr<std::vector<DeviceRecord>> parsed = DeviceRecordsFromJsonLine(line);
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  const std::vector<DeviceRecord> devices = TwoDevices();
  ASSERT_EQ(parsed->size(), devices.size());
  for (size_t i = 0; i < devices.size(); ++i) {
    const DeviceRecord& expected = devices[i];
    const DeviceRecord& actual = (*parsed)[i];
    EXPECT_EQ(expected.id, actual.id);
    EXPECT_EQ(expected.driver, actual.driver);
    EXPECT_EQ(expected.driver_version, actual.driver_version);
    EXPECT_EQ(expected.abi_version, actual.abi_version);
    EXPECT_EQ(expected.name, actual.name);
    EXPECT_EQ(expected.vendor, actual.vendor);
    EXPECT_EQ(expected.uuid, actual.uuid);
  }
}

TEST(DeviceRecordsJsonTest, NoDevicesRoundTrips) {
  absl::StatusOr<std::vector<DeviceRecord>> parsed = DeviceRecordsFromJsonLine("[]");
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_TRUE(parsed->empty());
}

TEST(DeviceRecordsJsonTest, StrictAboutShapeKeysAndTypes) {
  nlohmann::json devices = nlohmann::json::parse(DeviceRecordsToJsonLine(TwoDevices()));
  nlohmann::json unknown_key = devices;
  unknown_key[1]["serial"] = "x";
  nlohmann::json missing_key = devices;
  missing_key[0].erase("uuid");
  nlohmann::json wrong_type = devices;
  wrong_type[0]["abi_version"] = 2;
  nlohmann::json empty_id = devices;
  empty_id[0]["id"] = "";
  struct Case {
    std::string line;
    const char* problem;
  };
  for (const Case& bad : std::vector<Case>{
           {"{}", "not a JSON array"},
           {"[1]", "not a JSON object"},
           {unknown_key.dump(), "unknown key \"serial\""},
           {missing_key.dump(), "no key \"uuid\""},
           {wrong_type.dump(), "\"abi_version\" is number"},
           {empty_id.dump(), "must not be empty"},
           {nlohmann::json(std::vector<int>(kMaxDeviceRecords + 1, 0)).dump(), "devices (at most"},
           {DeviceRecordsToJsonLine(TwoDevices()).substr(0, 40), "not valid JSON"}}) {
    absl::StatusOr<std::vector<DeviceRecord>> parsed = DeviceRecordsFromJsonLine(bad.line);
    ASSERT_FALSE(parsed.ok()) << bad.line;
    EXPECT_EQ(parsed.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(parsed.status().message(), HasSubstr(bad.problem)) << bad.line;
  }
}

}  // namespace
}  // namespace hal::cts
