// Every user-reachable error of Queue calls: the status code, the message
// naming the values, and that nothing was enqueued or disturbed.
#include <cstring>
#include <vector>

#include "gmock/gmock.h"
#include "tests/cpu_device_fixture.h"

namespace hal {
namespace {

using ::testing::HasSubstr;

class QueueErrorsTest : public testing::CpuDeviceTest {
 protected:
  // Writes a known pattern into `buffer` and returns it.
  std::vector<uint8_t> Seed(const Buffer& buffer) {
    std::vector<uint8_t> bytes(buffer.size());
    for (size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<uint8_t>(i * 7 + 1);
    EXPECT_TRUE(queue_->CopyHostToDevice(bytes.data(), buffer, 0, bytes.size()).ok());
    EXPECT_TRUE(queue_->Synchronize().ok());
    return bytes;
  }
  void ExpectContents(const Buffer& buffer, const std::vector<uint8_t>& expected) {
    std::vector<uint8_t> actual(buffer.size());
    ASSERT_TRUE(queue_->CopyDeviceToHost(buffer, 0, actual.data(), actual.size()).ok());
    ASSERT_TRUE(queue_->Synchronize().ok());
    EXPECT_EQ(actual, expected);
  }
};

TEST_F(QueueErrorsTest, OutOfRangeCopiesAreRejectedAndChangeNothing) {
  auto buffer = MustAllocate(64);
  ASSERT_NE(buffer, nullptr);
  const std::vector<uint8_t> seeded = Seed(*buffer);
  std::vector<uint8_t> host(128, 0xEE);
  struct Case {
    uint64_t offset, size;
  };
  for (Case c : {Case{0, 65}, Case{60, 8}, Case{65, 0}, Case{~0ull, 2}, Case{8, ~0ull - 4}}) {
    absl::Status up = queue_->CopyHostToDevice(host.data(), *buffer, c.offset, c.size);
    EXPECT_EQ(up.code(), absl::StatusCode::kInvalidArgument) << c.offset << "+" << c.size;
    EXPECT_THAT(up.message(), HasSubstr("outside the buffer of 64 bytes"));
    absl::Status down = queue_->CopyDeviceToHost(*buffer, c.offset, host.data(), c.size);
    EXPECT_EQ(down.code(), absl::StatusCode::kInvalidArgument);
    absl::Status copy = queue_->CopyBuffer(*buffer, c.offset, *buffer, 0, c.size);
    EXPECT_EQ(copy.code(), absl::StatusCode::kInvalidArgument);
  }
  EXPECT_EQ(host, std::vector<uint8_t>(128, 0xEE));
  ExpectContents(*buffer, seeded);
}

TEST_F(QueueErrorsTest, ZeroSizeCopiesAtTheEndAreValidNoOps) {
  auto buffer = MustAllocate(16);
  ASSERT_NE(buffer, nullptr);
  const std::vector<uint8_t> seeded = Seed(*buffer);
  EXPECT_TRUE(queue_->CopyHostToDevice(nullptr, *buffer, 16, 0).ok());
  EXPECT_TRUE(queue_->CopyBuffer(*buffer, 16, *buffer, 0, 0).ok());
  ExpectContents(*buffer, seeded);
}

TEST_F(QueueErrorsTest, OverlappingCopyWithinABufferIsRejectedAndChangesNothing) {
  auto buffer = MustAllocate(64);
  ASSERT_NE(buffer, nullptr);
  const std::vector<uint8_t> seeded = Seed(*buffer);
  struct Case {
    uint64_t src, dst, size;
  };
  for (Case c : {Case{0, 0, 64}, Case{0, 16, 32}, Case{16, 0, 32}, Case{31, 0, 32}}) {
    absl::Status status = queue_->CopyBuffer(*buffer, c.src, *buffer, c.dst, c.size);
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << c.src << "->" << c.dst;
    EXPECT_THAT(status.message(), HasSubstr("overlap in the same buffer"));
  }
  ExpectContents(*buffer, seeded);
  // Adjacent ranges of one buffer do not overlap.
  ASSERT_TRUE(queue_->CopyBuffer(*buffer, 0, *buffer, 32, 32).ok());
  std::vector<uint8_t> expected = seeded;
  std::copy(seeded.begin(), seeded.begin() + 32, expected.begin() + 32);
  ExpectContents(*buffer, expected);
}

TEST_F(QueueErrorsTest, NullHostPointerIsRejected) {
  auto buffer = MustAllocate(16);
  ASSERT_NE(buffer, nullptr);
  EXPECT_EQ(queue_->CopyHostToDevice(nullptr, *buffer, 0, 4).code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(queue_->CopyDeviceToHost(*buffer, 0, nullptr, 4).code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_F(QueueErrorsTest, MisalignedFillIsRejectedAndChangesNothing) {
  auto buffer = MustAllocate(64);
  ASSERT_NE(buffer, nullptr);
  const std::vector<uint8_t> seeded = Seed(*buffer);
  for (auto [offset, size] : {std::pair<uint64_t, uint64_t>{1, 4}, {0, 6}, {4, 63}}) {
    absl::Status status = queue_->Fill(*buffer, offset, size, 0xDEADBEEF);
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(status.message(), HasSubstr("multiples of 4"));
  }
  EXPECT_EQ(queue_->Fill(*buffer, 60, 8, 0).code(), absl::StatusCode::kInvalidArgument);
  ExpectContents(*buffer, seeded);
}

TEST_F(QueueErrorsTest, BufferOfAnotherContextIsRejected) {
  auto other = physical_->Open();
  ASSERT_TRUE(other.ok()) << other.status();
  auto foreign = (*other)->Allocate(64);
  ASSERT_TRUE(foreign.ok()) << foreign.status();
  auto local = MustAllocate(64);
  ASSERT_NE(local, nullptr);
  const std::vector<uint8_t> seeded = Seed(*local);
  std::vector<uint8_t> host(64, 1);
  absl::Status status = queue_->CopyHostToDevice(host.data(), **foreign, 0, 64);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(), HasSubstr((*other)->label()));
  EXPECT_THAT(status.message(), HasSubstr(device_->label()));
  EXPECT_EQ(queue_->CopyBuffer(**foreign, 0, *local, 0, 64).code(),
            absl::StatusCode::kInvalidArgument);
  ExpectContents(*local, seeded);
}

TEST_F(QueueErrorsTest, DispatchArgumentsAreCheckedAgainstTheKernel) {
  auto kernel = MustLoad("vector_add_i32");
  ASSERT_NE(kernel, nullptr);
  auto a = MustAllocate(1024);
  auto b = MustAllocate(1024);
  auto c = MustAllocate(1024);
  ASSERT_TRUE(a && b && c);
  const std::vector<uint8_t> seeded = Seed(*c);
  const uint32_t n = 256;
  const BufferBinding good[] = {{a.get(), 0}, {b.get(), 0}, {c.get(), 0}};

  absl::Status status = queue_->Dispatch(*kernel, {1, 1, 1}, absl::MakeSpan(good, 2), n);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(), HasSubstr("takes 3 bindings, but 2 were given"));

  status = queue_->Dispatch(*kernel, {1, 1, 1}, good, uint64_t{n});
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(), HasSubstr("takes 4 bytes of push constants, but 8"));

  status = queue_->Dispatch(*kernel, {0, 1, 1}, good, n);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(), HasSubstr("dimension 0"));

  const BufferBinding null_buffer[] = {{a.get(), 0}, {nullptr, 0}, {c.get(), 0}};
  status = queue_->Dispatch(*kernel, {1, 1, 1}, null_buffer, n);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(), HasSubstr("binding 1"));

  const uint64_t alignment = physical_->properties().binding_offset_alignment;
  if (alignment > 1) {
    const BufferBinding misaligned[] = {{a.get(), alignment / 2}, {b.get(), 0}, {c.get(), 0}};
    status = queue_->Dispatch(*kernel, {1, 1, 1}, misaligned, n);
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(status.message(), HasSubstr("not a multiple of"));
  }
  const BufferBinding past_end[] = {{a.get(), 1024}, {b.get(), 0}, {c.get(), 0}};
  status = queue_->Dispatch(*kernel, {1, 1, 1}, past_end, n);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  ExpectContents(*c, seeded);
}

TEST_F(QueueErrorsTest, KernelOfAnotherContextIsRejected) {
  auto other = physical_->Open();
  ASSERT_TRUE(other.ok());
  auto foreign_kernel = (*other)->LoadKernel(*bundle_, "noop");
  ASSERT_TRUE(foreign_kernel.ok()) << foreign_kernel.status();
  absl::Status status = queue_->Dispatch(**foreign_kernel, {1, 1, 1}, {});
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(), HasSubstr("belongs to device"));
  // The queue is still usable afterwards.
  auto noop = MustLoad("noop");
  ASSERT_NE(noop, nullptr);
  EXPECT_TRUE(queue_->Dispatch(*noop, {1, 1, 1}, {}).ok());
  EXPECT_TRUE(queue_->Synchronize().ok());
}

TEST_F(QueueErrorsTest, EventErrors) {
  auto event = device_->CreateEvent();
  ASSERT_TRUE(event.ok());
  EXPECT_EQ((*event)->IsComplete().status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ((*event)->Wait().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ((*event)->TimestampNs().status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(queue_->Wait(**event).code(), absl::StatusCode::kFailedPrecondition);

  auto other = physical_->Open();
  ASSERT_TRUE(other.ok());
  auto foreign = (*other)->CreateEvent();
  ASSERT_TRUE(foreign.ok());
  EXPECT_EQ(queue_->Signal(**foreign).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(queue_->Wait(**foreign).code(), absl::StatusCode::kInvalidArgument);

  ASSERT_TRUE(queue_->Signal(**event).ok());
  ASSERT_TRUE((*event)->Wait().ok());
  auto other_queue = (*other)->CreateQueue();
  ASSERT_TRUE(other_queue.ok());
  ASSERT_TRUE((*other_queue)->Signal(**foreign).ok());
  ASSERT_TRUE((*foreign)->Wait().ok());
  EXPECT_EQ(Event::ElapsedNs(**event, **foreign).status().code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace hal
