#include "tests/fake_hip/fake_hip_state.h"

#include <cstdlib>
#include <tuple>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "tests/fake_vendor/config_text.h"

namespace hal::fake::hip {
namespace {

const std::vector<std::string>& ConfigKeys() {
  static const auto* keys =
      new std::vector<std::string>{"devices", "cus", "memory_mib", "vmm", "init_error", "oom_at_malloc"};
  return *keys;
}

absl::StatusOr<std::vector<std::unique_ptr<Device>>> MakeDevices(const ConfigText& config,
                                                                 absl::string_view archs,
                                                                 AllocationRegistry* registry) {
  absl::StatusOr<uint64_t> count = config.ValueFor("devices", 0, 1);
  if (!count.ok()) return count.status();
  if (*count > 64) return absl::InvalidArgumentError("at most 64 fake devices");
  const std::vector<std::string> names =
      archs.empty() ? std::vector<std::string>() : absl::StrSplit(archs, ',');
  if (names.size() > 1 && names.size() != *count) {
    return absl::InvalidArgumentError(
        absl::StrCat(names.size(), " gcnArchNames for ", *count, " devices"));
  }
  std::vector<std::unique_ptr<Device>> devices;
  for (uint32_t i = 0; i < *count; ++i) {
    auto device = std::make_unique<Device>();
    uint64_t cus = 0, memory_mib = 0, vmm = 0;
    for (auto [key, fallback, out] :
         {std::tuple<const char*, uint64_t, uint64_t*>{"cus", 104, &cus},
          {"memory_mib", 1024, &memory_mib}, {"vmm", 1, &vmm}}) {
      absl::StatusOr<uint64_t> value = config.ValueFor(key, i, fallback);
      if (!value.ok()) return value.status();
      *out = *value;
    }
    if (cus == 0 || cus > 1024 || memory_mib == 0 || memory_mib > (uint64_t{1} << 20)) {
      return absl::InvalidArgumentError(absl::StrCat(
          "fake device ", i, ": cus=", cus, " memory_mib=", memory_mib, " is out of range"));
    }
    if (!names.empty()) {
      const std::string& name = names.size() == 1 ? names[0] : names[i];
      if (name.size() < 4 || name.substr(0, 3) != "gfx" || name.size() >= 256) {
        return absl::InvalidArgumentError(absl::StrCat("fake device ", i, ": gcnArchName \"",
                                                       name, "\" is not gfx<NNN>[:features]"));
      }
      device->arch = name;
    }
    device->ordinal = static_cast<int>(i);
    device->primary.device = static_cast<int>(i);
    device->cus = static_cast<uint32_t>(cus);
    device->vmm = vmm != 0;
    device->memory = std::make_unique<DeviceMemory>(static_cast<int>(i), memory_mib << 20,
                                                    kAllocationRounding, registry);
    devices.push_back(std::move(device));
  }
  return devices;
}

}  // namespace

State& Fake() {
  static auto* state = new State();  // never destroyed: stream threads may outlive main
  return *state;
}

bool Initialized() {
  State& state = Fake();
  std::lock_guard lock(state.mutex);
  return state.initialized;
}

void State::DiscardLocked() {
  // Streams finish their work before anything they may touch goes.
  streams.clear();
  for (auto& device : devices) device->null_stream.reset();
  events.clear();
  modules.clear();
  vm.reset();
  // Allocations a test left behind go with their devices.
  for (const AllocationRange& range : registry.EraseAll()) {
    if (range.kind == MemoryKind::kDevice || range.kind == MemoryKind::kHost) {
      std::free(reinterpret_cast<void*>(range.base));
    }
  }
  host_allocations.clear();
  devices.clear();
}

bool State::Configure(absl::string_view config, absl::string_view archs) {
  std::lock_guard lock(mutex);
  DiscardLocked();
  ledger.Reset();
  vm = std::make_unique<VirtualAddressSpace>(kVmmGranularity, &registry);
  configured = true;
  initialized = false;
  init_error = hipSuccess;
  const auto refuse = [&](const absl::Status& why) {
    ledger.RecordViolation(absl::StrCat("configuration \"", config, "\" / \"", archs,
                                        "\": ", why.message()));
    init_error = hipErrorInvalidValue;
    return false;
  };
  absl::StatusOr<ConfigText> text = ConfigText::Parse(config, ConfigKeys());
  if (!text.ok()) return refuse(text.status());
  absl::StatusOr<uint64_t> error = text->ValueFor("init_error", 0, hipSuccess);
  if (!error.ok()) return refuse(error.status());
  absl::StatusOr<std::vector<std::unique_ptr<Device>>> made = MakeDevices(*text, archs, &registry);
  if (!made.ok()) return refuse(made.status());
  absl::StatusOr<uint64_t> oom_at = text->ValueFor("oom_at_malloc", 0, 0);
  if (!oom_at.ok()) return refuse(oom_at.status());
  if (*oom_at > 0) ledger.FailCall("hipMalloc", hipErrorOutOfMemory, *oom_at);
  devices = *std::move(made);
  init_error = static_cast<int>(*error);
  return true;
}

int& CurrentDevice() {
  thread_local int device = 0;
  return device;
}

Device* DeviceAt(int ordinal) {
  State& state = Fake();
  std::lock_guard lock(state.mutex);
  if (ordinal < 0 || static_cast<size_t>(ordinal) >= state.devices.size()) return nullptr;
  return state.devices[ordinal].get();
}

std::shared_ptr<ihipStream_t> ResolveStream(hipStream_t stream) {
  State& state = Fake();
  std::lock_guard lock(state.mutex);
  if (stream == nullptr) {
    const int current = CurrentDevice();
    if (current < 0 || static_cast<size_t>(current) >= state.devices.size()) return nullptr;
    Device& device = *state.devices[current];
    if (!device.null_stream) {
      device.null_stream = std::make_shared<ihipStream_t>();
      device.null_stream->device = current;
    }
    return device.null_stream;
  }
  const auto it = state.streams.find(stream);
  return it == state.streams.end() ? nullptr : it->second;
}

void DrainDevice(int device) {
  State& state = Fake();
  std::vector<std::shared_ptr<ihipStream_t>> busy;
  {
    std::lock_guard lock(state.mutex);
    for (const auto& [key, stream] : state.streams) {
      if (stream->device == device) busy.push_back(stream);
    }
    if (device >= 0 && static_cast<size_t>(device) < state.devices.size() &&
        state.devices[device]->null_stream) {
      busy.push_back(state.devices[device]->null_stream);
    }
  }
  for (const auto& stream : busy) stream->worker.WaitIdle();
}

hipError_t DeviceError(int device) {
  const Device* found = DeviceAt(device);
  if (found == nullptr) return hipErrorInvalidDevice;
  return static_cast<hipError_t>(found->sticky_error.load());
}

}  // namespace hal::fake::hip
