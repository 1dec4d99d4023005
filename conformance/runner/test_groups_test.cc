// Grouping the listed tests: by suite and device, devices told apart by the
// longest name (cpu_1 vs cpu_10, a case after the device), tests of the suite
// itself in a device-less group, exclusive suites marked.
#include "conformance/runner/test_groups.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace hal::cts {
namespace {

using ::testing::ElementsAre;

DeviceRecord Device(const char* id) {
  DeviceRecord device;
  device.id = id;
  return device;
}

TEST(TestGroupsTest, OneGroupPerSuiteAndDeviceInOrderOfFirstTest) {
  const std::vector<TestGroup> groups = GroupTests(
      {"Copy.A/cpu_0", "Copy.A/cpu_10", "Copy.B/cpu_0", "Numerics.Saxpy/cpu_1_odd_size",
       "Numerics.Saxpy/cpu_10_odd_size", "CtsSelfTest.Marks", "MemoryPressure.Up/fake_x_0"},
      {Device("cpu:0"), Device("cpu:1"), Device("cpu:10"), Device("fake_x:0")});
  ASSERT_EQ(groups.size(), 6u);
  EXPECT_EQ(groups[0].name, "Copy/cpu_0");
  EXPECT_EQ(groups[0].device_id, "cpu:0");
  EXPECT_THAT(groups[0].tests, ElementsAre("Copy.A/cpu_0", "Copy.B/cpu_0"));
  EXPECT_EQ(groups[1].name, "Copy/cpu_10");
  EXPECT_EQ(groups[2].name, "Numerics/cpu_1");
  EXPECT_EQ(groups[2].device_id, "cpu:1");
  EXPECT_EQ(groups[3].name, "Numerics/cpu_10");
  EXPECT_EQ(groups[4].name, "CtsSelfTest");
  EXPECT_EQ(groups[4].device_id, "");
  EXPECT_EQ(groups[5].name, "MemoryPressure/fake_x_0");
  EXPECT_TRUE(groups[5].exclusive);
  EXPECT_FALSE(groups[0].exclusive);
}

TEST(TestGroupsTest, ParameterNamingNoDeviceIsDeviceless) {
  const std::vector<TestGroup> groups =
      GroupTests({"Odd.X/vulkan_0", "Odd.X/cpu_0x"}, {Device("cpu:0")});
  ASSERT_EQ(groups.size(), 1u);
  EXPECT_EQ(groups[0].name, "Odd");
  EXPECT_EQ(groups[0].device_id, "");
  EXPECT_EQ(groups[0].tests.size(), 2u);
}

TEST(TestGroupsTest, EveryTestKnowsItsGroup) {
  const std::vector<TestGroup> groups =
      GroupTests({"Copy.A/cpu_0", "CtsSelfTest.X"}, {Device("cpu:0")});
  ASSERT_EQ(groups.size(), 2u);
  EXPECT_THAT(groups[0].test_groups, ElementsAre("Copy/cpu_0"));
  EXPECT_THAT(groups[1].test_groups, ElementsAre("CtsSelfTest"));
}

// Copy, Fill, Map and MemoryPressure on cpu:0 and vulkan:0, and a self-test.
std::vector<TestGroup> SuitesOnTwoDevices() {
  std::vector<std::string> tests;
  for (const char* suite : {"Copy", "Fill", "Map", "MemoryPressure"}) {
    for (const char* device : {"cpu_0", "vulkan_0"}) {
      tests.push_back(std::string(suite) + ".T/" + device);
    }
  }
  tests.push_back("CtsSelfTest.X");
  return GroupTests(tests, {Device("cpu:0"), Device("vulkan:0")});
}

TEST(BatchGroupsTest, OneJobMakesOneBatchPerDeviceBesidesExclusiveAndDevicelessGroups) {
  const std::vector<TestGroup> batches = BatchGroups(SuitesOnTwoDevices(), 1);
  ASSERT_EQ(batches.size(), 5u);
  EXPECT_EQ(batches[0].name, "MemoryPressure/cpu_0");
  EXPECT_TRUE(batches[0].exclusive);
  EXPECT_EQ(batches[1].name, "MemoryPressure/vulkan_0");
  EXPECT_EQ(batches[2].name, "CtsSelfTest");
  EXPECT_EQ(batches[3].name, "Copy/cpu_0 .. Map/cpu_0");
  EXPECT_EQ(batches[3].device_id, "cpu:0");
  EXPECT_FALSE(batches[3].exclusive);
  EXPECT_THAT(batches[3].tests, ElementsAre("Copy.T/cpu_0", "Fill.T/cpu_0", "Map.T/cpu_0"));
  EXPECT_THAT(batches[3].test_groups, ElementsAre("Copy/cpu_0", "Fill/cpu_0", "Map/cpu_0"));
  EXPECT_EQ(batches[4].name, "Copy/vulkan_0 .. Map/vulkan_0");
}

TEST(BatchGroupsTest, MoreJobsSplitEachDevicesGroupsUpToOneGroupPerBatch) {
  const std::vector<TestGroup> four = BatchGroups(SuitesOnTwoDevices(), 4);
  ASSERT_EQ(four.size(), 7u);
  EXPECT_EQ(four[3].name, "Copy/cpu_0");
  EXPECT_EQ(four[4].name, "Fill/cpu_0 .. Map/cpu_0");
  const std::vector<TestGroup> many = BatchGroups(SuitesOnTwoDevices(), 64);
  ASSERT_EQ(many.size(), 9u) << "no empty batch";
  size_t tests = 0;
  for (const TestGroup& batch : many) tests += batch.tests.size();
  EXPECT_EQ(tests, 9u);
}

TEST(TestGroupsTest, TestNameOfDeviceReplacesNonAlphanumerics) {
  EXPECT_EQ(TestNameOfDevice("cpu:0"), "cpu_0");
  EXPECT_EQ(TestNameOfDevice("fake-x:12"), "fake_x_12");
}

}  // namespace
}  // namespace hal::cts
