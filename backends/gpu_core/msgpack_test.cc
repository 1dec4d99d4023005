#include "backends/gpu_core/msgpack.h"

#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace hal::gpu {
namespace {

using ::testing::HasSubstr;
using Kind = MsgpackValue::Kind;

absl::StatusOr<MsgpackValue> Parse(std::vector<uint8_t> bytes) { return ParseMsgpack(bytes); }

TEST(MsgpackTest, ReadsTheTypesOfCodeObjectMetadata) {
  // {"a": [1, -2, 300, true, nil], "bb": "x", "c": 1.5f, "d": bin "yz"}
  absl::StatusOr<MsgpackValue> value =
      Parse({0x84, 0xa1, 'a', 0x95, 0x01, 0xfe, 0xcd, 0x01, 0x2c, 0xc3, 0xc0, 0xa2, 'b', 'b',
             0xd9, 0x01, 'x', 0xa1, 'c', 0xca, 0x3f, 0xc0, 0x00, 0x00, 0xa1, 'd', 0xc4, 0x02,
             'y', 'z'});
  ASSERT_TRUE(value.ok()) << value.status();
  ASSERT_EQ(value->kind, Kind::kMap);
  const MsgpackValue* a = value->Find("a");
  ASSERT_NE(a, nullptr);
  ASSERT_EQ(a->array.size(), 5u);
  EXPECT_EQ(a->array[0].integer, 1);
  EXPECT_EQ(a->array[1].integer, -2);
  EXPECT_EQ(a->array[2].integer, 300);
  EXPECT_TRUE(a->array[3].boolean);
  EXPECT_EQ(a->array[4].kind, Kind::kNil);
  EXPECT_EQ(value->Find("bb")->string, "x");
  EXPECT_EQ(value->Find("c")->floating, 1.5);
  EXPECT_EQ(value->Find("d")->kind, Kind::kBinary);
  EXPECT_EQ(value->Find("d")->string, "yz");
  EXPECT_EQ(value->Find("e"), nullptr);
  EXPECT_EQ(a->Find("a"), nullptr);  // not a map
}

TEST(MsgpackTest, SignedAndWideIntegers) {
  EXPECT_EQ(Parse({0xd0, 0x80})->integer, -128);
  EXPECT_EQ(Parse({0xd1, 0xff, 0xfe})->integer, -2);
  EXPECT_EQ(Parse({0xce, 0x00, 0x01, 0x00, 0x00})->integer, 65536);
  EXPECT_EQ(Parse({0xcf, 0xff, 0, 0, 0, 0, 0, 0, 0}).status().code(),
            absl::StatusCode::kInvalidArgument);  // beyond int64
}

TEST(MsgpackTest, MalformedInputNamesTheOffset) {
  struct Case {
    std::vector<uint8_t> bytes;
    const char* why;
  } cases[] = {
      {{}, "truncated"},
      {{0xa3, 'a'}, "runs past the end"},
      {{0xdc, 0xff, 0xff}, "exceeds the bytes left"},
      {{0xdf, 0x7f, 0xff, 0xff, 0xff}, "exceeds the bytes left"},
      {{0xc1}, "unsupported type byte 0xc1"},
      {{0x01, 0x02}, "bytes after the value"},
      {{0x91, 0xcd, 0x01}, "truncated"},
  };
  for (const Case& test : cases) {
    absl::StatusOr<MsgpackValue> value = Parse(test.bytes);
    ASSERT_FALSE(value.ok());
    EXPECT_EQ(value.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(value.status().message(), HasSubstr(test.why));
    EXPECT_THAT(value.status().message(), HasSubstr("at byte"));
  }
}

TEST(MsgpackTest, NestingIsBounded) {
  std::vector<uint8_t> deep(10000, 0x91);  // [[[[...
  deep.push_back(0x01);
  absl::StatusOr<MsgpackValue> value = ParseMsgpack(deep);
  EXPECT_EQ(value.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(value.status().message(), HasSubstr("nested deeper"));
}

TEST(MsgpackTest, TheNumberOfValuesIsBounded) {
  // An array of a million one-byte integers: each would take a MsgpackValue.
  constexpr uint32_t kCount = 1u << 20;
  std::vector<uint8_t> wide = {0xdd, 0x00, 0x10, 0x00, 0x00};  // array32 of kCount
  wide.resize(wide.size() + kCount, 0x01);
  absl::StatusOr<MsgpackValue> value = ParseMsgpack(wide);
  EXPECT_EQ(value.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(value.status().message(), HasSubstr("values"));
  // A few thousand, as real metadata holds, are read.
  std::vector<uint8_t> usual = {0xdd, 0x00, 0x00, 0x10, 0x00};  // array32 of 4096
  usual.resize(usual.size() + 4096, 0x01);
  absl::StatusOr<MsgpackValue> read = ParseMsgpack(usual);
  ASSERT_TRUE(read.ok()) << read.status();
  EXPECT_EQ(read->array.size(), 4096u);
}

}  // namespace
}  // namespace hal::gpu
