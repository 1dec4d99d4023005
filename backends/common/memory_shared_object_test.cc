#include "backends/common/memory_shared_object.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <string>
#include <vector>

namespace hal::driver_support {
namespace {

using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

std::vector<char> ReadFile(const char* path) {
  std::ifstream file(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>()};
}

TEST(MemorySharedObjectTest, LoadsAnImageFromMemoryAndFindsItsSymbols) {
  const std::vector<char> image = ReadFile(HAL_DRIVER_SUPPORT_TEST_IMAGE);
  ASSERT_THAT(image, Not(IsEmpty()));
  MemorySharedObject::LoadError error;
  auto object = MemorySharedObject::Load(image.data(), image.size(), "test-image", &error);
  ASSERT_NE(object, nullptr) << error.reason;
  EXPECT_NE(object->Symbol("hal_test_saxpy"), nullptr);
  EXPECT_EQ(object->Symbol("no_such_symbol"), nullptr);
}

TEST(MemorySharedObjectTest, TwoLoadsOfOneImageAreTwoObjects) {
  const std::vector<char> image = ReadFile(HAL_DRIVER_SUPPORT_TEST_IMAGE);
  MemorySharedObject::LoadError error;
  auto first = MemorySharedObject::Load(image.data(), image.size(), "first", &error);
  auto second = MemorySharedObject::Load(image.data(), image.size(), "second", &error);
  ASSERT_NE(first, nullptr);
  ASSERT_NE(second, nullptr);
  EXPECT_NE(first->Symbol("hal_test_saxpy"), second->Symbol("hal_test_saxpy"));
}

TEST(MemorySharedObjectTest, BytesThatAreNoSharedObjectFailAtDlopen) {
  const std::string garbage = "not an ELF file";
  MemorySharedObject::LoadError error{MemorySharedObject::Step::kWrite, ""};
  EXPECT_EQ(MemorySharedObject::Load(garbage.data(), garbage.size(), "garbage", &error), nullptr);
  EXPECT_EQ(error.step, MemorySharedObject::Step::kDlopen);
  EXPECT_THAT(error.reason, HasSubstr("/proc/self/fd/"));
}

// A truncated image whose segments end past its bytes is refused before
// dlopen, which would otherwise fault (SIGBUS) reading the missing pages;
// cut after its loaded segments (debug sections only) it still loads.
TEST(MemorySharedObjectTest, ImageTruncatedInsideItsSegmentsIsRefused) {
  const std::vector<char> image = ReadFile(HAL_DRIVER_SUPPORT_TEST_IMAGE);
  ASSERT_GT(image.size(), 4096u);
  for (const size_t size : {size_t{64}, size_t{200}, size_t{1024}, size_t{4096}}) {
    SCOPED_TRACE(size);
    MemorySharedObject::LoadError error{MemorySharedObject::Step::kWrite, ""};
    EXPECT_EQ(MemorySharedObject::Load(image.data(), size, "truncated", &error), nullptr);
    EXPECT_EQ(error.step, MemorySharedObject::Step::kDlopen);
    EXPECT_THAT(error.reason, HasSubstr("truncated"));
    EXPECT_THAT(error.reason, HasSubstr(std::to_string(size) + " bytes"));
  }
}

}  // namespace
}  // namespace hal::driver_support
