#include "hal/physical_device.h"

#include <algorithm>
#include <atomic>
#include <limits>

#include "absl/strings/str_cat.h"
#include "hal/device.h"
#include "hal/selector.h"
#include "runtime/device_open.h"
#include "runtime/loaded_driver.h"
#include "runtime/object_states.h"

namespace hal {

uint64_t DeviceProperties::RoundedToAllocationGranularity(uint64_t size) const {
  const uint64_t granularity = std::max<uint64_t>(allocation_granularity, 1);
  const uint64_t remainder = size % granularity;
  if (remainder == 0) return size;
  const uint64_t up = granularity - remainder;
  // Saturates: within a granule of 2^64 no quota can hold the charge anyway.
  constexpr uint64_t kMax = std::numeric_limits<uint64_t>::max();
  return size > kMax - up ? kMax : size + up;
}

PhysicalDevice::PhysicalDevice(std::shared_ptr<const internal::LoadedDriver> driver, uint32_t index,
                               DeviceProperties props)
    : driver_(std::move(driver)),
      index_(index),
      props_(std::move(props)),
      id_(absl::StrCat(driver_->name(), ":", index)) {}

const std::string& PhysicalDevice::driver_name() const { return driver_->name(); }

std::string PhysicalDevice::uuid_string() const { return FormatUuid(props_.uuid); }

std::string PhysicalDevice::uuid_selector() const {
  return absl::StrCat(driver_->name(), ":", uuid_string());
}

absl::StatusOr<uint64_t> PhysicalDevice::QueryFreeMemory() const {
  uint64_t free_bytes = 0;
  uint64_t total_bytes = 0;
  if (absl::Status status = driver_->ToStatus(
          driver_->table().device_get_memory_info(index_, &free_bytes, &total_bytes),
          absl::StrCat("querying free memory of ", id_));
      !status.ok()) {
    return status;
  }
  return free_bytes;
}

absl::StatusOr<std::shared_ptr<Device>> PhysicalDevice::Open(const DeviceOptions& options) const {
  return internal::OpenDevice(*this, options, {});
}

namespace internal {

absl::StatusOr<std::shared_ptr<Device>> OpenDevice(const PhysicalDevice& physical,
                                                   const DeviceOptions& options,
                                                   TenantHooks hooks) {
  const DeviceProperties& props = physical.properties();
  const std::string& id = physical.id();
  const LoadedDriver* driver = &Access::Driver(physical);
  const uint32_t index = physical.index();
  if (options.partition_units != 0) {
    if (props.partition.kind == PartitionKind::kNone) {
      return absl::InvalidArgumentError(
          absl::StrCat("device ", id, " has no compute partitions, but ", options.partition_units,
                       " partition units were asked for"));
    }
    if (options.partition_units > props.partition.max_units) {
      return absl::InvalidArgumentError(
          absl::StrCat("device ", id, " has ", props.partition.max_units, " partition units (",
                       PartitionKindName(props.partition.kind), "), fewer than the ",
                       options.partition_units, " asked for"));
    }
  }
  const hal_driver_table& table = driver->table();
  hal_context_desc desc{};
  desc.type = HAL_STRUCTURE_TYPE_CONTEXT_DESC;
  desc.partition_units = options.partition_units;
  // A virtual device's kernels get robust access.
  if (hooks.tenant != nullptr) desc.flags |= HAL_CONTEXT_FLAG_VIRTUAL_DEVICE;
  // A caching driver's cache is counted, and charged to the tenant.
  std::unique_ptr<MemoryCacheAccount> cache_account;
  if (props.capabilities.has(Capability::kMemoryCache)) {
    cache_account = std::make_unique<MemoryCacheAccount>(
        hooks.tenant.get(), options.memory_cache_limit.value_or(
                                props.memory_bytes / DeviceOptions::kDefaultMemoryCacheShare));
    desc.next = &cache_account->desc();
  }
  hal_drv_context* context = nullptr;
  if (absl::Status status = driver->ToStatus(table.context_create(index, &desc, &context),
                                             absl::StrCat("opening device ", id));
      !status.ok()) {
    return status;
  }
  uint32_t units = 0;
  if (absl::Status status = driver->ToStatus(table.context_get_partition(context, &units),
                                             absl::StrCat("querying the partition of ", id));
      !status.ok()) {
    table.context_destroy(context);
    return status;
  }
  // Numbers contexts so that messages tell two contexts of one device apart.
  static std::atomic<uint64_t> next_context_number{1};
  std::string label = absl::StrCat(id, "#", next_context_number.fetch_add(1));
  return std::make_shared<Device>(std::make_shared<DeviceState>(
      physical.shared_from_this(), context, std::move(label), units, std::move(hooks.tenant),
      std::move(hooks.residency), std::move(hooks.compute_gate), std::move(cache_account)));
}

}  // namespace internal

}  // namespace hal
