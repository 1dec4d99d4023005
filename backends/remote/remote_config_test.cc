#include "backends/remote/remote_config.h"

#include "absl/strings/match.h"
#include "gtest/gtest.h"

namespace hal::remote {
namespace {

TEST(RemoteConfig, DefaultsWhenNothingIsSet) {
  absl::StatusOr<RemoteConfig> config = ParseRemoteConfig(nullptr, nullptr, nullptr);
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->endpoint.ToString(), kDefaultEndpoint);
  EXPECT_EQ(config->token, "");
  EXPECT_EQ(config->shared_memory_bytes, kDefaultSharedMemoryBytes);
}

TEST(RemoteConfig, ReadsEveryVariable) {
  absl::StatusOr<RemoteConfig> config =
      ParseRemoteConfig("tcp://127.0.0.1:5555", "secret", "1048576");
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->endpoint.kind, Endpoint::Kind::kTcp);
  EXPECT_EQ(config->endpoint.port, 5555);
  EXPECT_EQ(config->token, "secret");
  EXPECT_EQ(config->shared_memory_bytes, 1048576u);
}

TEST(RemoteConfig, ZeroSharedMemoryMeansInlineCopies) {
  absl::StatusOr<RemoteConfig> config = ParseRemoteConfig(nullptr, nullptr, "0");
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->shared_memory_bytes, 0u);
}

TEST(RemoteConfig, NoneDisablesTheDriver) {
  absl::StatusOr<RemoteConfig> config = ParseRemoteConfig("none", nullptr, nullptr);
  EXPECT_EQ(config.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(config.status().message(), "disabled by HAL_REMOTE_ENDPOINT=none");
}

TEST(RemoteConfig, ABadEndpointNamesTheVariable) {
  absl::StatusOr<RemoteConfig> config = ParseRemoteConfig("http://x", nullptr, nullptr);
  EXPECT_EQ(config.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(absl::StrContains(config.status().message(), "HAL_REMOTE_ENDPOINT"))
      << config.status();
}

TEST(RemoteConfig, ABadSharedMemorySizeNamesTheVariable) {
  for (const char* bad : {"lots", "-1", "100", "99999999999999999"}) {
    absl::StatusOr<RemoteConfig> config = ParseRemoteConfig(nullptr, nullptr, bad);
    EXPECT_EQ(config.status().code(), absl::StatusCode::kInvalidArgument) << bad;
    EXPECT_TRUE(absl::StrContains(config.status().message(), "HAL_REMOTE_SHM_BYTES"))
        << config.status();
  }
}

TEST(RemoteConfig, CrossMemoryIsOffUnlessSwitchedOn) {
  EXPECT_FALSE(ParseRemoteConfig(nullptr, nullptr, nullptr)->cross_memory);
  EXPECT_TRUE(ParseRemoteConfig(nullptr, nullptr, nullptr, "on")->cross_memory);
  EXPECT_FALSE(ParseRemoteConfig(nullptr, nullptr, nullptr, "off")->cross_memory);
  absl::StatusOr<RemoteConfig> config = ParseRemoteConfig(nullptr, nullptr, nullptr, "maybe");
  EXPECT_EQ(config.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(absl::StrContains(config.status().message(), "HAL_REMOTE_CROSS_MEMORY"))
      << config.status();
}

TEST(RemoteConfig, ChunksAreAQuarterOfTheSharedMemoryUpTo4MiB) {
  EXPECT_EQ(SharedMemoryChunkBytes(kMinSharedMemoryBytes), kMinSharedMemoryBytes / 4);
  EXPECT_EQ(SharedMemoryChunkBytes(kDefaultSharedMemoryBytes), uint64_t{4} << 20)
      << "the default holds four chunks in flight";
  EXPECT_EQ(SharedMemoryChunkBytes(kMaxSharedMemoryBytes), kSharedMemoryChunkBytes);
}

}  // namespace
}  // namespace hal::remote
