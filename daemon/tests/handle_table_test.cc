#include "daemon/handle_table.h"

#include <memory>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace hal::daemon {
namespace {

using ::testing::HasSubstr;

TEST(HandleTableTest, InsertFindRemove) {
  HandleTable<int> table("buffer", 10);
  ASSERT_TRUE(table.Insert(5, 50).ok());
  EXPECT_EQ(*table.Find(5), 50);
  EXPECT_EQ(table.size(), 1u);
  EXPECT_EQ(*table.Remove(5), 50);
  EXPECT_EQ(table.Find(5).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(HandleTableTest, BorrowGivesTheStoredObjectItself) {
  HandleTable<std::shared_ptr<int>> table("kernel", 10);
  auto value = std::make_shared<int>(7);
  ASSERT_TRUE(table.Insert(3, value).ok());
  absl::StatusOr<const std::shared_ptr<int>*> borrowed = table.Borrow(3);
  ASSERT_TRUE(borrowed.ok());
  EXPECT_EQ((*borrowed)->get(), value.get());
  EXPECT_EQ(value.use_count(), 2) << "borrowing copies no shared_ptr";
  const absl::Status unknown = table.Borrow(4).status();
  EXPECT_EQ(unknown.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(unknown.message(), HasSubstr("no kernel with handle 4"));
  EXPECT_EQ(table.size(), 1u);
}

TEST(HandleTableTest, ZeroDuplicateAndUnknownHandlesAreInvalidArgument) {
  HandleTable<int> table("stream", 10);
  EXPECT_EQ(table.Insert(0, 1).code(), absl::StatusCode::kInvalidArgument);
  ASSERT_TRUE(table.Insert(1, 1).ok());
  const absl::Status duplicate = table.Insert(1, 2);
  EXPECT_EQ(duplicate.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(duplicate.message(), HasSubstr("stream handle 1 is already in use"));
  EXPECT_EQ(table.CheckFree(1).code(), absl::StatusCode::kInvalidArgument);
  const absl::Status unknown = table.Remove(2).status();
  EXPECT_EQ(unknown.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(unknown.message(), HasSubstr("no stream with handle 2"));
}

TEST(HandleTableTest, TheLimitIsResourceExhausted) {
  HandleTable<int> table("event", 2);
  ASSERT_TRUE(table.Insert(1, 1).ok());
  ASSERT_TRUE(table.Insert(2, 2).ok());
  EXPECT_EQ(table.Insert(3, 3).code(), absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(table.CheckFree(3).code(), absl::StatusCode::kResourceExhausted);
  int sum = 0;
  table.ForEach([&](int value) { sum += value; });
  EXPECT_EQ(sum, 3);
  table.Clear();
  EXPECT_EQ(table.size(), 0u);
}

}  // namespace
}  // namespace hal::daemon
