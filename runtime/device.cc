#include "hal/device.h"

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "hal/buffer.h"
#include "hal/event.h"
#include "hal/kernel.h"
#include "hal/kernel_bundle.h"
#include "hal/physical_device.h"
#include "hal/queue.h"
#include "hal/status_macros.h"
#include "runtime/buffer_zeroing.h"
#include "runtime/image_selection.h"
#include "runtime/kernel_image_check.h"
#include "runtime/object_states.h"
#include "runtime/queue_state.h"
#include "runtime/driver_descs.h"

namespace hal {

Device::Device(std::shared_ptr<internal::DeviceState> state) : state_(std::move(state)) {}
Device::~Device() = default;

const PhysicalDevice& Device::physical_device() const { return *state_->physical; }
const std::string& Device::label() const { return state_->label; }
uint32_t Device::partition_units() const { return state_->partition_units; }

uint64_t Device::allocated_bytes() const {
  return state_->allocated_bytes.load(std::memory_order_relaxed);
}

uint64_t Device::cached_bytes() const {
  return state_->cache_account ? state_->cache_account->cached_bytes() : 0;
}

void Device::TrimMemoryCache() {
  if (state_->cache_account) state_->table->context_trim_memory(state_->context);
}

namespace {

// The driver's cache of freed memory counts against the tenant's quota and
// the device's memory: before either refuses an allocation, the cache is
// given back and the allocation tried once more.
absl::Status ChargeTenant(Device& device, internal::Tenant& tenant, uint64_t bytes,
                          uint64_t requested) {
  if (device.cached_bytes() > 0) {
    if (tenant.TryCharge(bytes)) return absl::OkStatus();
    device.TrimMemoryCache();
  }
  return tenant.Charge(bytes, requested);
}

absl::Status RetryAfterTrim(Device& device, absl::FunctionRef<absl::Status()> allocate) {
  absl::Status status = allocate();
  if (!absl::IsResourceExhausted(status) || device.cached_bytes() == 0) return status;
  device.TrimMemoryCache();
  return allocate();
}

}  // namespace

absl::StatusOr<std::shared_ptr<Buffer>> Device::Allocate(uint64_t size, BufferKind kind) {
  if (size == 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("cannot allocate a buffer of 0 bytes on device ", state_->label));
  }
  const uint64_t capacity = state_->props().memory_bytes;
  if (size > capacity) {
    return absl::ResourceExhaustedError(absl::StrCat("allocation of ", size, " bytes on device ",
                                                     state_->label, " exceeds its memory (",
                                                     capacity, " bytes)"));
  }
  HAL_RETURN_IF_ERROR(state_->health.CheckUsable(state_->label));
  internal::Tenant* tenant = state_->tenant.get();
  // A tenant is charged before the driver is called, so an allocation over
  // quota fails without touching the device; the charge is then corrected to
  // the size the driver really took.
  const uint64_t expected = state_->props().RoundedToAllocationGranularity(size);
  if (tenant) HAL_RETURN_IF_ERROR(ChargeTenant(*this, *tenant, expected, size));

  const hal_buffer_kind raw_kind =
      kind == BufferKind::kHostStaging ? HAL_BUFFER_HOST_STAGING : HAL_BUFFER_DEVICE;
  const hal_buffer_desc desc = internal::BufferDesc(raw_kind, size);
  hal_drv_buffer* buffer = nullptr;
  uint64_t allocated = 0;
  absl::Status allocation = RetryAfterTrim(*this, [&] {
    return state_->residency
               ? state_->residency->AllocateResident(*state_, raw_kind, size, &buffer, &allocated)
               : state_->driver->ToStatus(
                     state_->table->buffer_allocate(state_->context, &desc, &buffer, &allocated),
                     absl::StrCat("allocating ", size, " bytes on device ", state_->label));
  });
  if (!allocation.ok()) {
    if (tenant) tenant->Uncharge(expected);
    return allocation;
  }
  // From here the state owns the driver buffer: dropping it frees the buffer
  // and undoes the accounting, including whatever is charged to the tenant.
  state_->allocated_bytes.fetch_add(allocated, std::memory_order_relaxed);
  auto buffer_state =
      std::make_shared<internal::BufferState>(state_, buffer, size, allocated, kind);
  if (tenant) {
    buffer_state->charged = expected;
    if (allocated > expected) {
      HAL_RETURN_IF_ERROR(ChargeTenant(*this, *tenant, allocated - expected, size));
    } else {
      tenant->Uncharge(expected - allocated);
    }
    buffer_state->charged = allocated;
    HAL_RETURN_IF_ERROR(internal::ZeroNewBuffer(*state_, *buffer_state));
  }
  if (state_->residency) state_->residency->Register(*buffer_state);
  return std::make_shared<Buffer>(std::move(buffer_state));
}

absl::StatusOr<std::shared_ptr<Event>> Device::CreateEvent() {
  HAL_RETURN_IF_ERROR(state_->health.CheckUsable(state_->label));
  hal_drv_event* event = nullptr;
  if (absl::Status status =
          state_->driver->ToStatus(state_->table->event_create(state_->context, &internal::kEventDesc, &event),
                                   absl::StrCat("creating an event on device ", state_->label));
      !status.ok()) {
    return status;
  }
  return std::make_shared<Event>(std::make_shared<internal::EventState>(state_, event));
}

namespace {

absl::Status CheckWorkgroupSize(const KernelInfo& info, const DeviceProperties& props,
                                absl::string_view label) {
  uint64_t invocations = 1;
  for (int d = 0; d < 3; ++d) {
    invocations *= info.workgroup_size[d];
    if (props.max_workgroup_size[d] != 0 && info.workgroup_size[d] > props.max_workgroup_size[d]) {
      return absl::InvalidArgumentError(
          absl::StrCat("kernel \"", info.name, "\" declares workgroup size ",
                       absl::StrJoin(info.workgroup_size, "x"), ", larger than device ", label,
                       " allows in dimension ", d, " (", props.max_workgroup_size[d], ")"));
    }
  }
  if (props.max_workgroup_invocations != 0 && invocations > props.max_workgroup_invocations) {
    return absl::InvalidArgumentError(absl::StrCat(
        "kernel \"", info.name, "\" declares ", invocations, " invocations per workgroup; device ",
        label, " allows ", props.max_workgroup_invocations));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::shared_ptr<Kernel>> Device::LoadKernel(const KernelBundle& bundle,
                                                           absl::string_view kernel_name) {
  const KernelInfo* info = bundle.FindKernel(kernel_name);
  if (info == nullptr) {
    std::vector<std::string> names;
    for (const KernelInfo& kernel : bundle.kernels()) names.push_back(kernel.name);
    return absl::NotFoundError(absl::StrCat("kernel bundle has no kernel \"", kernel_name,
                                            "\"; it has [", absl::StrJoin(names, ", "), "]"));
  }
  HAL_RETURN_IF_ERROR(state_->health.CheckUsable(state_->label));
  if (absl::Status status = CheckWorkgroupSize(*info, state_->props(), state_->label);
      !status.ok()) {
    return status;
  }
  auto image_index =
      internal::SelectImage(bundle, kernel_name, state_->props().kernel_formats, state_->label);
  if (!image_index.ok()) return image_index.status();
  const KernelImage& image = bundle.images()[*image_index];
  HAL_RETURN_IF_ERROR(internal::CheckKernelImage(image, *info, state_->label));

  std::shared_ptr<internal::ModuleState> module;
  {
    std::lock_guard<std::mutex> lock(state_->modules_mu);
    absl::erase_if(state_->modules, [](const auto& entry) { return entry.second.expired(); });
    auto [it, inserted] = state_->modules.try_emplace({bundle.id(), *image_index});
    module = it->second.lock();
    if (module == nullptr) {
      hal_drv_module* raw = nullptr;
      const hal_module_desc desc =
          internal::ModuleDesc(image.format.c_str(), image.data.data(), image.data.size());
      absl::Status status = state_->driver->ToStatus(
          state_->table->module_load(state_->context, &desc, &raw),
          absl::StrCat("loading the ", image.format, " image of kernel \"", kernel_name,
                       "\" on device ", state_->label));
      if (!status.ok()) {
        state_->modules.erase(it);
        return status;
      }
      module = std::make_shared<internal::ModuleState>(state_->table, raw);
      it->second = module;
    }
  }
  hal_kernel_desc kernel_desc{};
  kernel_desc.type = HAL_STRUCTURE_TYPE_KERNEL_DESC;
  kernel_desc.name = info->name.c_str();
  kernel_desc.signature.binding_count = info->binding_count;
  kernel_desc.signature.push_constant_size = info->push_constant_size;
  for (int d = 0; d < 3; ++d) kernel_desc.signature.workgroup_size[d] = info->workgroup_size[d];
  hal_drv_kernel* kernel = nullptr;
  if (absl::Status status = state_->driver->ToStatus(
          state_->table->kernel_get(module->module, &kernel_desc, &kernel),
          absl::StrCat("finding kernel \"", kernel_name, "\" in its ", image.format,
                       " image on device ", state_->label));
      !status.ok()) {
    return status;
  }
  auto kernel_state = std::make_shared<internal::KernelState>();
  kernel_state->device = state_;
  kernel_state->module = std::move(module);
  kernel_state->kernel = kernel;
  kernel_state->info = *info;
  kernel_state->image_format = image.format;
  return std::make_shared<Kernel>(std::move(kernel_state));
}

}  // namespace hal
