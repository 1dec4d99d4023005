// AbiMemory: buffer_allocate (both kinds, many sizes, out of memory),
// buffer_free and buffer_map through the driver table.
#include <cstring>
#include <thread>
#include <vector>

#include "conformance/abi/driver_table_test.h"
#include "conformance/coverage/coverage.h"

namespace hal::cts {
namespace {

// Sizes from one byte to a few MiB, off the usual boundaries too.
constexpr uint64_t kSizes[] = {1, 3, 4, 255, 256, 4095, 4097, 65536, 100000, uint64_t{3} << 20};
// More than any device has.
constexpr uint64_t kSizeBeyondAnyDevice = uint64_t{1} << 62;

class AbiMemory : public DriverTableTest {
 protected:
  // buffer_allocate with its allocated size; `out` receives the owner.
  hal_result Allocate(uint64_t size, hal_buffer_kind kind, DrvBuffer* out,
                      uint64_t* allocated_size) {
    hal_drv_buffer* buffer = nullptr;
    const hal_result result = CallBufferAllocate(context(), size, kind, 0, &buffer, allocated_size);
    if (result == HAL_SUCCESS) *out = DrvBuffer(&table(), context(), buffer);
    return result;
  }
  void* Map(const DrvBuffer& buffer) {
    void* host = nullptr;
    EXPECT_HAL_RESULT(HAL_SUCCESS, table().buffer_map(context(), buffer.get(), &host));
    return host;
  }
  void ExpectAllocatedSizesCoverTheirSizes(hal_buffer_kind kind) {
    const uint64_t granularity = DriverProperties().allocation_granularity;
    ASSERT_GT(granularity, 0u);
    for (uint64_t size : kSizes) {
      DrvBuffer buffer;
      uint64_t allocated = 0;
      ASSERT_HAL_RESULT(HAL_SUCCESS, Allocate(size, kind, &buffer, &allocated)) << size;
      EXPECT_GE(allocated, size);
      EXPECT_EQ(allocated % granularity, 0u) << size << " bytes took " << allocated;
    }
  }
};

HAL_CTS_COVERS("AbiMemory.DeviceBuffersTakeTheirSizeRoundedToTheGranularity",
               {"buffer_allocate", "success"}, {"buffer_free", "success"});
TEST_P(AbiMemory, DeviceBuffersTakeTheirSizeRoundedToTheGranularity) {
  ExpectAllocatedSizesCoverTheirSizes(HAL_BUFFER_DEVICE);
}

HAL_CTS_COVERS("AbiMemory.StagingBuffersTakeTheirSizeRoundedToTheGranularity",
               {"buffer_allocate", "success"}, {"buffer_free", "success"});
TEST_P(AbiMemory, StagingBuffersTakeTheirSizeRoundedToTheGranularity) {
  ExpectAllocatedSizesCoverTheirSizes(HAL_BUFFER_HOST_STAGING);
}

HAL_CTS_COVERS("AbiMemory.DeviceAllocationBeyondTheDeviceIsOutOfMemory",
               {"buffer_allocate", "out-of-memory"});
TEST_P(AbiMemory, DeviceAllocationBeyondTheDeviceIsOutOfMemory) {
  DrvBuffer buffer;
  uint64_t allocated = 0;
  EXPECT_HAL_RESULT(HAL_ERROR_OUT_OF_MEMORY,
                    Allocate(kSizeBeyondAnyDevice, HAL_BUFFER_DEVICE, &buffer, &allocated));
  EXPECT_FALSE(buffer);
  EXPECT_FALSE(LastError().empty());
}

HAL_CTS_COVERS("AbiMemory.StagingAllocationBeyondTheHostIsOutOfMemory",
               {"buffer_allocate", "out-of-memory"});
TEST_P(AbiMemory, StagingAllocationBeyondTheHostIsOutOfMemory) {
  DrvBuffer buffer;
  uint64_t allocated = 0;
  EXPECT_HAL_RESULT(HAL_ERROR_OUT_OF_MEMORY,
                    Allocate(kSizeBeyondAnyDevice, HAL_BUFFER_HOST_STAGING, &buffer, &allocated));
  EXPECT_FALSE(buffer);
  EXPECT_FALSE(LastError().empty());
}

HAL_CTS_COVERS("AbiMemory.ContextServesAfterAnOutOfMemory", {"buffer_allocate", "out-of-memory"},
               {"buffer_allocate", "success"});
TEST_P(AbiMemory, ContextServesAfterAnOutOfMemory) {
  DrvBuffer refused;
  uint64_t allocated = 0;
  ASSERT_HAL_RESULT(HAL_ERROR_OUT_OF_MEMORY,
                    Allocate(kSizeBeyondAnyDevice, HAL_BUFFER_DEVICE, &refused, &allocated));
  DrvBuffer buffer = AllocateBuffer(4096);
  ASSERT_TRUE(buffer);
  DrvStream stream = CreateStream();
  ASSERT_TRUE(stream);
  ASSERT_HAL_RESULT(HAL_SUCCESS, table().stream_fill(stream.get(), buffer.get(), 0, 4096, 7));
  const std::vector<uint8_t> bytes = ReadBack(stream, buffer.get(), 0, 4);
  EXPECT_EQ(bytes, (std::vector<uint8_t>{7, 0, 0, 0}));
}

HAL_CTS_COVERS("AbiMemory.StagingBuffersMapToAlignedWritableMemory", {"buffer_map", "success"});
TEST_P(AbiMemory, StagingBuffersMapToAlignedWritableMemory) {
  const uint64_t alignment = DriverProperties().min_buffer_alignment;
  for (uint64_t size : kSizes) {
    DrvBuffer buffer;
    uint64_t allocated = 0;
    ASSERT_HAL_RESULT(HAL_SUCCESS, Allocate(size, HAL_BUFFER_HOST_STAGING, &buffer, &allocated));
    auto* host = static_cast<uint8_t*>(Map(buffer));
    ASSERT_NE(host, nullptr) << size;
    EXPECT_EQ(reinterpret_cast<uintptr_t>(host) % alignment, 0u) << size;
    host[0] = 0x5a;
    host[size - 1] = 0xa5;
    EXPECT_EQ(host[0], size == 1 ? 0xa5 : 0x5a);
  }
}

HAL_CTS_COVERS("AbiMemory.DeviceBuffersMapExactlyWhenThePropertySaysSo", {"buffer_map", "success"},
               {"buffer_map", "unsupported"});
TEST_P(AbiMemory, DeviceBuffersMapExactlyWhenThePropertySaysSo) {
  DrvBuffer buffer = AllocateBuffer(4096);
  ASSERT_TRUE(buffer);
  void* host = nullptr;
  if (DriverProperties().device_buffers_mappable != 0) {
    ASSERT_HAL_RESULT(HAL_SUCCESS, table().buffer_map(context(), buffer.get(), &host));
    EXPECT_NE(host, nullptr);
  } else {
    EXPECT_HAL_RESULT(HAL_ERROR_UNSUPPORTED, table().buffer_map(context(), buffer.get(), &host));
    EXPECT_FALSE(LastError().empty());
  }
}

HAL_CTS_COVERS("AbiMemory.MappingIsStable", {"buffer_map", "success"});
TEST_P(AbiMemory, MappingIsStable) {
  DrvBuffer buffer = AllocateBuffer(65536, HAL_BUFFER_HOST_STAGING);
  ASSERT_TRUE(buffer);
  void* first = Map(buffer);
  DrvStream stream = CreateStream();
  ASSERT_TRUE(stream);
  // Work on the buffer does not move its mapping.
  ASSERT_HAL_RESULT(HAL_SUCCESS, table().stream_fill(stream.get(), buffer.get(), 0, 65536, 3));
  ASSERT_HAL_RESULT(HAL_SUCCESS, table().stream_synchronize(stream.get()));
  EXPECT_EQ(Map(buffer), first);
  EXPECT_EQ(static_cast<const uint8_t*>(first)[65532], 3);
}

HAL_CTS_COVERS("AbiMemory.MappedWritesReachTheDevice", {"buffer_map", "success"},
               {"stream_copy_buffer", "success"});
TEST_P(AbiMemory, MappedWritesReachTheDevice) {
  constexpr uint64_t kSize = 8192;
  DrvBuffer staging = AllocateBuffer(kSize, HAL_BUFFER_HOST_STAGING);
  DrvBuffer device_buffer = AllocateBuffer(kSize);
  DrvStream stream = CreateStream();
  ASSERT_TRUE(staging && device_buffer && stream);
  auto* host = static_cast<uint8_t*>(Map(staging));
  ASSERT_NE(host, nullptr);
  std::vector<uint8_t> pattern(kSize);
  for (size_t i = 0; i < pattern.size(); ++i) pattern[i] = static_cast<uint8_t>(i * 13 + 1);
  std::memcpy(host, pattern.data(), kSize);
  ASSERT_HAL_RESULT(HAL_SUCCESS, table().stream_copy_buffer(stream.get(), staging.get(), 0,
                                                            device_buffer.get(), 0, kSize));
  EXPECT_EQ(ReadBack(stream, device_buffer.get(), 0, kSize), pattern);
}

HAL_CTS_COVERS("AbiMemory.LiveBuffersDoNotShareMemory", {"buffer_allocate", "success"},
               {"buffer_map", "success"});
TEST_P(AbiMemory, LiveBuffersDoNotShareMemory) {
  std::vector<DrvBuffer> buffers;
  for (uint64_t size : kSizes) {
    buffers.push_back(AllocateBuffer(size, HAL_BUFFER_HOST_STAGING));
    ASSERT_TRUE(buffers.back());
    std::memset(Map(buffers.back()), static_cast<int>(buffers.size()), size);
  }
  for (size_t i = 0; i < buffers.size(); ++i) {
    const auto* host = static_cast<const uint8_t*>(Map(buffers[i]));
    for (uint64_t byte : {uint64_t{0}, kSizes[i] / 2, kSizes[i] - 1}) {
      EXPECT_EQ(host[byte], i + 1) << "buffer " << i << " byte " << byte;
    }
  }
}

HAL_CTS_COVERS("AbiMemory.BuffersFreeInAnyOrder", {"buffer_free", "success"});
TEST_P(AbiMemory, BuffersFreeInAnyOrder) {
  std::vector<DrvBuffer> buffers;
  for (int round = 0; round < 2; ++round) {
    for (uint64_t size : kSizes) {
      buffers.push_back(
          AllocateBuffer(size, round == 0 ? HAL_BUFFER_DEVICE : HAL_BUFFER_HOST_STAGING));
      ASSERT_TRUE(buffers.back());
    }
  }
  // Every other one, then the rest from the back.
  for (size_t i = 0; i < buffers.size(); i += 2) buffers[i].reset();
  for (size_t i = buffers.size(); i-- > 0;) buffers[i].reset();
  // The freed memory serves new buffers.
  for (uint64_t size : kSizes) EXPECT_TRUE(AllocateBuffer(size)) << size;
}

HAL_CTS_COVERS("AbiMemory.AllocationsFromSeveralThreadsAtOnce", {"buffer_allocate", "success"},
               {"buffer_free", "success"});
TEST_P(AbiMemory, AllocationsFromSeveralThreadsAtOnce) {
  std::vector<hal_result> results(4, HAL_SUCCESS);
  std::vector<std::thread> threads;
  for (size_t t = 0; t < results.size(); ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 32 && results[t] == HAL_SUCCESS; ++i) {
        hal_drv_buffer* buffer = nullptr;
        uint64_t allocated = 0;
        results[t] = CallBufferAllocate(context(), kSizes[(t + i) % std::size(kSizes)],
                                        i % 2 == 0 ? HAL_BUFFER_DEVICE : HAL_BUFFER_HOST_STAGING, 0,
                                        &buffer, &allocated);
        if (results[t] == HAL_SUCCESS) table().buffer_free(context(), buffer);
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  for (hal_result result : results) EXPECT_EQ(result, HAL_SUCCESS) << ResultName(result);
}

HAL_CTS_COVERS("AbiMemory.OddSizedDeviceBufferKeepsEveryByte", {"buffer_allocate", "success"},
               {"stream_copy_host_to_device", "success"},
               {"stream_copy_device_to_host", "success"});
TEST_P(AbiMemory, OddSizedDeviceBufferKeepsEveryByte) {
  for (uint64_t size : {uint64_t{1}, uint64_t{3}, uint64_t{4097}, uint64_t{100000}}) {
    DrvBuffer buffer = AllocateBuffer(size);
    DrvStream stream = CreateStream();
    ASSERT_TRUE(buffer && stream);
    std::vector<uint8_t> written(size);
    for (size_t i = 0; i < written.size(); ++i) written[i] = static_cast<uint8_t>(i ^ (i >> 8));
    ASSERT_HAL_RESULT(HAL_SUCCESS, table().stream_copy_host_to_device(stream.get(), written.data(),
                                                                      buffer.get(), 0, size));
    EXPECT_EQ(ReadBack(stream, buffer.get(), 0, size), written) << size << " bytes";
  }
}

HAL_CTS_COVERS("AbiMemory.SameRequestTakesTheSameAllocatedSize", {"buffer_allocate", "success"});
TEST_P(AbiMemory, SameRequestTakesTheSameAllocatedSize) {
  // Quotas are charged the allocated size: it depends on the request only.
  for (hal_buffer_kind kind : {HAL_BUFFER_DEVICE, HAL_BUFFER_HOST_STAGING}) {
    for (uint64_t size : kSizes) {
      DrvBuffer first;
      DrvBuffer second;
      uint64_t first_size = 0;
      uint64_t second_size = 0;
      ASSERT_HAL_RESULT(HAL_SUCCESS, Allocate(size, kind, &first, &first_size));
      ASSERT_HAL_RESULT(HAL_SUCCESS, Allocate(size, kind, &second, &second_size));
      EXPECT_EQ(first_size, second_size) << size << " bytes of kind " << kind;
    }
  }
}

HAL_CTS_COVERS("AbiMemory.MappedDeviceBufferShowsTheDevicesWrites", {"buffer_map", "success"});
TEST_P(AbiMemory, MappedDeviceBufferShowsTheDevicesWrites) {
  if (DriverProperties().device_buffers_mappable == 0) {
    HAL_CTS_SKIP_UNSUPPORTED("the driver reports device buffers as not mappable");
  }
  DrvBuffer buffer = AllocateBuffer(65536);
  DrvStream stream = CreateStream();
  ASSERT_TRUE(buffer && stream);
  const auto* host = static_cast<const uint32_t*>(Map(buffer));
  ASSERT_NE(host, nullptr);
  ASSERT_HAL_RESULT(HAL_SUCCESS,
                    table().stream_fill(stream.get(), buffer.get(), 0, 65536, 0xfeedf00du));
  ASSERT_HAL_RESULT(HAL_SUCCESS, table().stream_synchronize(stream.get()));
  EXPECT_EQ(host[0], 0xfeedf00du);
  EXPECT_EQ(host[65536 / 4 - 1], 0xfeedf00du);
}

HAL_CTS_COVERS("AbiMemory.OutOfMemoryLeavesLiveBuffersIntact",
               {"buffer_allocate", "out-of-memory"});
TEST_P(AbiMemory, OutOfMemoryLeavesLiveBuffersIntact) {
  DrvBuffer live = AllocateBuffer(4096);
  DrvStream stream = CreateStream();
  ASSERT_TRUE(live && stream);
  ASSERT_HAL_RESULT(HAL_SUCCESS,
                    table().stream_fill(stream.get(), live.get(), 0, 4096, 0x42424242));
  ASSERT_HAL_RESULT(HAL_SUCCESS, table().stream_synchronize(stream.get()));
  for (hal_buffer_kind kind : {HAL_BUFFER_DEVICE, HAL_BUFFER_HOST_STAGING}) {
    DrvBuffer refused;
    uint64_t allocated = 0;
    EXPECT_HAL_RESULT(HAL_ERROR_OUT_OF_MEMORY,
                      Allocate(kSizeBeyondAnyDevice, kind, &refused, &allocated));
  }
  EXPECT_EQ(ReadBack(stream, live.get(), 4092, 4), (std::vector<uint8_t>{0x42, 0x42, 0x42, 0x42}));
}

HAL_CTS_INSTANTIATE_DEVICE_TESTS(AbiMemory);

}  // namespace
}  // namespace hal::cts
