#include "backends/remote/protocol/unique_fd.h"

#include <fcntl.h>
#include <unistd.h>

#include <utility>

#include "gtest/gtest.h"

namespace hal::remote {
namespace {

bool IsOpen(int fd) { return fcntl(fd, F_GETFD) != -1; }

int OpenDevNull() { return open("/dev/null", O_RDONLY | O_CLOEXEC); }

TEST(RemoteProtocolUniqueFd, ClosesOnDestructionAndReset) {
  const int raw = OpenDevNull();
  ASSERT_GE(raw, 0);
  {
    UniqueFd fd(raw);
    EXPECT_EQ(fd.get(), raw);
    EXPECT_TRUE(fd.valid());
  }
  EXPECT_FALSE(IsOpen(raw));

  UniqueFd fd(OpenDevNull());
  const int first = fd.get();
  const int second = OpenDevNull();
  fd.reset(second);
  EXPECT_FALSE(IsOpen(first));
  EXPECT_EQ(fd.get(), second);
  fd.reset();
  EXPECT_FALSE(fd.valid());
  EXPECT_FALSE(IsOpen(second));
}

TEST(RemoteProtocolUniqueFd, ReleaseGivesUpOwnership) {
  UniqueFd fd(OpenDevNull());
  const int raw = fd.release();
  EXPECT_FALSE(fd.valid());
  EXPECT_TRUE(IsOpen(raw));
  close(raw);
}

TEST(RemoteProtocolUniqueFd, MovesTransferOwnership) {
  UniqueFd a(OpenDevNull());
  const int raw = a.get();
  UniqueFd b(std::move(a));
  EXPECT_FALSE(a.valid());  // NOLINT(bugprone-use-after-move): moved-from is empty
  EXPECT_EQ(b.get(), raw);
  UniqueFd c(OpenDevNull());
  const int replaced = c.get();
  c = std::move(b);
  EXPECT_EQ(c.get(), raw);
  EXPECT_FALSE(IsOpen(replaced));
  EXPECT_TRUE(IsOpen(raw));
}

}  // namespace
}  // namespace hal::remote
