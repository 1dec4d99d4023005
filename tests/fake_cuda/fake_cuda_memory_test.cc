// Device memory with its capacity, host memory, and virtual memory.
#include <gmock/gmock.h>

#include <vector>

#include "tests/fake_cuda/fake_cuda_fixture.h"

namespace hal::fake::cuda {
namespace {

constexpr size_t kMiB = size_t{1} << 20;

class MemoryTest : public FakeCudaTest {
  const char* Config() const override { return "memory_mib=8"; }

 protected:
  CUmemAllocationProp DeviceProp(int device = 0) {
    CUmemAllocationProp prop{};
    prop.type = CU_MEM_ALLOCATION_TYPE_PINNED;
    prop.location.type = CU_MEM_LOCATION_TYPE_DEVICE;
    prop.location.id = device;
    return prop;
  }

  void SetReadWrite(CUdeviceptr pointer, size_t size) {
    CUmemAccessDesc access{};
    access.location.type = CU_MEM_LOCATION_TYPE_DEVICE;
    access.location.id = 0;
    access.flags = CU_MEM_ACCESS_FLAGS_PROT_READWRITE;
    ASSERT_EQ(CU(cuMemSetAccess)(pointer, size, &access, 1), CUDA_SUCCESS);
  }

  uint32_t ReadWord(CUdeviceptr pointer) {
    uint32_t word = 0;
    EXPECT_EQ(CU(cuMemcpyDtoHAsync)(&word, pointer, sizeof(word), nullptr), CUDA_SUCCESS);
    EXPECT_EQ(CU(cuStreamSynchronize)(nullptr), CUDA_SUCCESS);
    return word;
  }
};

TEST_F(MemoryTest, AllocationsRoundTo512BytesAndStopAtCapacity) {
  const CUdeviceptr small = Allocate(1);
  EXPECT_EQ(control_.bytes_in_use(0), 512u);
  CUdeviceptr rest = 0;
  EXPECT_EQ(CU(cuMemAlloc)(&rest, 8 * kMiB), CUDA_ERROR_OUT_OF_MEMORY);
  ASSERT_EQ(CU(cuMemAlloc)(&rest, 8 * kMiB - 512), CUDA_SUCCESS);
  size_t free = 1, total = 0;
  ASSERT_EQ(CU(cuMemGetInfo)(&free, &total), CUDA_SUCCESS);
  EXPECT_EQ(free, 0u);
  EXPECT_EQ(total, 8 * kMiB);
  CUdeviceptr more = 0;
  EXPECT_EQ(CU(cuMemAlloc)(&more, 1), CUDA_ERROR_OUT_OF_MEMORY);
  EXPECT_EQ(CU(cuMemFree)(small + 512), CUDA_ERROR_INVALID_VALUE);  // not an allocation's start
  EXPECT_EQ(CU(cuMemFree)(small), CUDA_SUCCESS);
  EXPECT_EQ(CU(cuMemFree)(rest), CUDA_SUCCESS);
  EXPECT_EQ(CU(cuMemFree)(small), CUDA_ERROR_INVALID_VALUE);
  EXPECT_EQ(control_.bytes_in_use(0), 0u);
}

TEST_F(MemoryTest, PinnedAndRegisteredHostMemoryHaveDeviceAddresses) {
  void* pinned = nullptr;
  ASSERT_EQ(CU(cuMemAllocHost)(&pinned, 1000), CUDA_SUCCESS);
  CUdeviceptr address = 0;
  EXPECT_EQ(CU(cuMemHostGetDevicePointer)(&address, pinned, 0), CUDA_SUCCESS);
  EXPECT_EQ(address, reinterpret_cast<CUdeviceptr>(pinned));
  EXPECT_EQ(control_.bytes_in_use(0), 0u);  // host memory is not device memory
  EXPECT_EQ(CU(cuMemFreeHost)(pinned), CUDA_SUCCESS);
  EXPECT_EQ(CU(cuMemFreeHost)(pinned), CUDA_ERROR_INVALID_VALUE);

  std::vector<uint32_t> mine(1024, 7);
  EXPECT_EQ(CU(cuMemHostGetDevicePointer)(&address, mine.data(), 0), CUDA_ERROR_INVALID_VALUE);
  ASSERT_EQ(CU(cuMemHostRegister)(mine.data(), mine.size() * 4, 0), CUDA_SUCCESS);
  EXPECT_EQ(CU(cuMemHostRegister)(mine.data() + 1, 4, 0),
            CUDA_ERROR_HOST_MEMORY_ALREADY_REGISTERED);
  EXPECT_EQ(CU(cuMemHostGetDevicePointer)(&address, mine.data() + 10, 0), CUDA_SUCCESS);
  const CUdeviceptr device = Allocate(4096);
  ASSERT_EQ(CU(cuMemcpyDtoDAsync)(device, reinterpret_cast<CUdeviceptr>(mine.data()), 4096,
                                  nullptr),
            CUDA_SUCCESS);
  EXPECT_EQ(ReadWord(device + 4092), 7u);
  EXPECT_EQ(CU(cuMemHostUnregister)(mine.data()), CUDA_SUCCESS);
  EXPECT_EQ(CU(cuMemHostUnregister)(mine.data()), CUDA_ERROR_HOST_MEMORY_NOT_REGISTERED);
  EXPECT_EQ(CU(cuMemFree)(device), CUDA_SUCCESS);
}

TEST_F(MemoryTest, VirtualMemoryKeepsItsAddressAcrossUnmapAndRemap) {
  const CUmemAllocationProp prop = DeviceProp();
  size_t granularity = 0;
  ASSERT_EQ(CU(cuMemGetAllocationGranularity)(&granularity, &prop,
                                              CU_MEM_ALLOC_GRANULARITY_MINIMUM),
            CUDA_SUCCESS);
  ASSERT_EQ(granularity, 2 * kMiB);
  CUdeviceptr base = 0;
  ASSERT_EQ(CU(cuMemAddressReserve)(&base, 2 * granularity, 0, 0, 0), CUDA_SUCCESS);
  EXPECT_EQ(CU(cuMemAddressReserve)(&base, granularity + 1, 0, 0, 0), CUDA_ERROR_INVALID_VALUE);
  CUmemGenericAllocationHandle physical = 0;
  ASSERT_EQ(CU(cuMemCreate)(&physical, granularity, &prop, 0), CUDA_SUCCESS);
  EXPECT_EQ(control_.bytes_in_use(0), granularity);
  ASSERT_EQ(CU(cuMemMap)(base, granularity, 0, physical, 0), CUDA_SUCCESS);
  EXPECT_EQ(CU(cuMemMap)(base, granularity, 0, physical, 0), CUDA_ERROR_INVALID_VALUE);
  SetReadWrite(base, granularity);
  ASSERT_EQ(CU(cuMemsetD32Async)(base + 64, 0xfeed, 1, nullptr), CUDA_SUCCESS);
  EXPECT_EQ(ReadWord(base + 64), 0xfeedu);

  // Evict: unmap keeps the physical memory (still counted) and the address.
  ASSERT_EQ(CU(cuMemUnmap)(base, granularity), CUDA_SUCCESS);
  EXPECT_EQ(control_.bytes_in_use(0), granularity);
  EXPECT_EQ(CU(cuMemsetD32Async)(base, 1, 1, nullptr), CUDA_ERROR_INVALID_VALUE);
  // Restore at the same address: the contents are back.
  ASSERT_EQ(CU(cuMemMap)(base, granularity, 0, physical, 0), CUDA_SUCCESS);
  SetReadWrite(base, granularity);
  EXPECT_EQ(ReadWord(base + 64), 0xfeedu);

  // Released while mapped: held until unmapped, as the real driver does.
  ASSERT_EQ(CU(cuMemRelease)(physical), CUDA_SUCCESS);
  EXPECT_EQ(control_.bytes_in_use(0), granularity);
  EXPECT_EQ(CU(cuMemAddressFree)(base, 2 * granularity), CUDA_ERROR_INVALID_VALUE);  // mapped
  ASSERT_EQ(CU(cuMemUnmap)(base, granularity), CUDA_SUCCESS);
  EXPECT_EQ(control_.bytes_in_use(0), 0u);
  EXPECT_EQ(CU(cuMemAddressFree)(base, 2 * granularity), CUDA_SUCCESS);
}

TEST_F(MemoryTest, PhysicalMemoryCountsAgainstTheCapacity) {
  const CUmemAllocationProp prop = DeviceProp();
  CUmemGenericAllocationHandle handles[4] = {};
  for (auto& handle : handles) ASSERT_EQ(CU(cuMemCreate)(&handle, 2 * kMiB, &prop, 0), CUDA_SUCCESS);
  CUmemGenericAllocationHandle one_more = 0;
  EXPECT_EQ(CU(cuMemCreate)(&one_more, 2 * kMiB, &prop, 0), CUDA_ERROR_OUT_OF_MEMORY);
  CUdeviceptr pointer = 0;
  EXPECT_EQ(CU(cuMemAlloc)(&pointer, 1), CUDA_ERROR_OUT_OF_MEMORY);
  for (auto handle : handles) EXPECT_EQ(CU(cuMemRelease)(handle), CUDA_SUCCESS);
  EXPECT_EQ(CU(cuMemRelease)(handles[0]), CUDA_ERROR_INVALID_VALUE);
  EXPECT_EQ(control_.bytes_in_use(0), 0u);
}

class NoVmmTest : public MemoryTest {
  const char* Config() const override { return "vmm=0"; }
};

TEST_F(NoVmmTest, ADeviceWithoutVirtualMemoryRefusesIt) {
  const CUmemAllocationProp prop = DeviceProp();
  size_t granularity = 0;
  EXPECT_EQ(CU(cuMemGetAllocationGranularity)(&granularity, &prop,
                                              CU_MEM_ALLOC_GRANULARITY_MINIMUM),
            CUDA_ERROR_INVALID_VALUE);
  CUmemGenericAllocationHandle handle = 0;
  EXPECT_EQ(CU(cuMemCreate)(&handle, 2 * kMiB, &prop, 0), CUDA_ERROR_INVALID_VALUE);
}

}  // namespace
}  // namespace hal::fake::cuda
