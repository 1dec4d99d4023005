// The shared memory a tenant hands the daemon (ShmAttach with a memfd) is
// hostile too: a memfd of another size than stated, one the tenant could
// still shrink (the daemon would take SIGBUS reading it), something that is no
// memfd, none at all, and ranges past its end. Each is refused; the daemon
// never maps what it cannot trust.
#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>
#include <cstring>
#include <limits>
#include <string>
#include <utility>

#include "backends/remote/protocol/shared_memory.h"
#include "gtest/gtest.h"
#include "hal/status_macros.h"
#include "tests/remote_hostile/hostile_daemon_test.h"

namespace hal::testing {
namespace {

using remote::v1::ClientMessage;
using SharedMemoryTest = HostileDaemonTest;

constexpr uint64_t kShmBytes = 1 << 20;

// A connection that said Hello and offers `fd` (-1: no fd) as shared memory
// of `stated_size` bytes; returns the ShmAttach's answer.
absl::Status OfferSharedMemory(RawSession& session, int fd, uint64_t stated_size) {
  HAL_RETURN_IF_ERROR(session.Hello(remote::kProtocolMajor));
  ClientMessage attach;
  attach.mutable_shm_attach()->set_size(stated_size);
  return session.Request(attach, fd);
}

// Refused with InvalidArgument, or by closing the connection.
void ExpectRefused(const absl::Status& status) {
  EXPECT_TRUE(status.code() == absl::StatusCode::kInvalidArgument ||
              status.code() == absl::StatusCode::kUnavailable)
      << status;
}

TEST_F(SharedMemoryTest, AMemfdOfAnotherSizeThanStatedIsRefused) {
  absl::StatusOr<remote::SharedMemory> shm = remote::SharedMemory::Create(kShmBytes, "hostile");
  ASSERT_TRUE(shm.ok()) << shm.status();
  for (const uint64_t stated :
       {2 * kShmBytes, kShmBytes / 2, uint64_t{0}, std::numeric_limits<uint64_t>::max()}) {
    SCOPED_TRACE(stated);
    std::unique_ptr<RawSession> session = Connect(endpoint());
    ASSERT_NE(session, nullptr);
    ExpectRefused(OfferSharedMemory(*session, shm->fd(), stated));
  }
}

TEST_F(SharedMemoryTest, AnUnsealedMemfdIsRefused) {
  // Without F_SEAL_SHRINK the tenant could shrink it under the daemon's reads.
  const int fd = memfd_create("hostile-unsealed", MFD_CLOEXEC);
  ASSERT_GE(fd, 0);
  remote::UniqueFd owned(fd);
  ASSERT_EQ(ftruncate(fd, kShmBytes), 0);
  std::unique_ptr<RawSession> session = Connect(endpoint());
  ASSERT_NE(session, nullptr);
  ExpectRefused(OfferSharedMemory(*session, fd, kShmBytes));
}

TEST_F(SharedMemoryTest, SomethingOtherThanAMemfdIsRefused) {
  int pipe_fds[2];
  ASSERT_EQ(pipe2(pipe_fds, O_CLOEXEC), 0);
  remote::UniqueFd read_end(pipe_fds[0]), write_end(pipe_fds[1]);
  std::unique_ptr<RawSession> session = Connect(endpoint());
  ASSERT_NE(session, nullptr);
  ExpectRefused(OfferSharedMemory(*session, read_end.get(), kShmBytes));
}

TEST_F(SharedMemoryTest, AShmAttachWithoutAFdIsRefused) {
  std::unique_ptr<RawSession> session = Connect(endpoint());
  ASSERT_NE(session, nullptr);
  ExpectRefused(OfferSharedMemory(*session, -1, kShmBytes));
}

TEST_F(SharedMemoryTest, TheSealedMemfdCannotBeShrunkByTheTenant) {
  absl::StatusOr<remote::SharedMemory> shm = remote::SharedMemory::Create(kShmBytes, "sealed");
  ASSERT_TRUE(shm.ok()) << shm.status();
  EXPECT_NE(ftruncate(shm->fd(), 0), 0) << "the memfd the driver sends can be shrunk";
}

// A copy naming a shared-memory range on a session with `shm` attached (or
// none); the stream's synchronization must refuse it.
ClientMessage ShmUpload(uint64_t stream, uint64_t offset, uint64_t size) {
  ClientMessage m = CopyToDevice(stream, 1, 0, size);
  m.mutable_copy_host_to_device()->mutable_shm()->set_offset(offset);
  m.mutable_copy_host_to_device()->mutable_shm()->set_size(size);
  return m;
}

ClientMessage ShmDownload(uint64_t stream, uint64_t offset, uint64_t size) {
  ClientMessage m = CopyToHost(stream, 1, 0, size, 5);
  m.mutable_copy_device_to_host()->mutable_shm()->set_offset(offset);
  m.mutable_copy_device_to_host()->mutable_shm()->set_size(size);
  return m;
}

TEST_F(SharedMemoryTest, RangesPastTheSharedMemoryAreInvalidArgument) {
  absl::StatusOr<remote::SharedMemory> shm = remote::SharedMemory::Create(kShmBytes, "ranges");
  ASSERT_TRUE(shm.ok()) << shm.status();
  std::unique_ptr<RawSession> session = Connect(endpoint());
  ASSERT_NE(session, nullptr);
  ASSERT_TRUE(OfferSharedMemory(*session, shm->fd(), kShmBytes).ok());
  ASSERT_TRUE(session->Attach(kDeviceB).ok());
  ASSERT_TRUE(session->Allocate(1, 4096).ok());
  ASSERT_TRUE(session->CreateStream(1).ok());
  const uint64_t near_wrap = std::numeric_limits<uint64_t>::max() - 15;
  // A stream per command: a stream keeps its first failure.
  uint64_t stream = 1;
  const std::pair<const char*, ClientMessage> commands[] = {
      {"upload from past the end", ShmUpload(2, kShmBytes - 8, 64)},
      {"upload wrapping around 2^64", ShmUpload(3, near_wrap, 32)},
      {"download to past the end", ShmDownload(4, kShmBytes - 8, 64)},
      {"download wrapping around 2^64", ShmDownload(5, near_wrap, 32)}};
  for (const auto& [name, command] : commands) {
    SCOPED_TRACE(name);
    ASSERT_TRUE(session->CreateStream(++stream).ok());
    ASSERT_TRUE(session->Send(command).ok());
    EXPECT_EQ(session->Synchronize(stream).code(), absl::StatusCode::kInvalidArgument);
  }
  // A range inside it still works.
  std::memset(shm->data(), 0x5a, 64);
  ASSERT_TRUE(session->Send(ShmUpload(1, 0, 64)).ok());
  EXPECT_TRUE(session->Synchronize(1).ok());
}

TEST_F(SharedMemoryTest, AShmRangeWithoutSharedMemoryIsFailedPrecondition) {
  std::unique_ptr<RawSession> session = OpenTenant(kDeviceB);  // stream 1
  ASSERT_NE(session, nullptr);
  ASSERT_TRUE(session->CreateStream(2).ok());
  ASSERT_TRUE(session->Send(ShmUpload(1, 0, 64)).ok());
  EXPECT_EQ(session->Synchronize(1).code(), absl::StatusCode::kFailedPrecondition);
  ASSERT_TRUE(session->Send(ShmDownload(2, 0, 64)).ok());
  EXPECT_EQ(session->Synchronize(2).code(), absl::StatusCode::kFailedPrecondition);
}

}  // namespace
}  // namespace hal::testing
