#include "integrations/slurm/plugin_config.h"

#include <unistd.h>

#include <cstdlib>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace hal::slurm {
namespace {

using ::testing::HasSubstr;

TEST(PluginConfigTest, DefaultsToTheRemoteDriversEndpoint) {
  absl::StatusOr<PluginConfig> config = ParsePluginArguments({});
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->endpoint.ToString(), "unix:/run/hal/hald.sock");
  EXPECT_EQ(config->timeout, absl::Seconds(10));
  EXPECT_EQ(config->defaults.memory_quota, 0u);
}

TEST(PluginConfigTest, ReadsEveryArgument) {
  absl::StatusOr<PluginConfig> config = ParsePluginArguments(
      {"endpoint=tcp://127.0.0.1:7450", "timeout=3", "defaults=share=0.5,vendor=Mesa"});
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->endpoint.ToString(), "tcp://127.0.0.1:7450");
  EXPECT_EQ(config->timeout, absl::Seconds(3));
  EXPECT_DOUBLE_EQ(config->defaults.compute_share, 0.5);
  EXPECT_EQ(config->defaults.require_vendor, "Mesa");
}

TEST(PluginConfigTest, TokenFileIsReadOnce) {
  char path[] = "/tmp/hal-spank-token-XXXXXX";
  const int fd = mkstemp(path);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(write(fd, "admin-token\n", 12), 12);
  close(fd);
  absl::StatusOr<PluginConfig> config =
      ParsePluginArguments({absl::StrCat("token_file=", path)});
  unlink(path);
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->admin_token, "admin-token");
  EXPECT_TRUE(ParsePluginArguments({})->admin_token.empty());
}

TEST(PluginConfigTest, BadArgumentsAreRefusedNamingThem) {
  const std::pair<std::vector<std::string>, const char*> cases[] = {
      {{"endpoint"}, "expected KEY=VALUE"},
      {{"colour=red"}, "unknown key"},
      {{"timeout=1", "timeout=2"}, "given twice"},
      {{"timeout=0"}, "timeout must be whole seconds"},
      {{"timeout=601"}, "timeout must be whole seconds"},
      {{"timeout=soon"}, "timeout must be whole seconds"},
      {{"defaults=share=7"}, "share must be a number"},
      {{"endpoint=/run/hal/hald.sock"}, "endpoint=/run/hal/hald.sock"},
      {{"token_file=/nonexistent/token"}, "cannot open token file /nonexistent/token"},
  };
  for (const auto& [arguments, why] : cases) {
    absl::Status status = ParsePluginArguments(arguments).status();
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << arguments.front();
    EXPECT_THAT(status.message(), HasSubstr(why)) << arguments.front();
    EXPECT_THAT(status.message(), HasSubstr("plugstack.conf argument")) << arguments.front();
  }
}

}  // namespace
}  // namespace hal::slurm
