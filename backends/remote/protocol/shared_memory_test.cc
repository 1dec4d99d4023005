#include "backends/remote/protocol/shared_memory.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <limits>

#include "backends/remote/protocol/test_support.h"
#include "gtest/gtest.h"

namespace hal::remote {
namespace {

constexpr uint64_t kSize = 1 << 16;

ShmRange MakeRange(uint64_t offset, uint64_t size) {
  ShmRange range;
  range.set_offset(offset);
  range.set_size(size);
  return range;
}

TEST(RemoteProtocolSharedMemory, TenantAndDaemonSeeTheSameBytes) {
  absl::StatusOr<SharedMemory> tenant = SharedMemory::Create(kSize, "hal-test");
  ASSERT_TRUE(tenant.ok()) << tenant.status();
  EXPECT_EQ(tenant->size(), kSize);
  absl::StatusOr<SharedMemory> daemon = SharedMemory::Map(UniqueFd(dup(tenant->fd())), kSize);
  ASSERT_TRUE(daemon.ok()) << daemon.status();
  tenant->data()[100] = 0x5a;
  EXPECT_EQ(daemon->data()[100], 0x5a);
  daemon->data()[kSize - 1] = 0xa5;
  EXPECT_EQ(tenant->data()[kSize - 1], 0xa5);
}

TEST(RemoteProtocolSharedMemory, PopulateHereTouchesEveryPage) {
  if (!testing::KernelPopulatesOnAdvice()) {
    GTEST_SKIP() << "this kernel has no MADV_POPULATE_WRITE (Linux 5.14)";
  }
  absl::StatusOr<SharedMemory> memory = SharedMemory::Create(kSize, "hal-test");
  ASSERT_TRUE(memory.ok()) << memory.status();
  const uint64_t pages = kSize / static_cast<uint64_t>(sysconf(_SC_PAGESIZE));
  EXPECT_EQ(testing::ResidentPages(*memory), 0u) << "a new memfd has no pages yet";
  memory->PopulateHere();
  EXPECT_EQ(testing::ResidentPages(*memory), pages);
  EXPECT_EQ(memory->data()[kSize - 1], 0) << "populated pages read as zeros";
}

TEST(RemoteProtocolSharedMemory, TheMappingOutlivesAClosedDescriptor) {
  absl::StatusOr<SharedMemory> tenant = SharedMemory::Create(kSize, "hal-test");
  ASSERT_TRUE(tenant.ok()) << tenant.status();
  absl::StatusOr<SharedMemory> daemon = SharedMemory::Map(UniqueFd(dup(tenant->fd())), kSize);
  ASSERT_TRUE(daemon.ok()) << daemon.status();
  daemon->CloseDescriptor();
  tenant->CloseDescriptor();
  EXPECT_EQ(daemon->fd(), -1);
  tenant->data()[7] = 0x3c;
  EXPECT_EQ(daemon->data()[7], 0x3c);
}

TEST(RemoteProtocolSharedMemory, CreatedMemoryCannotShrinkOrGrow) {
  absl::StatusOr<SharedMemory> tenant = SharedMemory::Create(kSize, "hal-test");
  ASSERT_TRUE(tenant.ok());
  EXPECT_NE(ftruncate(tenant->fd(), kSize / 2), 0);
  EXPECT_NE(ftruncate(tenant->fd(), kSize * 2), 0);
  EXPECT_NE(fcntl(tenant->fd(), F_ADD_SEALS, F_SEAL_WRITE), 0) << "seals must be sealed";
}

TEST(RemoteProtocolSharedMemory, CreateRefusesSizeZero) {
  EXPECT_EQ(SharedMemory::Create(0, "hal-test").status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(RemoteProtocolSharedMemory, MapRefusesAnotherSize) {
  absl::StatusOr<SharedMemory> tenant = SharedMemory::Create(kSize, "hal-test");
  ASSERT_TRUE(tenant.ok());
  for (uint64_t claimed : {uint64_t{0}, kSize - 1, kSize + 1, uint64_t{1} << 40}) {
    absl::StatusOr<SharedMemory> daemon = SharedMemory::Map(UniqueFd(dup(tenant->fd())), claimed);
    ASSERT_FALSE(daemon.ok()) << claimed;
    EXPECT_EQ(daemon.status().code(), absl::StatusCode::kInvalidArgument) << daemon.status();
  }
}

TEST(RemoteProtocolSharedMemory, MapRefusesAnUnsealedMemfd) {
  // A tenant could truncate this one under the daemon's mapping (SIGBUS).
  UniqueFd fd(memfd_create("unsealed", MFD_CLOEXEC));
  ASSERT_TRUE(fd.valid());
  ASSERT_EQ(ftruncate(fd.get(), kSize), 0);
  absl::StatusOr<SharedMemory> daemon = SharedMemory::Map(std::move(fd), kSize);
  ASSERT_FALSE(daemon.ok());
  EXPECT_EQ(daemon.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(daemon.status().message().find("F_SEAL_SHRINK"), absl::string_view::npos);
}

TEST(RemoteProtocolSharedMemory, MapRefusesAWriteSealedMemfd) {
  UniqueFd fd(memfd_create("write-sealed", MFD_CLOEXEC | MFD_ALLOW_SEALING));
  ASSERT_TRUE(fd.valid());
  ASSERT_EQ(ftruncate(fd.get(), kSize), 0);
  ASSERT_EQ(fcntl(fd.get(), F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_WRITE), 0);
  EXPECT_EQ(SharedMemory::Map(std::move(fd), kSize).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(RemoteProtocolSharedMemory, MapRefusesWhatIsNoMemfd) {
  int fds[2];
  ASSERT_EQ(pipe2(fds, O_CLOEXEC), 0);
  UniqueFd write_end(fds[1]);
  absl::StatusOr<SharedMemory> daemon = SharedMemory::Map(UniqueFd(fds[0]), kSize);
  ASSERT_FALSE(daemon.ok());
  EXPECT_EQ(daemon.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(SharedMemory::Map(UniqueFd(), kSize).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(RemoteProtocolSharedMemory, RangesAreBoundsChecked) {
  absl::StatusOr<SharedMemory> shm = SharedMemory::Create(kSize, "hal-test");
  ASSERT_TRUE(shm.ok());
  absl::StatusOr<absl::Span<uint8_t>> whole = shm->Range(MakeRange(0, kSize));
  ASSERT_TRUE(whole.ok());
  EXPECT_EQ(whole->data(), shm->data());
  EXPECT_EQ(whole->size(), kSize);
  absl::StatusOr<absl::Span<uint8_t>> tail = shm->Range(MakeRange(kSize - 8, 8));
  ASSERT_TRUE(tail.ok());
  EXPECT_EQ(tail->data(), shm->data() + kSize - 8);
  EXPECT_TRUE(shm->Range(MakeRange(kSize, 0)).ok());

  constexpr uint64_t kMax = std::numeric_limits<uint64_t>::max();
  for (const ShmRange& bad : {MakeRange(kSize - 8, 9), MakeRange(kSize + 1, 0), MakeRange(1, kMax),
                              MakeRange(kMax, 2), MakeRange(kMax, kMax), MakeRange(0, kSize + 1)}) {
    absl::StatusOr<absl::Span<uint8_t>> range = shm->Range(bad);
    ASSERT_FALSE(range.ok()) << bad.offset() << "+" << bad.size();
    EXPECT_EQ(range.status().code(), absl::StatusCode::kInvalidArgument);
  }
}

TEST(RemoteProtocolSharedMemory, MovesKeepTheMapping) {
  absl::StatusOr<SharedMemory> created = SharedMemory::Create(kSize, "hal-test");
  ASSERT_TRUE(created.ok());
  uint8_t* data = created->data();
  data[0] = 7;
  SharedMemory moved(*std::move(created));
  EXPECT_EQ(moved.data(), data);
  EXPECT_EQ(moved.size(), kSize);
  absl::StatusOr<SharedMemory> other = SharedMemory::Create(kSize, "hal-test");
  ASSERT_TRUE(other.ok());
  *other = std::move(moved);  // unmaps other's own memory
  EXPECT_EQ(other->data()[0], 7);
  EXPECT_EQ(moved.data(), nullptr);
  EXPECT_EQ(moved.fd(), -1);
}

}  // namespace
}  // namespace hal::remote
