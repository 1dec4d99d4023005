// Tests the CPU driver plugin through its C ABI alone, as the runtime sees
// it: dlopen the built library, take its table, and call nothing else.
#include <unistd.h>

#include <fstream>
#include <string>
#include <vector>

#include "backends/cpu/cpu_driver_abi_fixture.h"

// The out-of-memory test asks for more than any machine has; sanitizer
// allocators would abort instead of failing the allocation.
extern "C" __attribute__((visibility("default"))) const char* __asan_default_options() {
  return "allocator_may_return_null=1";
}
extern "C" __attribute__((visibility("default"))) const char* __tsan_default_options() {
  return "allocator_may_return_null=1";
}

namespace hal::cpu_abi_test {
namespace {

// --- Table and devices ---

TEST_F(CpuDriverAbiTest, TableDeclaresItsAbiVersionAndName) {
  EXPECT_EQ(table_->type, HAL_STRUCTURE_TYPE_DRIVER_TABLE);
  EXPECT_EQ(table_->struct_size, sizeof(hal_driver_table));
  EXPECT_EQ(table_->abi_major, HAL_DRIVER_ABI_VERSION_MAJOR);
  EXPECT_EQ(table_->abi_minor, HAL_DRIVER_ABI_VERSION_MINOR);
  EXPECT_STREQ(table_->name, "cpu");
  EXPECT_STRNE(table_->version, "");
}

TEST_F(CpuDriverAbiTest, RefusesAnotherMajorVersionAndServesAnyMinor) {
  EXPECT_EQ(get_table_(HAL_DRIVER_ABI_VERSION_MAJOR + 1, 0), nullptr);
  EXPECT_EQ(get_table_(HAL_DRIVER_ABI_VERSION_MAJOR, HAL_DRIVER_ABI_VERSION_MINOR + 1), table_);
}

TEST_F(CpuDriverAbiTest, LastErrorMessageIsNeverNull) {
  const char* message = nullptr;
  std::thread([&] { message = table_->last_error_message(); }).join();
  ASSERT_NE(message, nullptr);
}

TEST_F(CpuDriverAbiTest, ReportsTheHostCpuAsOneDevice) {
  uint32_t count = 0;
  ASSERT_EQ(table_->device_count(&count), HAL_SUCCESS);
  ASSERT_EQ(count, 1u);
  const hal_device_properties props = Properties();
  EXPECT_EQ(props.type, HAL_STRUCTURE_TYPE_DEVICE_PROPERTIES);
  EXPECT_STRNE(props.name, "");
  EXPECT_STRNE(props.vendor, "");
  EXPECT_EQ(props.device_type, HAL_DEVICE_TYPE_CPU);
  EXPECT_STREQ(props.architecture, kExpectedFormat + std::strlen("cpu-elf:"));
  EXPECT_STREQ(props.pci_bus_id, "") << "the host CPU is not a PCI device";
  EXPECT_GT(props.total_memory_bytes, uint64_t{64} << 20);
  EXPECT_GE(props.compute_units, 1u);
  EXPECT_LE(props.compute_units, std::thread::hardware_concurrency());
  EXPECT_STREQ(props.kernel_formats, kExpectedFormat);
  EXPECT_EQ(props.partition_kind, HAL_PARTITION_NONE);
  EXPECT_EQ(props.partition_max_units, props.compute_units);
  // Unpartitioned: the only grant is the whole device.
  EXPECT_EQ(props.partition_min_units, props.compute_units);
  EXPECT_EQ(props.partition_alignment, 1u);
  EXPECT_EQ(props.virtual_memory_granularity, static_cast<uint64_t>(sysconf(_SC_PAGESIZE)));
  EXPECT_EQ(props.min_buffer_alignment, 64u);
  EXPECT_EQ(props.binding_offset_alignment, 16u);
  EXPECT_EQ(props.allocation_granularity, 64u);
  EXPECT_GE(props.timestamp_resolution_ns, 1u);
  for (int d = 0; d < 3; ++d) {
    EXPECT_GE(props.max_workgroup_size[d], 1024u);
    EXPECT_GE(props.max_workgroup_count[d], 65535u);
  }
  EXPECT_GE(props.max_workgroup_invocations, 1024u);
  // A version-8 (vendor-specific) RFC 9562 UUID.
  EXPECT_EQ(props.uuid[6] >> 4, 8);
  EXPECT_EQ(props.uuid[8] >> 6, 2);
}

TEST_F(CpuDriverAbiTest, UuidIsStableAcrossCalls) {
  const hal_device_properties first = Properties();
  const hal_device_properties second = Properties();
  EXPECT_EQ(std::memcmp(first.uuid, second.uuid, sizeof(first.uuid)), 0);
}

// A later runtime chains output structs the driver does not know to `next`:
// the driver leaves the chain and the structs on it alone.
TEST_F(CpuDriverAbiTest, LeavesTheCallersOutputChainAlone) {
  struct UnknownOutput {
    hal_chain_header header;
    uint32_t value;
  } unknown{{static_cast<hal_structure_type>(0x7fff), nullptr}, 0x5a5a5a5a};
  hal_device_properties props{};
  props.type = HAL_STRUCTURE_TYPE_DEVICE_PROPERTIES;
  props.next = &unknown;
  ASSERT_EQ(table_->device_get_properties(0, &props), HAL_SUCCESS);
  EXPECT_EQ(props.next, &unknown);
  EXPECT_EQ(unknown.value, 0x5a5a5a5au);
  EXPECT_STRNE(props.name, "");
}

// The L2 size comes from sysfs where it says; 0 (unknown) is allowed.
TEST_F(CpuDriverAbiTest, ReportsTheL2CacheSizeWhereSysfsGivesIt) {
  const hal_device_properties props = Properties();
  std::ifstream size_file("/sys/devices/system/cpu/cpu0/cache/index2/size");
  std::ifstream level_file("/sys/devices/system/cpu/cpu0/cache/index2/level");
  int level = 0;
  if (!(level_file >> level) || level != 2 || !size_file) {
    EXPECT_EQ(props.l2_cache_bytes % 1024, 0u);
    GTEST_SKIP() << "sysfs does not describe an L2 cache at index2 here";
  }
  uint64_t kibibytes = 0;
  char unit = 0;
  ASSERT_TRUE(size_file >> kibibytes >> unit);
  ASSERT_EQ(unit, 'K') << "sysfs writes cache sizes in K";
  EXPECT_EQ(props.l2_cache_bytes, kibibytes * 1024);
}

// The CPU reports device addresses, virtual memory and host registration
// (cpu_capabilities_abi_test.cc tests them) with their entries; it has no
// vendor objects, no stream priorities and no cache, whose entries stay NULL
// so that no runtime calls them.
TEST_F(CpuDriverAbiTest, ReportsItsCapabilitiesWithTheirEntriesAndNoOthers) {
  EXPECT_EQ(Properties().capabilities,
            static_cast<uint32_t>(HAL_CAPABILITY_DEVICE_ADDRESS | HAL_CAPABILITY_VIRTUAL_MEMORY |
                                  HAL_CAPABILITY_HOST_REGISTRATION));
  EXPECT_NE(table_->buffer_device_address, nullptr);
  EXPECT_NE(table_->buffer_decommit, nullptr);
  EXPECT_NE(table_->buffer_recommit, nullptr);
  EXPECT_NE(table_->host_register, nullptr);
  EXPECT_EQ(table_->native_handle, nullptr);
  EXPECT_EQ(table_->context_trim_memory, nullptr);
}

TEST_F(CpuDriverAbiTest, ServesEveryDeviceItFinds) {
  ASSERT_NE(table_->unusable_device_count, nullptr);
  EXPECT_EQ(table_->unusable_device_count(), 0u);
}

TEST_F(CpuDriverAbiTest, FreeMemoryIsWithinTheTotal) {
  uint64_t free_bytes = 0;
  uint64_t total_bytes = 0;
  ASSERT_EQ(table_->device_get_memory_info(0, &free_bytes, &total_bytes), HAL_SUCCESS);
  EXPECT_EQ(total_bytes, Properties().total_memory_bytes);
  EXPECT_GT(free_bytes, 0u);
  EXPECT_LE(free_bytes, total_bytes);
}

TEST_F(CpuDriverAbiTest, ContextIsGrantedTheWholeDevice) {
  uint32_t units = 0;
  ASSERT_EQ(table_->context_get_partition(context_, &units), HAL_SUCCESS);
  EXPECT_EQ(units, Properties().compute_units);
}

// --- Memory ---

TEST_F(CpuDriverAbiTest, AllocatesAlignedMappableBuffersOfBothKinds) {
  for (const hal_buffer_kind kind : {HAL_BUFFER_DEVICE, HAL_BUFFER_HOST_STAGING}) {
    hal_drv_buffer* buffer = nullptr;
    uint64_t allocated = 0;
    ASSERT_EQ(CallBufferAllocate(kind, 1000, &buffer, &allocated), HAL_SUCCESS);
    EXPECT_EQ(allocated, 1024u) << "1000 bytes rounded up to the 64-byte granularity";
    void* host = nullptr;
    ASSERT_EQ(table_->buffer_map(context_, buffer, &host), HAL_SUCCESS);
    EXPECT_EQ(reinterpret_cast<uintptr_t>(host) % 64, 0u);
    std::memset(host, 0xab, allocated);  // the whole rounded size is usable
    EXPECT_EQ(static_cast<uint8_t*>(host)[allocated - 1], 0xab);
    table_->buffer_free(context_, buffer);
  }
}

TEST_F(CpuDriverAbiTest, AllocationBeyondTheAddressSpaceIsOutOfMemory) {
  hal_drv_buffer* buffer = nullptr;
  uint64_t allocated = 0;
  EXPECT_EQ(CallBufferAllocate(HAL_BUFFER_DEVICE, uint64_t{1} << 62, &buffer, &allocated),
            HAL_ERROR_OUT_OF_MEMORY);
  EXPECT_THAT(table_->last_error_message(), HasSubstr("4611686018427387904 bytes"));
  EXPECT_EQ(CallBufferAllocate(HAL_BUFFER_DEVICE, UINT64_MAX, &buffer, &allocated),
            HAL_ERROR_OUT_OF_MEMORY);
}

// --- Copies and fills ---

TEST_F(CpuDriverAbiTest, CopiesInEveryDirectionWithOffsets) {
  hal_drv_stream* stream = CreateStream();
  hal_drv_buffer* first = Allocate(256);
  hal_drv_buffer* second = Allocate(256, HAL_BUFFER_HOST_STAGING);
  std::vector<uint8_t> source(100);
  std::iota(source.begin(), source.end(), uint8_t{1});
  std::vector<uint8_t> result(120, 0xee);
  std::memset(Map(first), 0, 256);
  std::memset(Map(second), 0, 256);

  ASSERT_EQ(table_->stream_copy_host_to_device(stream, source.data(), first, 7, 100), HAL_SUCCESS);
  ASSERT_EQ(table_->stream_copy_buffer(stream, first, 7, second, 131, 100), HAL_SUCCESS);
  ASSERT_EQ(table_->stream_copy_device_to_host(stream, second, 131, result.data() + 10, 100),
            HAL_SUCCESS);
  ASSERT_EQ(table_->stream_synchronize(stream), HAL_SUCCESS);

  EXPECT_EQ(Map(first)[6], 0);
  EXPECT_EQ(std::memcmp(Map(first) + 7, source.data(), 100), 0);
  EXPECT_EQ(Map(first)[107], 0);
  EXPECT_EQ(Map(second)[130], 0);
  EXPECT_EQ(std::memcmp(Map(second) + 131, source.data(), 100), 0);
  EXPECT_EQ(Map(second)[231], 0);
  EXPECT_EQ(result[9], 0xee);
  EXPECT_EQ(std::memcmp(result.data() + 10, source.data(), 100), 0);
  EXPECT_EQ(result[110], 0xee);
}

TEST_F(CpuDriverAbiTest, CopyOntoAnOverlappingRangeOfTheSameBufferActsAsMemmove) {
  hal_drv_stream* stream = CreateStream();
  hal_drv_buffer* buffer = Allocate(256);
  std::vector<uint8_t> original(256);
  std::iota(original.begin(), original.end(), uint8_t{0});
  std::memcpy(Map(buffer), original.data(), 256);
  ASSERT_EQ(table_->stream_copy_buffer(stream, buffer, 0, buffer, 16, 200), HAL_SUCCESS);
  ASSERT_EQ(table_->stream_synchronize(stream), HAL_SUCCESS);
  EXPECT_EQ(std::memcmp(Map(buffer), original.data(), 16), 0);
  EXPECT_EQ(std::memcmp(Map(buffer) + 16, original.data(), 200), 0);
  EXPECT_EQ(std::memcmp(Map(buffer) + 216, original.data() + 216, 40), 0);
}

TEST_F(CpuDriverAbiTest, CopiesOfZeroBytesTouchNothing) {
  hal_drv_stream* stream = CreateStream();
  hal_drv_buffer* buffer = Allocate(64);
  std::memset(Map(buffer), 0x11, 64);
  ASSERT_EQ(table_->stream_copy_host_to_device(stream, nullptr, buffer, 64, 0), HAL_SUCCESS);
  ASSERT_EQ(table_->stream_copy_device_to_host(stream, buffer, 0, nullptr, 0), HAL_SUCCESS);
  ASSERT_EQ(table_->stream_copy_buffer(stream, buffer, 64, buffer, 0, 0), HAL_SUCCESS);
  ASSERT_EQ(table_->stream_fill(stream, buffer, 0, 0, 0), HAL_SUCCESS);
  ASSERT_EQ(table_->stream_synchronize(stream), HAL_SUCCESS);
  EXPECT_EQ(Map(buffer)[0], 0x11);
  EXPECT_EQ(Map(buffer)[63], 0x11);
}

TEST_F(CpuDriverAbiTest, FillRepeatsThePatternLittleEndianWithinItsRange) {
  hal_drv_stream* stream = CreateStream();
  hal_drv_buffer* buffer = Allocate(64);
  std::memset(Map(buffer), 0, 64);
  ASSERT_EQ(table_->stream_fill(stream, buffer, 8, 12, 0xa1b2c3d4), HAL_SUCCESS);
  ASSERT_EQ(table_->stream_synchronize(stream), HAL_SUCCESS);
  const uint8_t* bytes = Map(buffer);
  EXPECT_EQ(bytes[7], 0);
  for (int i = 8; i < 20; i += 4) {
    EXPECT_EQ(bytes[i], 0xd4);
    EXPECT_EQ(bytes[i + 1], 0xc3);
    EXPECT_EQ(bytes[i + 2], 0xb2);
    EXPECT_EQ(bytes[i + 3], 0xa1);
  }
  EXPECT_EQ(bytes[20], 0);
}

TEST_F(CpuDriverAbiTest, LargeCopiesAndFillsSpreadOverThePoolCoverEveryByte) {
  // Several 1 MiB blocks plus a ragged tail, at unaligned offsets.
  constexpr uint64_t kSize = (uint64_t{5} << 20) + 12;
  hal_drv_stream* stream = CreateStream();
  hal_drv_buffer* source = Allocate(kSize + 64);
  hal_drv_buffer* destination = Allocate(kSize + 64);
  std::vector<uint32_t> host(kSize / 4);
  std::iota(host.begin(), host.end(), 0u);
  std::vector<uint32_t> readback(kSize / 4);

  ASSERT_EQ(table_->stream_fill(stream, destination, 4, kSize, 0x01020304), HAL_SUCCESS);
  ASSERT_EQ(table_->stream_synchronize(stream), HAL_SUCCESS);
  const uint32_t* filled = reinterpret_cast<const uint32_t*>(Map(destination) + 4);
  EXPECT_EQ(std::count(filled, filled + kSize / 4, 0x01020304u), static_cast<long>(kSize / 4));

  ASSERT_EQ(table_->stream_copy_host_to_device(stream, host.data(), source, 3, kSize), HAL_SUCCESS);
  ASSERT_EQ(table_->stream_copy_buffer(stream, source, 3, destination, 17, kSize), HAL_SUCCESS);
  ASSERT_EQ(table_->stream_copy_device_to_host(stream, destination, 17, readback.data(), kSize),
            HAL_SUCCESS);
  ASSERT_EQ(table_->stream_synchronize(stream), HAL_SUCCESS);
  EXPECT_EQ(readback, host);
}

// The size of CPU 0's highest-level cache from sysfs; 0 where it says none.
uint64_t LastLevelCacheBytes() {
  uint64_t bytes = 0;
  for (int index = 0, highest = 0;; ++index) {
    const std::string folder =
        "/sys/devices/system/cpu/cpu0/cache/index" + std::to_string(index) + "/";
    std::ifstream level_file(folder + "level");
    int level = 0;
    if (!(level_file >> level)) return bytes;
    uint64_t kibibytes = 0;
    char unit = 0;
    if (level > highest && std::ifstream(folder + "size") >> kibibytes >> unit && unit == 'K') {
      highest = level;
      bytes = kibibytes << 10;
    }
  }
}

// Copies and fills from 3/4 of the last-level cache up write with streaming
// stores, in the pool's blocks: every byte arrives, at odd offsets, in every
// direction, and nothing is written around them.
TEST_F(CpuDriverAbiTest, CopiesAndFillsLargerThanTheLastLevelCacheAreExact) {
  const uint64_t cache = LastLevelCacheBytes();
  if (cache == 0) GTEST_SKIP() << "sysfs gives no cache size here";
  const uint64_t size = cache + (uint64_t{1} << 20) + 13;
  hal_drv_stream* stream = CreateStream();
  hal_drv_buffer* source = Allocate(size + 64);
  hal_drv_buffer* destination = Allocate(size + 64);
  std::vector<uint8_t> host(size);
  for (uint64_t i = 0; i < size; ++i) host[i] = static_cast<uint8_t>(i * 7 + i / 4093);
  std::vector<uint8_t> readback(size);
  ASSERT_EQ(table_->stream_fill(stream, destination, 0, size + 64, 0xeeeeeeee), HAL_SUCCESS);
  const uint64_t fill_size = size / 4 * 4;
  ASSERT_EQ(table_->stream_fill(stream, destination, 20, fill_size, 0x01020304), HAL_SUCCESS);
  ASSERT_EQ(table_->stream_synchronize(stream), HAL_SUCCESS);
  const uint32_t* words = Map<uint32_t>(destination);
  EXPECT_EQ(words[4], 0xeeeeeeeeu) << "the word before the fill was written";
  EXPECT_EQ(std::count(words + 5, words + 5 + fill_size / 4, 0x01020304u),
            static_cast<long>(fill_size / 4));
  EXPECT_EQ(words[5 + fill_size / 4], 0xeeeeeeeeu) << "the word after the fill was written";
  ASSERT_EQ(table_->stream_fill(stream, destination, 0, size + 64, 0xeeeeeeee), HAL_SUCCESS);
  ASSERT_EQ(table_->stream_copy_host_to_device(stream, host.data(), source, 3, size), HAL_SUCCESS);
  ASSERT_EQ(table_->stream_copy_buffer(stream, source, 3, destination, 17, size), HAL_SUCCESS);
  ASSERT_EQ(table_->stream_copy_device_to_host(stream, destination, 17, readback.data(), size),
            HAL_SUCCESS);
  ASSERT_EQ(table_->stream_synchronize(stream), HAL_SUCCESS);
  EXPECT_TRUE(readback == host);
  const uint8_t* mapped = Map(destination);
  EXPECT_EQ(mapped[16], 0xee) << "the byte before the copy was written";
  EXPECT_EQ(mapped[17 + size], 0xee) << "the byte after the copy was written";
}

// --- Streams and events ---

TEST_F(CpuDriverAbiTest, EventsCompleteInOrderWithMonotonicTimestamps) {
  hal_drv_stream* stream = CreateStream();
  hal_drv_buffer* buffer = Allocate(1 << 20);
  std::vector<hal_drv_event*> events;
  for (int i = 0; i < 8; ++i) {
    events.push_back(CreateEvent());
    ASSERT_EQ(table_->stream_fill(stream, buffer, 0, 1 << 20, i), HAL_SUCCESS);
    ASSERT_EQ(table_->stream_signal_event(stream, events.back()), HAL_SUCCESS);
  }
  ASSERT_EQ(table_->event_synchronize(events.back()), HAL_SUCCESS);
  uint64_t previous = 0;
  for (hal_drv_event* event : events) {
    EXPECT_EQ(table_->event_query(event), HAL_SUCCESS) << "an earlier event is still pending";
    const uint64_t ns = Timestamp(event);
    EXPECT_GE(ns, previous);
    previous = ns;
  }
  EXPECT_GT(Timestamp(events.back()), Timestamp(events.front()))
      << "eight 1 MiB fills took no time at all";
}

TEST_F(CpuDriverAbiTest, NeverSignalledEventIsNotReadyAndCannotBeWaitedFor) {
  hal_drv_stream* stream = CreateStream();
  hal_drv_event* event = CreateEvent();
  EXPECT_EQ(table_->event_query(event), HAL_NOT_READY);
  EXPECT_EQ(table_->event_synchronize(event), HAL_ERROR_FAILED_PRECONDITION);
  EXPECT_THAT(table_->last_error_message(), HasSubstr("never signalled"));
  uint64_t ns = 0;
  EXPECT_EQ(table_->event_timestamp_ns(event, &ns), HAL_ERROR_FAILED_PRECONDITION);
  EXPECT_THAT(table_->last_error_message(), HasSubstr("never signalled"));
  EXPECT_EQ(table_->stream_wait_event(stream, event), HAL_ERROR_FAILED_PRECONDITION);
  EXPECT_THAT(table_->last_error_message(), HasSubstr("never signalled"));
}

TEST_F(CpuDriverAbiTest, WaitEventHoldsBackAnotherStream) {
  hal_drv_stream* producer = CreateStream();
  hal_drv_stream* consumer = CreateStream();
  hal_drv_event* produced = CreateEvent();
  hal_drv_event* consumed = CreateEvent();
  hal_drv_buffer* buffer = Allocate(64);
  std::memset(Map(buffer), 0, 64);

  Hold(producer);
  ASSERT_EQ(table_->stream_fill(producer, buffer, 0, 4, 7), HAL_SUCCESS);
  ASSERT_EQ(table_->stream_signal_event(producer, produced), HAL_SUCCESS);
  ASSERT_EQ(table_->stream_wait_event(consumer, produced), HAL_SUCCESS);
  ASSERT_EQ(table_->stream_copy_buffer(consumer, buffer, 0, buffer, 4, 4), HAL_SUCCESS);
  ASSERT_EQ(table_->stream_signal_event(consumer, consumed), HAL_SUCCESS);

  // Give the consumer time to run ahead if the wait did not hold it.
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  EXPECT_EQ(table_->event_query(produced), HAL_NOT_READY);
  EXPECT_EQ(table_->event_query(consumed), HAL_NOT_READY);
  Release();

  ASSERT_EQ(table_->stream_synchronize(consumer), HAL_SUCCESS);
  EXPECT_EQ(Map<uint32_t>(buffer)[1], 7u) << "the consumer copied before the producer filled";
  EXPECT_EQ(table_->event_query(produced), HAL_SUCCESS);
  EXPECT_LE(Timestamp(produced), Timestamp(consumed));
}

TEST_F(CpuDriverAbiTest, ResignallingResetsTheEventUntilReached) {
  hal_drv_stream* stream = CreateStream();
  hal_drv_event* event = CreateEvent();
  ASSERT_EQ(table_->stream_signal_event(stream, event), HAL_SUCCESS);
  ASSERT_EQ(table_->event_synchronize(event), HAL_SUCCESS);
  const uint64_t first = Timestamp(event);

  Hold(stream);
  ASSERT_EQ(table_->stream_signal_event(stream, event), HAL_SUCCESS);
  EXPECT_EQ(table_->event_query(event), HAL_NOT_READY);
  uint64_t ns = 0;
  EXPECT_EQ(table_->event_timestamp_ns(event, &ns), HAL_ERROR_FAILED_PRECONDITION);
  EXPECT_THAT(table_->last_error_message(), HasSubstr("not been reached"));
  Release();
  ASSERT_EQ(table_->event_synchronize(event), HAL_SUCCESS);
  EXPECT_GT(Timestamp(event), first);
}

TEST_F(CpuDriverAbiTest, StreamQueryTellsPendingFromIdleWithoutBlocking) {
  hal_drv_stream* stream = CreateStream();
  EXPECT_EQ(table_->stream_query(stream), HAL_SUCCESS) << "a new stream is idle";
  Hold(stream);
  // The held kernel cannot finish before Release(): a blocking query would hang.
  EXPECT_EQ(table_->stream_query(stream), HAL_NOT_READY);
  EXPECT_EQ(table_->stream_query(stream), HAL_NOT_READY);
  Release();
  ASSERT_EQ(table_->stream_synchronize(stream), HAL_SUCCESS);
  EXPECT_EQ(table_->stream_query(stream), HAL_SUCCESS);
}

// The worker completes the event and counts the signal as two steps; a caller
// who waited for either must see the other done too. Many rounds, since one
// round only hits the gap between the steps by chance.
TEST_F(CpuDriverAbiTest, AStreamAndItsLastSignalsEventCompleteTogether) {
  hal_drv_stream* stream = CreateStream();
  hal_drv_event* event = CreateEvent();
  int stream_pending_after_the_event = 0;
  int event_pending_after_the_stream = 0;
  for (int round = 0; round < 20000; ++round) {
    ASSERT_EQ(table_->stream_signal_event(stream, event), HAL_SUCCESS);
    ASSERT_EQ(table_->event_synchronize(event), HAL_SUCCESS);
    if (table_->stream_query(stream) != HAL_SUCCESS) ++stream_pending_after_the_event;
    ASSERT_EQ(table_->stream_signal_event(stream, event), HAL_SUCCESS);
    ASSERT_EQ(table_->stream_synchronize(stream), HAL_SUCCESS);
    if (table_->event_query(event) != HAL_SUCCESS) ++event_pending_after_the_stream;
  }
  EXPECT_EQ(stream_pending_after_the_event, 0);
  EXPECT_EQ(event_pending_after_the_stream, 0);
}

TEST_F(CpuDriverAbiTest, EventMayBeDestroyedWhileItsSignalIsQueued) {
  hal_drv_stream* stream = CreateStream();
  Hold(stream);
  hal_drv_event* event = nullptr;
  ASSERT_EQ(table_->event_create(context_, &kEventDesc, &event), HAL_SUCCESS);
  ASSERT_EQ(table_->stream_signal_event(stream, event), HAL_SUCCESS);
  ASSERT_EQ(table_->stream_wait_event(stream, event), HAL_SUCCESS);
  table_->event_destroy(event);
  Release();
  EXPECT_EQ(table_->stream_synchronize(stream), HAL_SUCCESS);
}

TEST_F(CpuDriverAbiTest, StreamDestroyFinishesQueuedWork) {
  constexpr uint64_t kSize = 4 << 20;
  hal_drv_buffer* buffer = Allocate(kSize);
  hal_drv_stream* stream = nullptr;
  ASSERT_EQ(table_->stream_create(context_, &kStreamDesc, &stream), HAL_SUCCESS);
  for (uint32_t i = 1; i <= 4; ++i) {
    ASSERT_EQ(table_->stream_fill(stream, buffer, 0, kSize, i), HAL_SUCCESS);
  }
  table_->stream_destroy(stream);
  const uint32_t* words = Map<uint32_t>(buffer);
  EXPECT_EQ(std::count(words, words + kSize / 4, 4u), static_cast<long>(kSize / 4));
}

}  // namespace
}  // namespace hal::cpu_abi_test
