#include "integrations/slurm/vd_spec.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace hal::slurm {
namespace {

using ::testing::HasSubstr;

absl::Status ParseError(absl::string_view spec) {
  return ParseVirtualDeviceSpec(spec, {}).status();
}

TEST(VirtualDeviceSpecTest, ReadsEveryKey) {
  absl::StatusOr<remote::VirtualDeviceRequest> request = ParseVirtualDeviceSpec(
      "mem=4GiB,share=0.5,vendor=NVIDIA,prefer=AMD,format=spirv-vulkan,device=cuda:1,priority=-3",
      {});
  ASSERT_TRUE(request.ok()) << request.status();
  EXPECT_EQ(request->memory_quota, uint64_t{4} << 30);
  EXPECT_DOUBLE_EQ(request->compute_share, 0.5);
  EXPECT_EQ(request->require_vendor, "NVIDIA");
  EXPECT_EQ(request->prefer_vendor, "AMD");
  EXPECT_EQ(request->require_format, "spirv-vulkan");
  EXPECT_EQ(request->require_device, "cuda:1");
  EXPECT_EQ(request->priority, -3);
}

TEST(VirtualDeviceSpecTest, SizesTakeBinarySuffixes) {
  const std::pair<const char*, uint64_t> cases[] = {
      {"mem=1", 1},           {"mem=3K", 3 << 10},       {"mem=3KiB", 3 << 10},
      {"mem=5M", 5 << 20},    {"mem=5MiB", 5 << 20},     {"mem=2G", uint64_t{2} << 30},
      {"mem=7T", uint64_t{7} << 40}, {"mem=7TiB", uint64_t{7} << 40}};
  for (const auto& [spec, bytes] : cases) {
    absl::StatusOr<remote::VirtualDeviceRequest> request = ParseVirtualDeviceSpec(spec, {});
    ASSERT_TRUE(request.ok()) << spec << ": " << request.status();
    EXPECT_EQ(request->memory_quota, bytes) << spec;
  }
}

TEST(VirtualDeviceSpecTest, SpecOverridesDefaultsKeyByKey) {
  remote::VirtualDeviceRequest defaults;
  ASSERT_TRUE(ApplyVirtualDeviceSpec("share=0.25,vendor=Mesa,mem=1G", defaults).ok());
  absl::StatusOr<remote::VirtualDeviceRequest> request =
      ParseVirtualDeviceSpec("mem=64MiB,vendor=NVIDIA", defaults);
  ASSERT_TRUE(request.ok()) << request.status();
  EXPECT_EQ(request->memory_quota, uint64_t{64} << 20);
  EXPECT_DOUBLE_EQ(request->compute_share, 0.25);
  EXPECT_EQ(request->require_vendor, "NVIDIA");
}

TEST(VirtualDeviceSpecTest, MemoryIsRequired) {
  absl::Status status = ParseError("share=0.5");
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(), HasSubstr("mem= is required"));
}

TEST(VirtualDeviceSpecTest, BadPairsAreRefusedNamingThePair) {
  const std::pair<const char*, const char*> cases[] = {
      {"", "expected KEY=VALUE"},
      {"mem=1G,", "expected KEY=VALUE"},
      {"mem", "expected KEY=VALUE"},
      {"mem=", "the value is empty"},
      {"mem=1G,mem=2G", "key \"mem\" is given twice"},
      {"mem=1G,color=red", "unknown key \"color\""},
      {"mem=1G,device=", "the value is empty"},
      {"mem=1G,device=cuda:0,device=cuda:1", "key \"device\" is given twice"},
      {"mem=0", "at least 1 byte"},
      {"mem=-1G", "whole number of bytes"},
      {"mem=1.5G", "whole number of bytes"},
      {"mem=1GB", "whole number of bytes"},
      {"mem=G", "whole number of bytes"},
      {"mem=16777216T", "2^64 bytes or more"},
      {"mem=99999999999999999999", "whole number of bytes"},
      {"mem=1G,share=0", "share must be a number in (0, 1]"},
      {"mem=1G,share=1.5", "share must be a number in (0, 1]"},
      {"mem=1G,share=nan", "share must be a number in (0, 1]"},
      {"mem=1G,share=half", "share must be a number in (0, 1]"},
      {"mem=1G,priority=1.5", "priority must be a whole number"},
      {"mem=1G,priority=4294967296", "priority must be a whole number"},
  };
  for (const auto& [spec, why] : cases) {
    absl::Status status = ParseError(spec);
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << spec;
    EXPECT_THAT(status.message(), HasSubstr(why)) << spec;
    EXPECT_THAT(status.message(), HasSubstr("hal-vd \"")) << spec;
  }
}

TEST(VirtualDeviceSpecTest, AFailedApplyChangesNothing) {
  remote::VirtualDeviceRequest request;
  request.require_vendor = "Mesa";
  EXPECT_EQ(ApplyVirtualDeviceSpec("vendor=NVIDIA,share=2", request).code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(request.require_vendor, "Mesa");
  EXPECT_DOUBLE_EQ(request.compute_share, 1.0);
}

}  // namespace
}  // namespace hal::slurm
