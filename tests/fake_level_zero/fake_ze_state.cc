#include "tests/fake_level_zero/fake_ze_state.h"

#include <cstdlib>
#include <tuple>

#include "absl/strings/str_cat.h"
#include "tests/fake_vendor/config_text.h"

namespace hal::fake::level_zero {
namespace {

// HAL_FAKE_ZE_CONFIG keys: devices (count), subdevices (per device, 0 for
// none), eus (execution units per sub-device, or of the device without
// sub-devices), memory_mib, vmm (virtual memory), init_result (what zeInit
// answers, e.g. 2013265921 for ZE_RESULT_ERROR_UNINITIALIZED).
absl::StatusOr<std::vector<std::unique_ptr<_ze_device_handle_t>>> MakeDevices(
    const ConfigText& config, AllocationRegistry* registry) {
  absl::StatusOr<uint64_t> count = config.ValueFor("devices", 0, 1);
  if (!count.ok()) return count.status();
  if (*count > 16) return absl::InvalidArgumentError("at most 16 fake devices");
  std::vector<std::unique_ptr<_ze_device_handle_t>> devices;
  for (uint32_t i = 0; i < *count; ++i) {
    uint64_t subdevices = 0, eus = 0, memory_mib = 0, vmm = 0;
    for (auto [key, fallback, out] :
         {std::tuple<const char*, uint64_t, uint64_t*>{"subdevices", 0, &subdevices},
          {"eus", 64, &eus}, {"memory_mib", 1024, &memory_mib}, {"vmm", 1, &vmm}}) {
      absl::StatusOr<uint64_t> value = config.ValueFor(key, i, fallback);
      if (!value.ok()) return value.status();
      *out = *value;
    }
    if (subdevices > 16 || eus == 0 || eus > 4096 || memory_mib == 0 ||
        memory_mib > (uint64_t{1} << 20)) {
      return absl::InvalidArgumentError(absl::StrCat("fake device ", i, ": subdevices=", subdevices,
                                                     " eus=", eus, " memory_mib=", memory_mib,
                                                     " is out of range"));
    }
    auto device = std::make_unique<_ze_device_handle_t>();
    device->ordinal = i;
    device->root = device.get();
    device->vmm = vmm != 0;
    device->memory = std::make_shared<DeviceMemory>(static_cast<int>(i), memory_mib << 20,
                                                    kAllocationRounding, registry);
    device->eus = static_cast<uint32_t>(eus * std::max<uint64_t>(subdevices, 1));
    for (uint32_t s = 0; s < subdevices; ++s) {
      auto sub = std::make_unique<_ze_device_handle_t>();
      sub->ordinal = i;
      sub->subdevice_index = static_cast<int32_t>(s);
      sub->root = device.get();
      sub->eus = static_cast<uint32_t>(eus);
      sub->vmm = device->vmm;
      sub->memory = device->memory;
      device->subdevices.push_back(std::move(sub));
    }
    devices.push_back(std::move(device));
  }
  return devices;
}

}  // namespace

State& Fake() {
  static auto* state = new State();  // never destroyed: workers may outlive main
  return *state;
}

ze_result_t State::Initialize() {
  std::lock_guard lock(mutex);
  if (init_result) return *init_result;
  const char* text = std::getenv("HAL_FAKE_ZE_CONFIG");
  absl::StatusOr<ConfigText> config = ConfigText::Parse(
      text ? text : "", {"devices", "subdevices", "eus", "memory_mib", "vmm", "init_result"});
  if (!config.ok()) {
    ledger.RecordViolation(absl::StrCat("HAL_FAKE_ZE_CONFIG: ", config.status().message()));
    init_result = ZE_RESULT_ERROR_INVALID_ARGUMENT;
    return *init_result;
  }
  absl::StatusOr<uint64_t> result = config->ValueFor("init_result", 0, ZE_RESULT_SUCCESS);
  absl::StatusOr<std::vector<std::unique_ptr<_ze_device_handle_t>>> made =
      MakeDevices(*config, &registry);
  if (!result.ok() || !made.ok()) {
    ledger.RecordViolation(absl::StrCat(
        "HAL_FAKE_ZE_CONFIG: ", (!result.ok() ? result.status() : made.status()).message()));
    init_result = ZE_RESULT_ERROR_INVALID_ARGUMENT;
    return *init_result;
  }
  devices = *std::move(made);
  init_result = static_cast<ze_result_t>(*result);
  return *init_result;
}

bool IsDevice(ze_device_handle_t device) {
  if (device == nullptr) return false;
  for (const auto& root : Fake().devices) {
    if (root.get() == device) return true;
    for (const auto& sub : root->subdevices) {
      if (sub.get() == device) return true;
    }
  }
  return false;
}

void DrainCommandLists() {
  // Shared, so that a list destroyed meanwhile on another thread lives on
  // until it was waited for.
  std::vector<std::shared_ptr<_ze_command_list_handle_t>> lists;
  {
    State& state = Fake();
    std::lock_guard lock(state.mutex);
    for (const auto& [handle, list] : state.command_lists) lists.push_back(list);
  }
  for (const auto& list : lists) list->worker.WaitIdle();
}

}  // namespace hal::fake::level_zero

void _ze_event_handle_t::Signal() {
  std::lock_guard lock(mutex);
  is_signalled = true;
  changed.notify_all();
}

void _ze_event_handle_t::Reset() {
  std::lock_guard lock(mutex);
  is_signalled = false;
}

bool _ze_event_handle_t::signalled() const {
  std::lock_guard lock(mutex);
  return is_signalled;
}

void _ze_event_handle_t::Wait() const {
  std::unique_lock lock(mutex);
  changed.wait(lock, [this] { return is_signalled; });
}
