// The one reader of user-named files: regular files only, within a limit,
// never blocking on a FIFO; and the strict JSON parser on top of it.
#include "runtime/file_reading.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "runtime/strict_json.h"
#include "tests/hostile_files.h"
#include "tests/test_folder.h"

namespace hal::internal {
namespace {

using ::testing::HasSubstr;

TEST(FileReadingTest, ReadsARegularFileWhole) {
  testing::TestFolder folder;
  const std::string contents("bytes\0with a zero", 17);
  auto read = ReadRegularFile(folder.Write("f", contents), 17, "test file");
  ASSERT_TRUE(read.ok()) << read.status();
  EXPECT_EQ(*read, contents);
}

TEST(FileReadingTest, MissingFileIsNotFound) {
  testing::TestFolder folder;
  auto read = ReadRegularFile(folder.path() + "/none", 10, "test file");
  EXPECT_EQ(read.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(read.status().message(), HasSubstr("cannot open test file " + folder.path()));
}

TEST(FileReadingTest, RefusesEveryFileThatIsNotRegularOrTooLarge) {
  testing::TestFolder folder;
  for (const testing::HostileFile& file : testing::MakeHostileFiles(folder, "x", 1024)) {
    auto read = ReadRegularFile(file.path, 1024, "test file");
    EXPECT_EQ(read.status().code(), absl::StatusCode::kInvalidArgument) << file.kind;
    EXPECT_THAT(read.status().message(), HasSubstr("test file " + file.path + " " + file.refusal))
        << file.kind;
  }
}

TEST(StrictJsonTest, DuplicateKeyIsRefusedWithItsPath) {
  auto parsed = ParseStrictJson(R"({"a": {"list": [{"k": 1, "k": 2}]}})", "test.json");
  EXPECT_EQ(parsed.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(parsed.status().message(),
              HasSubstr("test.json: duplicate key \"k\" at \"a.list[].k\""));
  EXPECT_TRUE(ParseStrictJson(R"({"a": {"k": 1}, "b": {"k": 1}})", "same key, two objects").ok());
}

TEST(StrictJsonTest, SyntaxErrorNamesWhere) {
  auto parsed = ParseStrictJson("{ nope", "test.json");
  EXPECT_EQ(parsed.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(parsed.status().message(),
              HasSubstr("test.json: not valid JSON (parse error at line 1"));
}

TEST(StrictJsonTest, DeepNestingIsRefused) {
  const std::string deep =
      std::string(kMaxJsonDepth + 1, '[') + std::string(kMaxJsonDepth + 1, ']');
  auto parsed = ParseStrictJson(deep, "deep.json");
  EXPECT_EQ(parsed.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(parsed.status().message(), HasSubstr("nesting deeper than"));
  const std::string fine = std::string(kMaxJsonDepth, '[') + std::string(kMaxJsonDepth, ']');
  EXPECT_TRUE(ParseStrictJson(fine, "fine.json").ok());
}

TEST(StrictJsonTest, UnknownKeyIsNamedWithTheKnownOnes) {
  const nlohmann::json object = {{"name", "x"}, {"compute_shar", 0.1}};
  absl::Status status = CheckKnownKeys(object, {"name", "compute_share"}, "entry 1");
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(status.message(),
            "entry 1 has an unknown key \"compute_shar\" (known: name, compute_share)");
  EXPECT_TRUE(CheckKnownKeys({{"name", "x"}}, {"name", "compute_share"}, "entry 1").ok());
}

TEST(StrictJsonTest, FileIsReadThroughTheRegularFileReader) {
  testing::TestFolder folder;
  for (const testing::HostileFile& file :
       testing::MakeHostileFiles(folder, "x.json", kMaxJsonFileBytes)) {
    auto parsed = ReadStrictJsonFile(file.path, "pool file");
    EXPECT_EQ(parsed.status().code(), absl::StatusCode::kInvalidArgument) << file.kind;
    EXPECT_THAT(parsed.status().message(), HasSubstr(file.refusal)) << file.kind;
  }
  auto parsed = ReadStrictJsonFile(folder.Write("ok.json", R"({"a": 1})"), "pool file");
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ((*parsed)["a"], 1);
}

}  // namespace
}  // namespace hal::internal
