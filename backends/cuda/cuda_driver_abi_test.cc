// The CUDA driver's table over the fake libcuda: initialization and its
// failures, devices, contexts, memory, streams, events and native handles.
#include <cuda.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <numeric>

#include "backends/cuda/cuda_driver_abi_fixture.h"

namespace hal::cuda_abi_test {
namespace {

using ::testing::AllOf;
using ::testing::StartsWith;

using CudaInitTest = CudaDriverTest;

TEST_F(CudaInitTest, TableIsAbi2AndNamedCuda) {
  EXPECT_EQ(table_->type, HAL_STRUCTURE_TYPE_DRIVER_TABLE);
  EXPECT_EQ(table_->abi_major, 2);
  EXPECT_EQ(table_->struct_size, sizeof(hal_driver_table));
  EXPECT_STREQ(table_->name, "cuda");
}

TEST_F(CudaInitTest, InitFailureIsUnavailableWithItsName) {
  EXPECT_EQ(Start("init_error=100"), HAL_ERROR_UNAVAILABLE);
  EXPECT_THAT(table_->last_error_message(),
              AllOf(StartsWith("cuInit: CUDA_ERROR_NO_DEVICE (100)"), HasSubstr("no NVIDIA GPU")));
  EXPECT_EQ(Start("init_error=34"), HAL_ERROR_UNAVAILABLE);
  EXPECT_THAT(table_->last_error_message(),
              AllOf(HasSubstr("CUDA_ERROR_STUB_LIBRARY (34)"), HasSubstr("stub library")));
}

TEST_F(CudaInitTest, NoDeviceIsUnavailable) {
  EXPECT_EQ(Start("devices=0"), HAL_ERROR_UNAVAILABLE);
  EXPECT_THAT(table_->last_error_message(), HasSubstr("no CUDA device"));
}

TEST_F(CudaInitTest, ADeviceThatCannotBeReadIsListedUnusableWithTheReason) {
  ASSERT_EQ(Start("devices=2", "cuDeviceGetName", CUDA_ERROR_UNKNOWN, 1), HAL_SUCCESS)
      << table_->last_error_message();
  EXPECT_EQ(DeviceCount(), 1u);
  const auto unusable = UnusableDevices();
  ASSERT_EQ(unusable.size(), 1u);
  EXPECT_EQ(unusable[0].first, "CUDA device 0");
  EXPECT_THAT(unusable[0].second, StartsWith("cuDeviceGetName: CUDA_ERROR_UNKNOWN (999)"));

  EXPECT_EQ(Start("devices=2", "cuDeviceGetName", CUDA_ERROR_UNKNOWN, 2), HAL_ERROR_UNAVAILABLE);
  EXPECT_THAT(table_->last_error_message(),
              AllOf(HasSubstr("no CUDA device can be served"), HasSubstr("CUDA device 1: ")));
}

TEST_F(CudaInitTest, EveryEntryPointIsResolvedAtItsCurrentVariant) {
  // The fake records a violation when a name is resolved at a version whose
  // variant is the legacy ABI (cuMemAlloc below 3020 ...).
  ASSERT_NE(Allocate(kMiB), nullptr);
  EXPECT_STREQ(fake_.last_violation(), "");
  EXPECT_GE(fake_.call_count("cuInit"), 1u);
}

TEST_F(CudaInitTest, PropertiesOfAnH100LikeDevice) {
  uint32_t count = 0;
  ASSERT_EQ(table_->device_count(&count), HAL_SUCCESS);
  EXPECT_EQ(count, 1u);
  EXPECT_EQ(table_->unusable_device_count(), 0u);
  const hal_device_properties props = Properties(0);
  EXPECT_NE(props.name[0], '\0');
  EXPECT_STREQ(props.vendor, "NVIDIA");
  EXPECT_STREQ(props.architecture, "sm_90");
  EXPECT_STREQ(props.kernel_formats, "cubin:sm_90,ptx");
  EXPECT_NE(props.pci_bus_id[0], '\0');
  EXPECT_TRUE(
      std::any_of(std::begin(props.uuid), std::end(props.uuid), [](uint8_t b) { return b != 0; }));
  EXPECT_EQ(props.compute_units, 132u);
  EXPECT_EQ(props.total_memory_bytes, 1024 * kMiB);
  EXPECT_EQ(props.partition_kind, HAL_PARTITION_SM);
  EXPECT_EQ(props.partition_min_units, 8u);
  EXPECT_EQ(props.partition_alignment, 8u);
  EXPECT_EQ(props.partition_max_units, 132u);
  EXPECT_EQ(props.virtual_memory_granularity, 2 * kMiB);
  constexpr uint32_t kAll = HAL_CAPABILITY_DEVICE_ADDRESS | HAL_CAPABILITY_VIRTUAL_MEMORY |
                            HAL_CAPABILITY_HOST_REGISTRATION | HAL_CAPABILITY_NATIVE_HANDLES |
                            HAL_CAPABILITY_STREAM_PRIORITY | HAL_CAPABILITY_MEMORY_CACHE;
  EXPECT_EQ(props.capabilities, kAll);
  EXPECT_GE(props.max_workgroup_invocations, 256u);
  EXPECT_GT(props.max_workgroup_count[0], 0u);
  EXPECT_GT(props.timestamp_resolution_ns, 0u);
  EXPECT_EQ(props.device_buffers_mappable, 0u);
  uint64_t free_bytes = 0, total_bytes = 0;
  ASSERT_EQ(table_->device_get_memory_info(0, &free_bytes, &total_bytes), HAL_SUCCESS)
      << table_->last_error_message();
  EXPECT_EQ(total_bytes, 1024 * kMiB);
  EXPECT_LE(free_bytes, total_bytes);
}

TEST_F(CudaInitTest, DevicesWithoutVirtualMemoryOrGreenContextsLackThoseCapabilities) {
  ASSERT_EQ(Start("devices=2;sm=90,86;sms=132,84;memory_mib=512,256;vmm=1,0;green=1,0"),
            HAL_SUCCESS)
      << table_->last_error_message();
  const hal_device_properties second = Properties(1);
  EXPECT_STREQ(second.architecture, "sm_86");
  EXPECT_STREQ(second.kernel_formats, "cubin:sm_86,cubin:sm_80,ptx");
  EXPECT_EQ(second.capabilities & HAL_CAPABILITY_VIRTUAL_MEMORY, 0u);
  EXPECT_EQ(second.virtual_memory_granularity, 0u);
  EXPECT_EQ(second.partition_kind, HAL_PARTITION_NONE);
  EXPECT_EQ(second.partition_max_units, 84u);
  hal_drv_context* context = CreateContext(1, 16);
  uint32_t units = 0;
  ASSERT_EQ(table_->context_get_partition(context, &units), HAL_SUCCESS);
  EXPECT_EQ(units, 84u) << "no partition: the whole device";
}

class CudaMemoryTest : public CudaDriverTest {
 protected:
  const char* Config() const override { return "memory_mib=64"; }
};

TEST_F(CudaMemoryTest, CopiesInEveryDirectionWithOffsetsAndFills) {
  hal_drv_stream* stream = CreateStream(context_);
  hal_drv_buffer* a = Allocate(4096);
  hal_drv_buffer* b = Allocate(4096);
  std::vector<uint32_t> values(256);
  std::iota(values.begin(), values.end(), 1u);
  ASSERT_EQ(table_->stream_fill(stream, a, 0, 4096, 0xdeadbeef), HAL_SUCCESS);
  ASSERT_EQ(table_->stream_copy_host_to_device(stream, values.data(), a, 64, 1024), HAL_SUCCESS);
  ASSERT_EQ(table_->stream_copy_buffer(stream, a, 32, b, 128, 2048), HAL_SUCCESS);
  ASSERT_EQ(table_->stream_fill(stream, b, 0, 0, 7), HAL_SUCCESS) << "a zero size does nothing";
  const std::vector<uint32_t> out = Download<uint32_t>(stream, b, 128, 512);
  EXPECT_EQ(out[0], 0xdeadbeefu);
  EXPECT_EQ(out[8], 1u);
  EXPECT_EQ(out[8 + 255], 256u);
  EXPECT_EQ(out[8 + 256], 0xdeadbeefu);
  EXPECT_EQ(table_->stream_query(stream), HAL_SUCCESS);
}

TEST_F(CudaMemoryTest, StagingBuffersAreMappedPinnedMemory) {
  uint64_t allocated = 0;
  hal_drv_buffer* staging = Allocate(context_, 1000, HAL_BUFFER_HOST_STAGING, 0, &allocated);
  EXPECT_GE(allocated, 1000u);
  void* host = nullptr;
  ASSERT_EQ(table_->buffer_map(context_, staging, &host), HAL_SUCCESS);
  std::memset(host, 0x5a, 1000);
  hal_drv_buffer* device = Allocate(1000);
  EXPECT_EQ(table_->buffer_map(context_, device, &host), HAL_ERROR_UNSUPPORTED);
  hal_drv_stream* stream = CreateStream(context_);
  ASSERT_EQ(table_->stream_copy_buffer(stream, staging, 0, device, 0, 1000), HAL_SUCCESS);
  EXPECT_EQ(Download<uint8_t>(stream, device, 999, 1)[0], 0x5a);
  EXPECT_EQ(fake_.call_count("cuMemAllocHost"), 1u);
}

TEST_F(CudaMemoryTest, FreedBuffersAreReusedWithoutADriverCall) {
  uint64_t allocated = 0;
  hal_drv_buffer* buffer = Allocate(context_, kMiB, HAL_BUFFER_DEVICE, 0, &allocated);
  EXPECT_EQ(allocated, kMiB);
  uint64_t address = 0;
  ASSERT_EQ(table_->buffer_device_address(context_, buffer, &address), HAL_SUCCESS);
  Free(context_, buffer);
  hal_drv_buffer* again = Allocate(kMiB - 4);
  uint64_t again_address = 0;
  ASSERT_EQ(table_->buffer_device_address(context_, again, &again_address), HAL_SUCCESS);
  EXPECT_EQ(again_address, address);
  EXPECT_EQ(fake_.call_count("cuMemAlloc"), 1u);
  EXPECT_EQ(fake_.call_count("cuMemFree"), 0u);
}

// Device bytes held == live buffers' allocated sizes + the cache's charged
// bytes, through the runtime's one accounting point; trim gives it all back.
TEST_F(CudaMemoryTest, CacheIsChargedAndTrimmed) {
  const hal_context_memory_accounting accounting = ledger_.Accounting(16 * kMiB);
  hal_drv_context* context = CreateContext(0, 0, &accounting);
  const uint64_t before = fake_.bytes_in_use(0);
  uint64_t live = 0;
  std::vector<hal_drv_buffer*> buffers;
  for (uint64_t size : {kMiB, 3000 * uint64_t{1}, 5 * kMiB, 200 * uint64_t{1}}) {
    uint64_t allocated = 0;
    buffers.push_back(Allocate(context, size, HAL_BUFFER_DEVICE, 0, &allocated));
    live += allocated;
  }
  EXPECT_EQ(fake_.bytes_in_use(0) - before, live + ledger_.Charged());
  Free(context, buffers[0]);
  Free(context, buffers[1]);
  const uint64_t freed = kMiB + 3072;
  EXPECT_EQ(ledger_.Charged(), freed);
  EXPECT_EQ(fake_.bytes_in_use(0) - before, live - freed + ledger_.Charged());
  table_->context_trim_memory(context);
  EXPECT_EQ(ledger_.Charged(), 0u);
  EXPECT_EQ(fake_.bytes_in_use(0) - before, live - freed);
}

TEST_F(CudaMemoryTest, OutOfMemoryTrimsTheCacheRetriesThenFails) {
  hal_drv_buffer* first = Allocate(40 * kMiB);
  Free(context_, first);  // cached: 40 of the device's 64 MiB
  uint64_t allocated = 0;
  hal_drv_buffer* second = Allocate(context_, 48 * kMiB, HAL_BUFFER_DEVICE, 0, &allocated);
  EXPECT_NE(second, nullptr) << "the cache was trimmed to make room";
  EXPECT_EQ(fake_.call_count("cuMemFree"), 1u);
  const hal_buffer_desc desc{HAL_STRUCTURE_TYPE_BUFFER_DESC, nullptr, HAL_BUFFER_DEVICE, 0,
                             32 * kMiB};
  hal_drv_buffer* third = nullptr;
  EXPECT_EQ(table_->buffer_allocate(context_, &desc, &third, &allocated), HAL_ERROR_OUT_OF_MEMORY);
  EXPECT_THAT(table_->last_error_message(), StartsWith("cuMemAlloc: CUDA_ERROR_OUT_OF_MEMORY (2)"));
}

TEST_F(CudaMemoryTest, DecommittedBufferComesBackAtTheSameAddress) {
  uint64_t allocated = 0;
  hal_drv_buffer* buffer =
      Allocate(context_, 3 * kMiB, HAL_BUFFER_DEVICE, HAL_BUFFER_FLAG_DECOMMITTABLE, &allocated);
  ASSERT_NE(buffer, nullptr);
  EXPECT_EQ(allocated, 4 * kMiB) << "rounded to the 2 MiB granularity";
  uint64_t address = 0, later = 0;
  ASSERT_EQ(table_->buffer_device_address(context_, buffer, &address), HAL_SUCCESS);
  const uint64_t held = fake_.bytes_in_use(0);
  ASSERT_EQ(table_->buffer_decommit(context_, buffer), HAL_SUCCESS) << table_->last_error_message();
  EXPECT_EQ(fake_.bytes_in_use(0), held - 4 * kMiB);
  ASSERT_EQ(table_->buffer_recommit(context_, buffer), HAL_SUCCESS) << table_->last_error_message();
  ASSERT_EQ(table_->buffer_device_address(context_, buffer, &later), HAL_SUCCESS);
  EXPECT_EQ(later, address);
  EXPECT_EQ(fake_.bytes_in_use(0), held);
  hal_drv_stream* stream = CreateStream(context_);
  ASSERT_EQ(table_->stream_fill(stream, buffer, 3 * kMiB - 4, 4, 0x01020304), HAL_SUCCESS);
  EXPECT_EQ(Download<uint32_t>(stream, buffer, 3 * kMiB - 4, 1)[0], 0x01020304u);
}

TEST_F(CudaMemoryTest, RecommitWithoutRoomFailsAndStaysDecommitted) {
  hal_drv_buffer* buffer =
      Allocate(context_, 32 * kMiB, HAL_BUFFER_DEVICE, HAL_BUFFER_FLAG_DECOMMITTABLE);
  ASSERT_EQ(table_->buffer_decommit(context_, buffer), HAL_SUCCESS);
  hal_drv_buffer* filler = Allocate(48 * kMiB);
  ASSERT_NE(filler, nullptr);
  EXPECT_EQ(table_->buffer_recommit(context_, buffer), HAL_ERROR_OUT_OF_MEMORY);
  EXPECT_THAT(table_->last_error_message(), HasSubstr("cuMemCreate: CUDA_ERROR_OUT_OF_MEMORY"));
  Free(context_, filler);
  table_->context_trim_memory(context_);
  EXPECT_EQ(table_->buffer_recommit(context_, buffer), HAL_SUCCESS) << table_->last_error_message();
}

TEST_F(CudaMemoryTest, RegisteredHostMemoryIsCopiedToAndFrom) {
  const size_t page = static_cast<size_t>(sysconf(_SC_PAGESIZE));
  void* host = mmap(nullptr, 2 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  ASSERT_NE(host, MAP_FAILED);
  std::memset(host, 0x11, 2 * page);
  const hal_host_registration_desc desc{HAL_STRUCTURE_TYPE_HOST_REGISTRATION_DESC, nullptr, host,
                                        2 * page};
  hal_drv_buffer* registered = nullptr;
  ASSERT_EQ(table_->host_register(context_, &desc, &registered), HAL_SUCCESS)
      << table_->last_error_message();
  void* mapped = nullptr;
  ASSERT_EQ(table_->buffer_map(context_, registered, &mapped), HAL_SUCCESS);
  EXPECT_EQ(mapped, host);
  hal_drv_buffer* device = Allocate(2 * page);
  hal_drv_stream* stream = CreateStream(context_);
  ASSERT_EQ(table_->stream_copy_buffer(stream, registered, 0, device, 0, 2 * page), HAL_SUCCESS);
  ASSERT_EQ(table_->stream_fill(stream, device, 0, 4, 0x22222222), HAL_SUCCESS);
  ASSERT_EQ(table_->stream_copy_buffer(stream, device, 0, registered, page, 8), HAL_SUCCESS);
  ASSERT_EQ(table_->stream_synchronize(stream), HAL_SUCCESS) << table_->last_error_message();
  const auto* bytes = static_cast<const uint8_t*>(host);
  EXPECT_EQ(bytes[page], 0x22);
  EXPECT_EQ(bytes[page + 4], 0x11);
  table_->buffer_free(context_, registered);
  EXPECT_EQ(fake_.call_count("cuMemHostUnregister"), 1u);
  munmap(host, 2 * page);
}

using CudaStreamTest = CudaDriverTest;

// cuEventQuery and cuEventSynchronize answer CUDA_SUCCESS for an event never
// recorded; the ABI's answers are not-ready and a refused wait.
TEST_F(CudaStreamTest, ANeverSignalledEventIsNotReadyAndCannotBeWaitedFor) {
  hal_drv_stream* stream = CreateStream(context_);
  hal_drv_event* event = CreateEvent(context_);
  EXPECT_EQ(table_->event_query(event), HAL_NOT_READY);
  EXPECT_EQ(table_->event_synchronize(event), HAL_ERROR_FAILED_PRECONDITION);
  EXPECT_THAT(table_->last_error_message(), HasSubstr("never signalled"));
  ASSERT_EQ(table_->stream_signal_event(stream, event), HAL_SUCCESS);
  EXPECT_EQ(table_->event_synchronize(event), HAL_SUCCESS);
  EXPECT_EQ(table_->event_query(event), HAL_SUCCESS);
}

TEST_F(CudaStreamTest, EventsOrderStreamsAndCarryMonotonicTimestamps) {
  hal_drv_stream* first = CreateStream(context_, HAL_STREAM_PRIORITY_HIGH);
  hal_drv_stream* second = CreateStream(context_, HAL_STREAM_PRIORITY_LOW);
  hal_drv_event* start = CreateEvent(context_);
  hal_drv_event* end = CreateEvent(context_);
  uint64_t ns = 0;
  EXPECT_EQ(table_->event_timestamp_ns(start, &ns), HAL_ERROR_FAILED_PRECONDITION);
  hal_drv_buffer* buffer = Allocate(64 * kMiB);
  ASSERT_EQ(table_->stream_signal_event(first, start), HAL_SUCCESS);
  ASSERT_EQ(table_->stream_fill(first, buffer, 0, 64 * kMiB, 0x01010101), HAL_SUCCESS);
  ASSERT_EQ(table_->stream_signal_event(first, end), HAL_SUCCESS);
  ASSERT_EQ(table_->stream_wait_event(second, end), HAL_SUCCESS);
  const std::vector<uint8_t> last = Download<uint8_t>(second, buffer, 64 * kMiB - 1, 1);
  EXPECT_EQ(last[0], 0x01) << "the second stream waited for the fill";
  ASSERT_EQ(table_->event_synchronize(end), HAL_SUCCESS);
  EXPECT_EQ(table_->event_query(end), HAL_SUCCESS);
  uint64_t start_ns = 0, end_ns = 0;
  ASSERT_EQ(table_->event_timestamp_ns(start, &start_ns), HAL_SUCCESS)
      << table_->last_error_message();
  ASSERT_EQ(table_->event_timestamp_ns(end, &end_ns), HAL_SUCCESS);
  EXPECT_GT(end_ns, start_ns) << "filling 64 MiB takes time";
  ASSERT_EQ(table_->stream_synchronize(first), HAL_SUCCESS);
  EXPECT_EQ(table_->stream_query(first), HAL_SUCCESS);
}

TEST_F(CudaStreamTest, NativeHandlesNameTheirCudaTypes) {
  hal_drv_stream* stream = CreateStream(context_);
  hal_drv_event* event = CreateEvent(context_);
  hal_drv_buffer* buffer = Allocate(256);
  hal_native_handle handle{};
  ASSERT_EQ(table_->native_handle(context_, HAL_OBJECT_CONTEXT, context_, &handle), HAL_SUCCESS);
  EXPECT_STREQ(handle.kind, "CUcontext");
  EXPECT_NE(handle.value, 0u);
  ASSERT_EQ(table_->native_handle(context_, HAL_OBJECT_BUFFER, buffer, &handle), HAL_SUCCESS);
  EXPECT_STREQ(handle.kind, "CUdeviceptr");
  uint64_t address = 0;
  table_->buffer_device_address(context_, buffer, &address);
  EXPECT_EQ(handle.value, address);
  ASSERT_EQ(table_->native_handle(context_, HAL_OBJECT_STREAM, stream, &handle), HAL_SUCCESS);
  EXPECT_STREQ(handle.kind, "CUstream");
  ASSERT_EQ(table_->native_handle(context_, HAL_OBJECT_EVENT, event, &handle), HAL_SUCCESS);
  EXPECT_STREQ(handle.kind, "CUevent");
  EXPECT_EQ(table_->native_handle(context_, static_cast<hal_object_kind>(99), event, &handle),
            HAL_ERROR_UNSUPPORTED);
}

TEST_F(CudaStreamTest, AVendorFailureKeepsItsNameAndCode) {
  hal_drv_stream* stream = CreateStream(context_);
  hal_drv_buffer* buffer = Allocate(256);
  fake_.fail_next("cuMemsetD32Async", CUDA_ERROR_INVALID_VALUE, 1);
  EXPECT_EQ(table_->stream_fill(stream, buffer, 0, 256, 0), HAL_ERROR_INVALID_ARGUMENT);
  EXPECT_THAT(table_->last_error_message(),
              StartsWith("cuMemsetD32Async: CUDA_ERROR_INVALID_VALUE (1)"));
  fake_.fail_next("cuStreamCreateWithPriority", CUDA_ERROR_OUT_OF_MEMORY, 1);
  const hal_stream_desc desc{HAL_STRUCTURE_TYPE_STREAM_DESC, nullptr, HAL_STREAM_PRIORITY_NORMAL};
  hal_drv_stream* failed = nullptr;
  EXPECT_EQ(table_->stream_create(context_, &desc, &failed), HAL_ERROR_OUT_OF_MEMORY);
}

}  // namespace
}  // namespace hal::cuda_abi_test
