// Overcommitted virtual devices at several buffer sizes: three tenants whose
// quotas sum to three times the pool's capacity write their buffers, then
// read every buffer in turn twice, so each read restores a buffer evicted to
// host memory. Contents survive exactly; residency stays within capacity.
// On a device with the virtual-memory capability, buffers of at least its
// virtual_memory_granularity are evicted at a stable address (decommitted
// and recommitted) and keep their device address; smaller ones are freed and
// allocated anew, so their address is refused until they are pinned.
#include <algorithm>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "conformance/buffer_io.h"
#include "conformance/byte_units.h"
#include "conformance/coverage/coverage.h"
#include "conformance/numerics/device_case_test.h"
#include "conformance/scale/tenants.h"
#include "conformance/status_matchers.h"
#include "hal/status_macros.h"

namespace hal::cts {
namespace {

struct OvercommitCase {
  const char* name;
  uint64_t buffer_bytes;
  int buffers_per_tenant;
  std::string Name() const { return name; }
};
const OvercommitCase kOvercommitCases[] = {
    {"bytes_1000", 1000, 12},
    {"kib_64", 64 * kKiB, 6},
    {"mib_1_plus_3", kMiB + 3, 2},
    // The virtual-memory granularity of NVIDIA devices: decommittable there.
    {"mib_2", 2 * kMiB, 2},
};
// Tenants that share the device, fewer where its partitions hold fewer.
constexpr int kTenantsWanted = 3;

// Contents of a buffer: a cheap generator's words, distinct per `seed`.
std::vector<uint8_t> ContentsOf(uint32_t seed, uint64_t size) {
  std::vector<uint8_t> bytes(size);
  uint32_t state = 0x9E3779B9u * (seed + 1);
  for (uint64_t offset = 0; offset < size; offset += sizeof(state)) {
    state ^= state << 13;
    state ^= state >> 17;
    state ^= state << 5;
    std::memcpy(bytes.data() + offset, &state, std::min<uint64_t>(sizeof(state), size - offset));
  }
  return bytes;
}

// A device with the virtual-memory capability allocates buffers of at least
// its virtual_memory_granularity decommittable in an overcommitted pool.
bool EvictedInPlace(uint64_t size, const DeviceProperties& properties) {
  return properties.capabilities.has(Capability::kVirtualMemory) &&
         size >= properties.virtual_memory_granularity;
}

class VirtualDeviceOvercommit : public DeviceCaseTest<OvercommitCase> {
 protected:
  // The most an overcommitted pool may charge for a buffer of `size`: a
  // decommittable one is rounded up to the virtual-memory granularity, one
  // allocated evicted to the allocation granularity, and a resident one takes
  // what the driver allocates (it may round to size classes), learned by
  // allocating the same size on the shared device.
  absl::StatusOr<uint64_t> OvercommitCharge(uint64_t size) {
    const DeviceProperties& p = properties();
    if (EvictedInPlace(size, p)) return RoundUp(size, p.virtual_memory_granularity);
    HAL_ASSIGN_OR_RETURN(const uint64_t allocated, AllocatedSizeOf(device(), size));
    return std::max(RoundUp(size, p.allocation_granularity), allocated);
  }

 private:
  static uint64_t RoundUp(uint64_t size, uint64_t granularity) {
    return (size + granularity - 1) / granularity * granularity;
  }
};

HAL_CTS_COVERS("VirtualDeviceOvercommit.ContentsSurviveEvictionAndRestore",
               {"buffer_allocate", "success"}, {"buffer_free", "success"},
               {"stream_copy_host_to_device", "success"}, {"stream_copy_device_to_host", "success"},
               {"buffer_decommit", "success"}, {"buffer_recommit", "success"});
TEST_P(VirtualDeviceOvercommit, ContentsSurviveEvictionAndRestore) {
  const OvercommitCase& c = test_case();
  const int tenant_count = TenantsSideBySide(kTenantsWanted);
  if (tenant_count < 2) HAL_CTS_SKIP_UNSUPPORTED("partitions for two tenants side by side");
  // Each tenant's quota holds its buffers; the device holds one tenant's.
  HAL_CTS_ASSERT_OK_AND_ASSIGN(const uint64_t charge, OvercommitCharge(c.buffer_bytes));
  const uint64_t capacity = charge * c.buffers_per_tenant;
  HAL_CTS_ASSERT_OK_AND_ASSIGN(
      std::unique_ptr<Pool> pool,
      PoolOf(physical_device(),
             {.capacity_bytes = capacity, .overcommit_ratio = static_cast<double>(tenant_count)}));
  std::vector<Tenant> tenants;
  std::vector<std::vector<std::shared_ptr<Buffer>>> buffers(tenant_count);
  std::vector<std::vector<std::vector<uint8_t>>> model(tenant_count);
  // With device addresses: a buffer evicted in place keeps its address; any
  // other may move, so its address is refused until it is pinned.
  const bool in_place = EvictedInPlace(c.buffer_bytes, properties());
  const bool addressed = properties().capabilities.has(Capability::kDeviceAddress);
  std::vector<std::vector<uint64_t>> addresses(tenant_count);
  for (int t = 0; t < tenant_count; ++t) {
    HAL_CTS_ASSERT_OK_AND_ASSIGN(Tenant tenant, CreateTenant(*pool, absl::StrCat("tenant", t),
                                                             capacity, 1.0 / tenant_count));
    for (int b = 0; b < c.buffers_per_tenant; ++b) {
      HAL_CTS_ASSERT_OK_AND_ASSIGN(std::shared_ptr<Buffer> buffer,
                                   tenant.device().Allocate(c.buffer_bytes));
      std::vector<uint8_t> contents = ContentsOf(t * 131 + b, c.buffer_bytes);
      HAL_CTS_ASSERT_OK(
          tenant.queue->CopyHostToDevice(contents.data(), *buffer, 0, contents.size()));
      HAL_CTS_ASSERT_OK(tenant.queue->Synchronize());
      if (addressed) {
        absl::StatusOr<uint64_t> address = buffer->DeviceAddress();
        if (in_place) {
          HAL_CTS_ASSERT_OK(address);
          addresses[t].push_back(*address);
        } else {
          EXPECT_THAT(address, StatusIs(absl::StatusCode::kFailedPrecondition));
        }
      }
      buffers[t].push_back(std::move(buffer));
      model[t].push_back(std::move(contents));
    }
    tenants.push_back(std::move(tenant));
  }
  for (int pass = 0; pass < 2; ++pass) {
    for (int t = 0; t < tenant_count; ++t) {
      for (int b = 0; b < c.buffers_per_tenant; ++b) {
        HAL_CTS_ASSERT_OK_AND_ASSIGN(std::vector<uint8_t> read,
                                     DownloadBytes(*tenants[t].queue, *buffers[t][b]));
        ASSERT_TRUE(read == model[t][b]) << "tenant " << t << ", buffer " << b << ", pass " << pass;
      }
    }
  }
  for (int t = 0; t < tenant_count && addressed && in_place; ++t) {
    for (int b = 0; b < c.buffers_per_tenant; ++b) {
      HAL_CTS_ASSERT_OK_AND_ASSIGN(const uint64_t address, buffers[t][b]->DeviceAddress());
      EXPECT_EQ(address, addresses[t][b]) << "tenant " << t << ", buffer " << b << " moved";
    }
  }
  const auto usage = pool->usage();
  ASSERT_EQ(usage.size(), 1u);
  ASSERT_TRUE(usage[0].residency.has_value()) << "an overcommitted pool reports no residency";
  const Pool::ResidencyUsage& residency = *usage[0].residency;
  EXPECT_LE(residency.resident_bytes, capacity);
  EXPECT_GT(residency.evictions, 0u);
  EXPECT_GT(residency.restores, 0u);
  EXPECT_GE(residency.bytes_restored, c.buffer_bytes);
  if (in_place) {
    EXPECT_GT(residency.stable_address_evictions, 0u)
        << "buffers of " << c.buffer_bytes << " bytes on a device with virtual memory (granularity "
        << properties().virtual_memory_granularity << ") were not evicted at a stable address";
  } else {
    EXPECT_EQ(residency.stable_address_evictions, 0u);
  }
}

HAL_CTS_INSTANTIATE_DEVICE_CASE_TESTS(VirtualDeviceOvercommit, kOvercommitCases);

}  // namespace
}  // namespace hal::cts
