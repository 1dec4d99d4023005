// AbiCapabilities: the optional entry points through the driver table, each
// exercised where the device reports its capability (the entry may be NULL
// otherwise, and is then never called): buffer_device_address,
// buffer_decommit/recommit, host_register, native_handle.
#include <sys/mman.h>
#include <unistd.h>

#include <cstring>
#include <set>
#include <vector>

#include "conformance/abi/driver_table_test.h"
#include "conformance/coverage/coverage.h"
#include "conformance/status_matchers.h"

namespace hal::cts {
namespace {

// Page-aligned memory the test owns, for host_register.
class HostPages {
 public:
  explicit HostPages(uint64_t size) : size_(size) {
    void* memory = mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    data_ = memory == MAP_FAILED ? nullptr : static_cast<uint8_t*>(memory);
  }
  HostPages(const HostPages&) = delete;
  HostPages& operator=(const HostPages&) = delete;
  ~HostPages() {
    if (data_ != nullptr) munmap(data_, size_);
  }
  uint8_t* data() const { return data_; }
  uint64_t size() const { return size_; }

 private:
  uint64_t size_;
  uint8_t* data_;
};

uint64_t PageSize() { return static_cast<uint64_t>(sysconf(_SC_PAGESIZE)); }

class AbiCapabilities : public DriverTableTest {
 protected:
  uint64_t Address(const DrvBuffer& buffer) {
    uint64_t address = 0;
    EXPECT_HAL_RESULT(HAL_SUCCESS,
                      table().buffer_device_address(context(), buffer.get(), &address));
    return address;
  }
  // A buffer allocated with HAL_BUFFER_FLAG_DECOMMITTABLE and its allocated size.
  DrvBuffer AllocateDecommittable(uint64_t size, uint64_t* allocated_size) {
    hal_drv_buffer* buffer = nullptr;
    const hal_result result = CallBufferAllocate(
        context(), size, HAL_BUFFER_DEVICE, HAL_BUFFER_FLAG_DECOMMITTABLE, &buffer, allocated_size);
    EXPECT_HAL_RESULT(HAL_SUCCESS, result) << "a decommittable buffer of " << size << " bytes";
    return result == HAL_SUCCESS ? DrvBuffer(&table(), context(), buffer) : DrvBuffer();
  }
  // Where the buffer is, by the means the device offers: its device address,
  // or its mapping.
  uint64_t Location(const DrvBuffer& buffer) {
    if (properties().capabilities.has(Capability::kDeviceAddress)) return Address(buffer);
    if (properties().device_buffers_mappable) {
      void* host = nullptr;
      EXPECT_HAL_RESULT(HAL_SUCCESS, table().buffer_map(context(), buffer.get(), &host));
      return reinterpret_cast<uintptr_t>(host);
    }
    return 0;
  }
  DrvBuffer Register(const HostPages& pages) {
    hal_host_registration_desc desc{};
    desc.type = HAL_STRUCTURE_TYPE_HOST_REGISTRATION_DESC;
    desc.host = pages.data();
    desc.size = pages.size();
    hal_drv_buffer* buffer = nullptr;
    const hal_result result = table().host_register(context(), &desc, &buffer);
    EXPECT_HAL_RESULT(HAL_SUCCESS, result) << "host_register of " << pages.size() << " bytes";
    return result == HAL_SUCCESS ? DrvBuffer(&table(), context(), buffer) : DrvBuffer();
  }
};

// --- buffer_device_address ---

HAL_CTS_COVERS("AbiCapabilities.DeviceAddressesAreAlignedStableAndDisjoint",
               {"buffer_device_address", "success"});
TEST_P(AbiCapabilities, DeviceAddressesAreAlignedStableAndDisjoint) {
  HAL_CTS_REQUIRE_CAPABILITY(Capability::kDeviceAddress);
  const uint64_t alignment = DriverProperties().min_buffer_alignment;
  std::vector<DrvBuffer> buffers;
  std::vector<std::pair<uint64_t, uint64_t>> ranges;  // [address, address + size)
  for (uint64_t size : {uint64_t{1}, uint64_t{100}, uint64_t{4096}, uint64_t{1} << 20}) {
    for (hal_buffer_kind kind : {HAL_BUFFER_DEVICE, HAL_BUFFER_HOST_STAGING}) {
      buffers.push_back(AllocateBuffer(size, kind));
      ASSERT_TRUE(buffers.back());
      const uint64_t address = Address(buffers.back());
      EXPECT_NE(address, 0u);
      EXPECT_EQ(address % alignment, 0u) << size;
      EXPECT_EQ(Address(buffers.back()), address) << "a second call moved it";
      for (const auto& [start, end] : ranges) {
        EXPECT_TRUE(address + size <= start || address >= end)
            << "a buffer of " << size << " at " << address << " overlaps [" << start << ", "
            << end << ")";
      }
      ranges.emplace_back(address, address + size);
    }
  }
}

HAL_CTS_COVERS("AbiCapabilities.DeviceAddressSurvivesWorkOnTheBuffer",
               {"buffer_device_address", "success"});
TEST_P(AbiCapabilities, DeviceAddressSurvivesWorkOnTheBuffer) {
  HAL_CTS_REQUIRE_CAPABILITY(Capability::kDeviceAddress);
  DrvBuffer buffer = AllocateBuffer(1 << 16);
  DrvStream stream = CreateStream();
  ASSERT_TRUE(buffer && stream);
  const uint64_t before = Address(buffer);
  ASSERT_HAL_RESULT(HAL_SUCCESS, table().stream_fill(stream.get(), buffer.get(), 0, 1 << 16, 9));
  ASSERT_HAL_RESULT(HAL_SUCCESS, table().stream_synchronize(stream.get()));
  EXPECT_EQ(Address(buffer), before);
}

// --- buffer_decommit / buffer_recommit ---

HAL_CTS_COVERS("AbiCapabilities.DecommittableBuffersTakeTheVirtualMemoryGranularity",
               {"buffer_allocate", "success"});
TEST_P(AbiCapabilities, DecommittableBuffersTakeTheVirtualMemoryGranularity) {
  HAL_CTS_REQUIRE_CAPABILITY(Capability::kVirtualMemory);
  const uint64_t granularity = DriverProperties().virtual_memory_granularity;
  ASSERT_GT(granularity, 0u);
  for (uint64_t size : {uint64_t{1}, granularity, granularity + 1}) {
    uint64_t allocated = 0;
    DrvBuffer buffer = AllocateDecommittable(size, &allocated);
    ASSERT_TRUE(buffer);
    EXPECT_GE(allocated, size);
    EXPECT_EQ(allocated % granularity, 0u) << size << " bytes took " << allocated;
  }
}

HAL_CTS_COVERS("AbiCapabilities.RecommitKeepsTheAddressAndTheBufferWorks",
               {"buffer_decommit", "success"}, {"buffer_recommit", "success"});
TEST_P(AbiCapabilities, RecommitKeepsTheAddressAndTheBufferWorks) {
  HAL_CTS_REQUIRE_CAPABILITY(Capability::kVirtualMemory);
  const uint64_t size = DriverProperties().virtual_memory_granularity;
  uint64_t allocated = 0;
  DrvBuffer buffer = AllocateDecommittable(size, &allocated);
  DrvStream stream = CreateStream();
  ASSERT_TRUE(buffer && stream);
  const uint64_t before = Location(buffer);
  ASSERT_HAL_RESULT(HAL_SUCCESS, table().stream_fill(stream.get(), buffer.get(), 0, size, 1));
  ASSERT_HAL_RESULT(HAL_SUCCESS, table().stream_synchronize(stream.get()));
  ASSERT_HAL_RESULT(HAL_SUCCESS, table().buffer_decommit(context(), buffer.get()));
  ASSERT_HAL_RESULT(HAL_SUCCESS, table().buffer_recommit(context(), buffer.get()));
  EXPECT_EQ(Location(buffer), before) << "recommit moved the buffer";
  // Contents are undefined after a recommit; the buffer is writable again.
  ASSERT_HAL_RESULT(HAL_SUCCESS,
                    table().stream_fill(stream.get(), buffer.get(), 0, size, 0xabcdef01u));
  const std::vector<uint8_t> tail = ReadBack(stream, buffer.get(), size - 4, 4);
  EXPECT_EQ(tail, (std::vector<uint8_t>{0x01, 0xef, 0xcd, 0xab}));
}

HAL_CTS_COVERS("AbiCapabilities.DecommitAndRecommitRepeatedly", {"buffer_decommit", "success"},
               {"buffer_recommit", "success"});
TEST_P(AbiCapabilities, DecommitAndRecommitRepeatedly) {
  HAL_CTS_REQUIRE_CAPABILITY(Capability::kVirtualMemory);
  const uint64_t size = DriverProperties().virtual_memory_granularity;
  uint64_t allocated = 0;
  DrvBuffer buffer = AllocateDecommittable(size, &allocated);
  DrvStream stream = CreateStream();
  ASSERT_TRUE(buffer && stream);
  for (uint32_t round = 0; round < 4; ++round) {
    ASSERT_HAL_RESULT(HAL_SUCCESS, table().buffer_decommit(context(), buffer.get()));
    ASSERT_HAL_RESULT(HAL_SUCCESS, table().buffer_recommit(context(), buffer.get()));
    std::vector<uint8_t> written(256, static_cast<uint8_t>(round + 1));
    ASSERT_HAL_RESULT(HAL_SUCCESS, table().stream_copy_host_to_device(
                                       stream.get(), written.data(), buffer.get(), 0, 256));
    EXPECT_EQ(ReadBack(stream, buffer.get(), 0, 256), written) << "round " << round;
  }
}

HAL_CTS_COVERS("AbiCapabilities.DecommittedBufferFreesWithoutRecommit",
               {"buffer_decommit", "success"}, {"buffer_free", "success"});
TEST_P(AbiCapabilities, DecommittedBufferFreesWithoutRecommit) {
  HAL_CTS_REQUIRE_CAPABILITY(Capability::kVirtualMemory);
  const uint64_t size = DriverProperties().virtual_memory_granularity;
  for (int i = 0; i < 4; ++i) {
    uint64_t allocated = 0;
    DrvBuffer buffer = AllocateDecommittable(size, &allocated);
    ASSERT_TRUE(buffer);
    ASSERT_HAL_RESULT(HAL_SUCCESS, table().buffer_decommit(context(), buffer.get()));
  }
  // The context still allocates.
  EXPECT_TRUE(AllocateBuffer(size));
}

HAL_CTS_COVERS("AbiCapabilities.WithoutVirtualMemoryTheGranularityIsZero",
               {"buffer_decommit", "capability-absent"},
               {"buffer_recommit", "capability-absent"});
TEST_P(AbiCapabilities, WithoutVirtualMemoryTheGranularityIsZero) {
  const hal_device_properties props = DriverProperties();
  if ((props.capabilities & HAL_CAPABILITY_VIRTUAL_MEMORY) != 0) {
    HAL_CTS_SKIP_UNSUPPORTED("the driver reports the virtual-memory capability");
  }
  // The runtime never asks such a device for a decommittable buffer: its
  // granularity, the only field of the capability, stays 0.
  EXPECT_EQ(props.virtual_memory_granularity, 0u);
  EXPECT_EQ(properties().virtual_memory_granularity, 0u);
}

HAL_CTS_COVERS("AbiCapabilities.DecommitOfOneBufferLeavesAnotherIntact",
               {"buffer_decommit", "success"}, {"buffer_recommit", "success"});
TEST_P(AbiCapabilities, DecommitOfOneBufferLeavesAnotherIntact) {
  HAL_CTS_REQUIRE_CAPABILITY(Capability::kVirtualMemory);
  const uint64_t size = DriverProperties().virtual_memory_granularity;
  uint64_t allocated = 0;
  DrvBuffer evicted = AllocateDecommittable(size, &allocated);
  DrvBuffer kept = AllocateDecommittable(size, &allocated);
  DrvStream stream = CreateStream();
  ASSERT_TRUE(evicted && kept && stream);
  ASSERT_HAL_RESULT(HAL_SUCCESS, table().stream_fill(stream.get(), kept.get(), 0, size, 0x5555aaaau));
  ASSERT_HAL_RESULT(HAL_SUCCESS, table().stream_synchronize(stream.get()));
  ASSERT_HAL_RESULT(HAL_SUCCESS, table().buffer_decommit(context(), evicted.get()));
  EXPECT_EQ(ReadBack(stream, kept.get(), size - 4, 4),
            (std::vector<uint8_t>{0xaa, 0xaa, 0x55, 0x55}));
  ASSERT_HAL_RESULT(HAL_SUCCESS, table().buffer_recommit(context(), evicted.get()));
  EXPECT_EQ(ReadBack(stream, kept.get(), 0, 4), (std::vector<uint8_t>{0xaa, 0xaa, 0x55, 0x55}));
}

HAL_CTS_COVERS("AbiCapabilities.DecommittableBufferWorksBeforeAnyDecommit",
               {"buffer_allocate", "success"});
TEST_P(AbiCapabilities, DecommittableBufferWorksBeforeAnyDecommit) {
  HAL_CTS_REQUIRE_CAPABILITY(Capability::kVirtualMemory);
  uint64_t allocated = 0;
  DrvBuffer buffer = AllocateDecommittable(4097, &allocated);
  DrvStream stream = CreateStream();
  ASSERT_TRUE(buffer && stream);
  std::vector<uint8_t> written(4097);
  for (size_t i = 0; i < written.size(); ++i) written[i] = static_cast<uint8_t>(i * 5 + 3);
  ASSERT_HAL_RESULT(HAL_SUCCESS, table().stream_copy_host_to_device(stream.get(), written.data(),
                                                                    buffer.get(), 0, 4097));
  EXPECT_EQ(ReadBack(stream, buffer.get(), 0, 4097), written);
}

// --- host_register ---

HAL_CTS_COVERS("AbiCapabilities.RegisteredHostMemoryCopiesBothWays",
               {"host_register", "success"}, {"stream_copy_buffer", "success"});
TEST_P(AbiCapabilities, RegisteredHostMemoryCopiesBothWays) {
  HAL_CTS_REQUIRE_CAPABILITY(Capability::kHostRegistration);
  HostPages pages(4 * PageSize());
  ASSERT_NE(pages.data(), nullptr);
  for (uint64_t i = 0; i < pages.size(); ++i) pages.data()[i] = static_cast<uint8_t>(i * 3);
  DrvBuffer registered = Register(pages);
  DrvBuffer device_buffer = AllocateBuffer(pages.size());
  DrvStream stream = CreateStream();
  ASSERT_TRUE(registered && device_buffer && stream);
  ASSERT_HAL_RESULT(HAL_SUCCESS, table().stream_copy_buffer(stream.get(), registered.get(), 0,
                                                            device_buffer.get(), 0, pages.size()));
  ASSERT_HAL_RESULT(HAL_SUCCESS,
                    table().stream_fill(stream.get(), device_buffer.get(), 0, 4, 0x11223344u));
  ASSERT_HAL_RESULT(HAL_SUCCESS, table().stream_copy_buffer(stream.get(), device_buffer.get(), 0,
                                                            registered.get(), 0, pages.size()));
  ASSERT_HAL_RESULT(HAL_SUCCESS, table().stream_synchronize(stream.get()));
  EXPECT_EQ(pages.data()[0], 0x44);
  EXPECT_EQ(pages.data()[3], 0x11);
  EXPECT_EQ(pages.data()[4], 12);
  EXPECT_EQ(pages.data()[pages.size() - 1], static_cast<uint8_t>((pages.size() - 1) * 3));
}

HAL_CTS_COVERS("AbiCapabilities.RegisteredBufferMapsToTheCallersMemory",
               {"host_register", "success"}, {"buffer_map", "success"});
TEST_P(AbiCapabilities, RegisteredBufferMapsToTheCallersMemory) {
  HAL_CTS_REQUIRE_CAPABILITY(Capability::kHostRegistration);
  HostPages pages(PageSize());
  ASSERT_NE(pages.data(), nullptr);
  DrvBuffer registered = Register(pages);
  ASSERT_TRUE(registered);
  void* host = nullptr;
  ASSERT_HAL_RESULT(HAL_SUCCESS, table().buffer_map(context(), registered.get(), &host));
  EXPECT_EQ(host, pages.data());
}

HAL_CTS_COVERS("AbiCapabilities.FreeingARegisteredBufferLeavesTheCallersMemory",
               {"host_register", "success"}, {"buffer_free", "success"});
TEST_P(AbiCapabilities, FreeingARegisteredBufferLeavesTheCallersMemory) {
  HAL_CTS_REQUIRE_CAPABILITY(Capability::kHostRegistration);
  HostPages pages(2 * PageSize());
  ASSERT_NE(pages.data(), nullptr);
  std::memset(pages.data(), 0x77, pages.size());
  Register(pages).reset();
  // Still the caller's, readable and writable, and registrable again.
  EXPECT_EQ(pages.data()[pages.size() - 1], 0x77);
  pages.data()[0] = 0x78;
  EXPECT_TRUE(Register(pages));
  EXPECT_EQ(pages.data()[0], 0x78);
}

HAL_CTS_COVERS("AbiCapabilities.SeveralRangesRegisterAtOnce", {"host_register", "success"});
TEST_P(AbiCapabilities, SeveralRangesRegisterAtOnce) {
  HAL_CTS_REQUIRE_CAPABILITY(Capability::kHostRegistration);
  std::vector<std::unique_ptr<HostPages>> ranges;
  std::vector<DrvBuffer> buffers;
  DrvStream stream = CreateStream();
  ASSERT_TRUE(stream);
  for (uint64_t pages : {1, 2, 16}) {
    ranges.push_back(std::make_unique<HostPages>(pages * PageSize()));
    ASSERT_NE(ranges.back()->data(), nullptr);
    buffers.push_back(Register(*ranges.back()));
    ASSERT_TRUE(buffers.back());
  }
  for (size_t i = 0; i < buffers.size(); ++i) {
    ASSERT_HAL_RESULT(HAL_SUCCESS, table().stream_fill(stream.get(), buffers[i].get(), 0,
                                                       ranges[i]->size(), 0x01010101u * (i + 1)));
  }
  ASSERT_HAL_RESULT(HAL_SUCCESS, table().stream_synchronize(stream.get()));
  for (size_t i = 0; i < ranges.size(); ++i) {
    EXPECT_EQ(ranges[i]->data()[0], i + 1);
    EXPECT_EQ(ranges[i]->data()[ranges[i]->size() - 1], i + 1);
  }
}

// --- native_handle ---

HAL_CTS_COVERS("AbiCapabilities.NativeHandlesOfEveryKindAreWellFormedOrUnsupported",
               {"native_handle", "success"}, {"native_handle", "unsupported"});
TEST_P(AbiCapabilities, NativeHandlesOfEveryKindAreWellFormedOrUnsupported) {
  HAL_CTS_REQUIRE_CAPABILITY(Capability::kNativeHandles);
  DrvBuffer buffer = AllocateBuffer(256);
  DrvStream stream = CreateStream();
  DrvEvent event = CreateEvent();
  DrvModule module = LoadStandardModule("noop");
  ASSERT_TRUE(buffer && stream && event && module);
  hal_drv_kernel* kernel = GetStandardKernel(module, "noop");
  ASSERT_NE(kernel, nullptr);
  const std::vector<std::pair<hal_object_kind, const void*>> objects = {
      {HAL_OBJECT_CONTEXT, context()}, {HAL_OBJECT_BUFFER, buffer.get()},
      {HAL_OBJECT_STREAM, stream.get()}, {HAL_OBJECT_EVENT, event.get()},
      {HAL_OBJECT_MODULE, module.get()}, {HAL_OBJECT_KERNEL, kernel}};
  int answered = 0;
  for (const auto& [kind, object] : objects) {
    hal_native_handle handle{};
    const hal_result result = table().native_handle(context(), kind, object, &handle);
    if (result == HAL_ERROR_UNSUPPORTED) {
      EXPECT_FALSE(LastError().empty()) << "kind " << kind;
      continue;
    }
    ASSERT_HAL_RESULT(HAL_SUCCESS, result) << "kind " << kind;
    ++answered;
    ASSERT_NE(handle.kind, nullptr) << "kind " << kind;
    EXPECT_GT(std::strlen(handle.kind), 0u) << "kind " << kind;
    EXPECT_NE(handle.value, 0u) << "kind " << kind << " (" << handle.kind << ")";
    hal_native_handle again{};
    ASSERT_HAL_RESULT(HAL_SUCCESS, table().native_handle(context(), kind, object, &again));
    EXPECT_EQ(again.value, handle.value) << "kind " << kind << " is not stable";
    EXPECT_STREQ(again.kind, handle.kind);
  }
  EXPECT_GT(answered, 0) << "a driver with the capability answers for no kind of object";
}

HAL_CTS_COVERS("AbiCapabilities.StreamHandlesOfOneDriverShareTheirTypeName", {"native_handle", "success"});
TEST_P(AbiCapabilities, StreamHandlesOfOneDriverShareTheirTypeName) {
  HAL_CTS_REQUIRE_CAPABILITY(Capability::kNativeHandles);
  DrvStream first = CreateStream();
  DrvStream second = CreateStream();
  ASSERT_TRUE(first && second);
  hal_native_handle a{};
  hal_native_handle b{};
  const hal_result result = table().native_handle(context(), HAL_OBJECT_STREAM, first.get(), &a);
  if (result == HAL_ERROR_UNSUPPORTED) {
    HAL_CTS_SKIP_UNSUPPORTED("the driver has no vendor object for a stream");
  }
  ASSERT_HAL_RESULT(HAL_SUCCESS, result);
  ASSERT_HAL_RESULT(HAL_SUCCESS,
                    table().native_handle(context(), HAL_OBJECT_STREAM, second.get(), &b));
  EXPECT_STREQ(a.kind, b.kind);
}

HAL_CTS_INSTANTIATE_DEVICE_TESTS(AbiCapabilities);

}  // namespace
}  // namespace hal::cts
