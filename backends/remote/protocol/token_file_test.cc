#include "backends/remote/protocol/token_file.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace hal::remote {
namespace {

using ::testing::HasSubstr;

class TokenFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/hal-token-XXXXXX";
    ASSERT_NE(mkdtemp(pattern), nullptr);
    folder_ = pattern;
  }
  void TearDown() override {
    unlink(Path().c_str());
    rmdir(folder_.c_str());
  }
  std::string Path() const { return folder_ + "/token"; }
  void Write(const std::string& text) const { std::ofstream(Path()) << text; }

  std::string folder_;
};

TEST_F(TokenFileTest, TheTokenIsTheTextWithoutSurroundingWhitespace) {
  Write("  s3cret-token\n");
  absl::StatusOr<std::string> token = ReadTokenFile(Path());
  ASSERT_TRUE(token.ok()) << token.status();
  EXPECT_EQ(*token, "s3cret-token");
}

TEST_F(TokenFileTest, AMissingFileIsNotFoundNamingThePath) {
  const absl::StatusOr<std::string> token = ReadTokenFile(Path());
  EXPECT_EQ(token.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(token.status().message(), HasSubstr(Path()));
}

TEST_F(TokenFileTest, EmptyOversizedAndNonRegularFilesAreInvalid) {
  Write(" \n\t");
  EXPECT_THAT(ReadTokenFile(Path()).status().message(), HasSubstr("holds no token"));
  Write(std::string(kMaxTokenFileBytes + 1, 'x'));
  const absl::Status oversized = ReadTokenFile(Path()).status();
  EXPECT_EQ(oversized.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(oversized.message(), HasSubstr("more than"));
  Write(std::string(kMaxTokenFileBytes, 'x'));  // the largest allowed
  EXPECT_TRUE(ReadTokenFile(Path()).ok());
  const absl::Status folder = ReadTokenFile(folder_).status();
  EXPECT_EQ(folder.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(folder.message(), HasSubstr("not a regular file"));
}

}  // namespace
}  // namespace hal::remote
