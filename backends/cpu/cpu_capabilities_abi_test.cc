// The CPU driver's optional ABI 2 capabilities through its C ABI: device
// addresses (a buffer's host address), virtual memory (decommittable buffers
// on a reserved range) and host registration (the caller's memory as a
// staging buffer).
#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <optional>
#include <string>

#include "backends/cpu/cpu_driver_abi_fixture.h"

namespace hal::cpu_abi_test {
namespace {

uint64_t PageSize() { return static_cast<uint64_t>(sysconf(_SC_PAGESIZE)); }

// How many of the range's pages are in memory (mincore).
uint64_t ResidentPages(const void* address, uint64_t size) {
  std::vector<unsigned char> pages((size + PageSize() - 1) / PageSize());
  EXPECT_EQ(mincore(const_cast<void*>(address), size, pages.data()), 0);
  return static_cast<uint64_t>(std::count_if(pages.begin(), pages.end(),
                                             [](unsigned char page) { return (page & 1) != 0; }));
}

// VmData of /proc/self/status: the private writable memory RLIMIT_DATA bounds.
std::optional<uint64_t> DataBytes() {
  std::ifstream status("/proc/self/status");
  for (std::string line; std::getline(status, line);) {
    if (line.rfind("VmData:", 0) == 0) return std::stoull(line.substr(7)) * 1024;
  }
  return std::nullopt;
}

// Page-aligned memory the test owns, as a caller of host_register does.
struct CallerMemory {
  explicit CallerMemory(uint64_t size)
      : size(size), bytes(static_cast<uint8_t*>(std::aligned_alloc(PageSize(), size))) {}
  ~CallerMemory() { std::free(bytes); }
  const uint64_t size;
  uint8_t* const bytes;
};

class CpuCapabilitiesAbiTest : public CpuDriverAbiTest {
 protected:
  hal_drv_buffer* Register(const CallerMemory& memory) {
    const hal_host_registration_desc desc{HAL_STRUCTURE_TYPE_HOST_REGISTRATION_DESC, nullptr,
                                          memory.bytes, memory.size};
    hal_drv_buffer* buffer = nullptr;
    EXPECT_EQ(table_->host_register(context_, &desc, &buffer), HAL_SUCCESS)
        << table_->last_error_message();
    return buffer;
  }
  static uint64_t DeviceAddress(hal_drv_buffer* buffer) {
    uint64_t address = 0;
    EXPECT_EQ(table_->buffer_device_address(context_, buffer, &address), HAL_SUCCESS);
    return address;
  }
  hal_drv_buffer* AllocateDecommittable(uint64_t size) {
    return Allocate(size, HAL_BUFFER_DEVICE, HAL_BUFFER_FLAG_DECOMMITTABLE);
  }
};

// --- Device addresses ---

TEST_F(CpuCapabilitiesAbiTest, DeviceAddressIsTheBuffersHostAddress) {
  for (const hal_buffer_kind kind : {HAL_BUFFER_DEVICE, HAL_BUFFER_HOST_STAGING}) {
    hal_drv_buffer* buffer = Allocate(256, kind);
    EXPECT_EQ(DeviceAddress(buffer), reinterpret_cast<uintptr_t>(Map(buffer)));
    EXPECT_EQ(DeviceAddress(buffer) % Properties().min_buffer_alignment, 0u);
    EXPECT_EQ(DeviceAddress(buffer), DeviceAddress(buffer)) << "stable";
  }
  EXPECT_NE(DeviceAddress(Allocate(64)), DeviceAddress(Allocate(64)));
}

// --- Virtual memory ---

TEST_F(CpuCapabilitiesAbiTest, DecommittableBuffersAreWholePagesCommittedReadWrite) {
  hal_drv_buffer* buffer = nullptr;
  uint64_t allocated = 0;
  ASSERT_EQ(CallBufferAllocate(HAL_BUFFER_DEVICE, 1000, &buffer, &allocated,
                               HAL_BUFFER_FLAG_DECOMMITTABLE),
            HAL_SUCCESS)
      << table_->last_error_message();
  Track(buffer);
  EXPECT_EQ(allocated, Properties().virtual_memory_granularity) << "1000 bytes take a page";
  EXPECT_EQ(DeviceAddress(buffer) % PageSize(), 0u);
  uint8_t* bytes = Map(buffer);
  std::fill_n(bytes, allocated, 0xab);
  EXPECT_EQ(bytes[allocated - 1], 0xab);
}

TEST_F(CpuCapabilitiesAbiTest, DecommitGivesThePagesBackAndRecommitKeepsTheAddress) {
  const uint64_t size = 16 * PageSize();
  hal_drv_buffer* buffer = AllocateDecommittable(size);
  const uint64_t address = DeviceAddress(buffer);
  uint8_t* bytes = Map(buffer);
  std::fill_n(bytes, size, 0x5a);
  EXPECT_EQ(ResidentPages(bytes, size), 16u);

  ASSERT_EQ(table_->buffer_decommit(context_, buffer), HAL_SUCCESS) << table_->last_error_message();
  EXPECT_EQ(ResidentPages(bytes, size), 0u) << "the pages went back to the OS";
  EXPECT_EQ(DeviceAddress(buffer), address);

  ASSERT_EQ(table_->buffer_recommit(context_, buffer), HAL_SUCCESS) << table_->last_error_message();
  EXPECT_EQ(DeviceAddress(buffer), address);
  EXPECT_EQ(Map(buffer), bytes);
  EXPECT_EQ(std::count(bytes, bytes + size, 0), static_cast<ptrdiff_t>(size)) << "fresh pages";
  // A stream writes the recommitted pages like any others.
  hal_drv_stream* stream = CreateStream();
  ASSERT_EQ(table_->stream_fill(stream, buffer, 0, size, 0x01010101u), HAL_SUCCESS);
  ASSERT_EQ(table_->stream_synchronize(stream), HAL_SUCCESS);
  EXPECT_EQ(std::count(bytes, bytes + size, 1), static_cast<ptrdiff_t>(size));
}

TEST_F(CpuCapabilitiesAbiTest, DecommittedBuffersCanBeFreed) {
  hal_drv_buffer* buffer = nullptr;
  uint64_t allocated = 0;
  ASSERT_EQ(CallBufferAllocate(HAL_BUFFER_DEVICE, PageSize(), &buffer, &allocated,
                               HAL_BUFFER_FLAG_DECOMMITTABLE),
            HAL_SUCCESS);
  ASSERT_EQ(table_->buffer_decommit(context_, buffer), HAL_SUCCESS);
  table_->buffer_free(context_, buffer);
}

TEST_F(CpuCapabilitiesAbiTest, DecommitAndRecommitOutOfTurnAreFailedPreconditions) {
  hal_drv_buffer* buffer = AllocateDecommittable(PageSize());
  EXPECT_EQ(table_->buffer_recommit(context_, buffer), HAL_ERROR_FAILED_PRECONDITION);
  EXPECT_THAT(table_->last_error_message(), HasSubstr("already committed"));
  ASSERT_EQ(table_->buffer_decommit(context_, buffer), HAL_SUCCESS);
  EXPECT_EQ(table_->buffer_decommit(context_, buffer), HAL_ERROR_FAILED_PRECONDITION);
  EXPECT_THAT(table_->last_error_message(), HasSubstr("already decommitted"));

  hal_drv_buffer* plain = Allocate(PageSize());
  EXPECT_EQ(table_->buffer_decommit(context_, plain), HAL_ERROR_FAILED_PRECONDITION);
  EXPECT_THAT(table_->last_error_message(), HasSubstr("HAL_BUFFER_FLAG_DECOMMITTABLE"));
}

TEST_F(CpuCapabilitiesAbiTest, DecommittableBufferBeyondTheAddressSpaceIsOutOfMemory) {
  hal_drv_buffer* buffer = nullptr;
  uint64_t allocated = 0;
  EXPECT_EQ(CallBufferAllocate(HAL_BUFFER_DEVICE, uint64_t{1} << 62, &buffer, &allocated,
                               HAL_BUFFER_FLAG_DECOMMITTABLE),
            HAL_ERROR_OUT_OF_MEMORY);
  EXPECT_THAT(table_->last_error_message(), HasSubstr("4611686018427387904 bytes"));
  EXPECT_EQ(CallBufferAllocate(HAL_BUFFER_DEVICE, UINT64_MAX, &buffer, &allocated,
                               HAL_BUFFER_FLAG_DECOMMITTABLE),
            HAL_ERROR_OUT_OF_MEMORY);
}

// The contract's one failure of recommit: no room. RLIMIT_DATA, lowered for
// the moment of the call to what the process holds, makes the kernel refuse.
TEST_F(CpuCapabilitiesAbiTest, RecommitWithoutRoomIsOutOfMemoryAndLeavesItDecommitted) {
  const uint64_t size = 1024 * PageSize();
  hal_drv_buffer* buffer = AllocateDecommittable(size);
  ASSERT_EQ(table_->buffer_decommit(context_, buffer), HAL_SUCCESS);
  const std::optional<uint64_t> data_bytes = DataBytes();
  if (!data_bytes) GTEST_SKIP() << "/proc/self/status has no VmData line";
  rlimit saved{};
  ASSERT_EQ(getrlimit(RLIMIT_DATA, &saved), 0);
  rlimit lowered = saved;
  lowered.rlim_cur = *data_bytes + size / 4;  // room for a message, not the pages
  ASSERT_EQ(setrlimit(RLIMIT_DATA, &lowered), 0);
  const hal_result result = table_->buffer_recommit(context_, buffer);
  const std::string message = table_->last_error_message();
  ASSERT_EQ(setrlimit(RLIMIT_DATA, &saved), 0);
  if (result == HAL_SUCCESS) GTEST_SKIP() << "this kernel does not enforce RLIMIT_DATA";
  EXPECT_EQ(result, HAL_ERROR_OUT_OF_MEMORY);
  EXPECT_THAT(message, AllOf(HasSubstr("committing the pages"), HasSubstr("4194304 bytes")));
  // Still decommitted: only a recommit is valid, and now it succeeds.
  EXPECT_EQ(table_->buffer_decommit(context_, buffer), HAL_ERROR_FAILED_PRECONDITION);
  ASSERT_EQ(table_->buffer_recommit(context_, buffer), HAL_SUCCESS) << table_->last_error_message();
}

// --- Host registration ---

TEST_F(CpuCapabilitiesAbiTest, RegisteredMemoryIsTheBuffersOwnWithoutACopy) {
  CallerMemory memory(2 * PageSize());
  hal_drv_buffer* buffer = Register(memory);
  ASSERT_NE(buffer, nullptr);
  EXPECT_EQ(Map(buffer), memory.bytes);
  EXPECT_EQ(DeviceAddress(buffer), reinterpret_cast<uintptr_t>(memory.bytes));
  std::fill_n(memory.bytes, memory.size, 0x77);
  table_->buffer_free(context_, buffer);
  EXPECT_EQ(std::count(memory.bytes, memory.bytes + memory.size, 0x77),
            static_cast<ptrdiff_t>(memory.size))
      << "freeing a registered buffer leaves the caller's memory alone";
}

TEST_F(CpuCapabilitiesAbiTest, RegisteredMemoryTakesPartInCopiesInBothDirections) {
  CallerMemory memory(PageSize());
  hal_drv_buffer* registered = Register(memory);
  ASSERT_NE(registered, nullptr);
  Track(registered);
  hal_drv_buffer* device = Allocate(PageSize());
  hal_drv_stream* stream = CreateStream();
  std::vector<uint8_t> source(PageSize());
  std::iota(source.begin(), source.end(), uint8_t{3});
  std::vector<uint8_t> back(PageSize());
  // host -> registered -> device -> host, and device -> registered.
  ASSERT_EQ(table_->stream_copy_host_to_device(stream, source.data(), registered, 0, PageSize()),
            HAL_SUCCESS);
  ASSERT_EQ(table_->stream_copy_buffer(stream, registered, 0, device, 0, PageSize()), HAL_SUCCESS);
  ASSERT_EQ(table_->stream_fill(stream, registered, 0, PageSize(), 0), HAL_SUCCESS);
  ASSERT_EQ(table_->stream_copy_buffer(stream, device, 0, registered, 0, PageSize()), HAL_SUCCESS);
  ASSERT_EQ(table_->stream_copy_device_to_host(stream, registered, 0, back.data(), PageSize()),
            HAL_SUCCESS);
  ASSERT_EQ(table_->stream_synchronize(stream), HAL_SUCCESS);
  EXPECT_EQ(back, source);
  EXPECT_TRUE(std::equal(source.begin(), source.end(), memory.bytes));
}

// Copies out of registered memory write with streaming stores, in the pool's
// blocks: every byte arrives at odd offsets and sizes, in both kinds of copy,
// and copies from the memory after its registration ended still do.
TEST_F(CpuCapabilitiesAbiTest, CopiesOutOfRegisteredMemoryAreExactAtOddOffsets) {
  constexpr uint64_t kSize = (uint64_t{1} << 20) + 77;  // past one pool block
  CallerMemory memory(4 << 20);
  for (uint64_t i = 0; i < memory.size; ++i) {
    memory.bytes[i] = static_cast<uint8_t>(i * 7 + i / 4093);
  }
  hal_drv_buffer* registered = Register(memory);
  ASSERT_NE(registered, nullptr);
  hal_drv_buffer* device = Allocate(kSize + 64);
  hal_drv_stream* stream = CreateStream();
  const auto expect_copied = [&](uint64_t source_offset, const char* how) {
    std::vector<uint8_t> back(kSize);
    ASSERT_EQ(table_->stream_copy_device_to_host(stream, device, 5, back.data(), kSize),
              HAL_SUCCESS);
    ASSERT_EQ(table_->stream_synchronize(stream), HAL_SUCCESS);
    EXPECT_TRUE(std::equal(back.begin(), back.end(), memory.bytes + source_offset)) << how;
  };
  ASSERT_EQ(table_->stream_copy_host_to_device(stream, memory.bytes + 13, device, 5, kSize),
            HAL_SUCCESS);
  expect_copied(13, "host -> device from inside the registration");
  ASSERT_EQ(table_->stream_copy_buffer(stream, registered, 1001, device, 5, kSize), HAL_SUCCESS);
  expect_copied(1001, "registered buffer -> device");
  table_->buffer_free(context_, registered);
  ASSERT_EQ(table_->stream_copy_host_to_device(stream, memory.bytes + 3, device, 5, kSize),
            HAL_SUCCESS);
  expect_copied(3, "host -> device once the registration ended");
}

}  // namespace
}  // namespace hal::cpu_abi_test
