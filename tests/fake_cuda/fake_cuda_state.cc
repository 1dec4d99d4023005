#include "tests/fake_cuda/fake_cuda_state.h"

#include <cstdlib>

#include "absl/strings/str_cat.h"
#include "tests/fake_vendor/config_text.h"

namespace hal::fake::cuda {
namespace {

const std::vector<std::string>& ConfigKeys() {
  static const auto* keys = new std::vector<std::string>{
      "devices", "sm", "sms", "memory_mib", "vmm", "green", "sm_alignment", "init_error"};
  return *keys;
}

absl::StatusOr<std::vector<std::unique_ptr<Device>>> MakeDevices(const ConfigText& config,
                                                                 AllocationRegistry* registry) {
  absl::StatusOr<uint64_t> count = config.ValueFor("devices", 0, 1);
  if (!count.ok()) return count.status();
  if (*count > 64) return absl::InvalidArgumentError("at most 64 fake devices");
  std::vector<std::unique_ptr<Device>> devices;
  for (uint32_t i = 0; i < *count; ++i) {
    auto device = std::make_unique<Device>();
    uint64_t sm = 0, sms = 0, memory_mib = 0, vmm = 0, green = 0, alignment = 0;
    for (auto [key, fallback, out] :
         {std::tuple<const char*, uint64_t, uint64_t*>{"sm", 90, &sm}, {"sms", 132, &sms},
          {"memory_mib", 1024, &memory_mib}, {"vmm", 1, &vmm}, {"green", 1, &green}}) {
      absl::StatusOr<uint64_t> value = config.ValueFor(key, i, fallback);
      if (!value.ok()) return value.status();
      *out = *value;
    }
    if (sm < 10 || sm > 199 || sms == 0 || sms > 1024 || memory_mib == 0 ||
        memory_mib > (uint64_t{1} << 20)) {
      return absl::InvalidArgumentError(absl::StrCat("fake device ", i, ": sm=", sm, " sms=", sms,
                                                     " memory_mib=", memory_mib,
                                                     " is out of range"));
    }
    absl::StatusOr<uint64_t> chosen_alignment =
        config.ValueFor("sm_alignment", i, sm >= 90 ? 8 : 2);
    if (!chosen_alignment.ok()) return chosen_alignment.status();
    alignment = *chosen_alignment;
    if (alignment == 0 || alignment > sms) {
      return absl::InvalidArgumentError(
          absl::StrCat("fake device ", i, ": sm_alignment ", alignment, " with ", sms, " SMs"));
    }
    device->ordinal = static_cast<int>(i);
    device->major = static_cast<int>(sm / 10);
    device->minor = static_cast<int>(sm % 10);
    device->sms = static_cast<uint32_t>(sms);
    device->vmm = vmm != 0;
    device->green = green != 0;
    device->sm_alignment = static_cast<uint32_t>(alignment);
    device->memory = std::make_unique<DeviceMemory>(static_cast<int>(i), memory_mib << 20,
                                                    kAllocationRounding, registry);
    device->primary.device = device.get();
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
  events.clear();
  modules.clear();
  green_contexts.clear();
  resource_descs.clear();
  vm.reset();
  for (auto& device : devices) device->primary.default_stream.reset();
  // Allocations a test left behind go with their devices.
  for (const AllocationRange& range : registry.EraseAll()) {
    if (range.kind == MemoryKind::kDevice || range.kind == MemoryKind::kHost) {
      std::free(reinterpret_cast<void*>(range.base));
    }
  }
  devices.clear();
}

bool State::Configure(absl::string_view config) {
  std::lock_guard lock(mutex);
  DiscardLocked();
  ledger.Reset();
  vm = std::make_unique<VirtualAddressSpace>(kVmmGranularity, &registry);
  configured = true;
  initialized = false;
  init_error = CUDA_SUCCESS;
  const auto refuse = [&](const absl::Status& why) {
    ledger.RecordViolation(absl::StrCat("configuration \"", config, "\": ", why.message()));
    init_error = CUDA_ERROR_INVALID_VALUE;
    return false;
  };
  absl::StatusOr<ConfigText> text = ConfigText::Parse(config, ConfigKeys());
  if (!text.ok()) return refuse(text.status());
  absl::StatusOr<uint64_t> error = text->ValueFor("init_error", 0, CUDA_SUCCESS);
  if (!error.ok()) return refuse(error.status());
  absl::StatusOr<std::vector<std::unique_ptr<Device>>> made = MakeDevices(*text, &registry);
  if (!made.ok()) return refuse(made.status());
  devices = *std::move(made);
  init_error = static_cast<int>(*error);
  return true;
}

std::vector<CUctx_st*>& ContextStack() {
  thread_local std::vector<CUctx_st*> stack;
  return stack;
}

CUctx_st* CurrentContext() {
  const std::vector<CUctx_st*>& stack = ContextStack();
  return stack.empty() ? nullptr : stack.back();
}

std::shared_ptr<CUstream_st> ResolveStream(CUstream stream, CUctx_st* current) {
  State& state = Fake();
  std::lock_guard lock(state.mutex);
  if (stream == nullptr || stream == CU_STREAM_LEGACY || stream == CU_STREAM_PER_THREAD) {
    if (current == nullptr) return nullptr;
    if (!current->default_stream) {
      current->default_stream = std::make_shared<CUstream_st>();
      current->default_stream->context = current;
    }
    return current->default_stream;
  }
  const auto it = state.streams.find(stream);
  return it == state.streams.end() ? nullptr : it->second;
}

void DrainDevice(const Device* device) {
  State& state = Fake();
  std::vector<std::shared_ptr<CUstream_st>> busy;
  {
    std::lock_guard lock(state.mutex);
    for (const auto& [key, stream] : state.streams) {
      if (stream->context->device == device) busy.push_back(stream);
    }
    if (device->primary.default_stream) busy.push_back(device->primary.default_stream);
  }
  for (const auto& stream : busy) stream->worker.WaitIdle();
}

CUresult RequireContext(CUctx_st** context) {
  *context = CurrentContext();
  if (*context == nullptr) return CUDA_ERROR_INVALID_CONTEXT;
  return StickyError(*context);
}

Device* DeviceAt(CUdevice ordinal) {
  State& state = Fake();
  std::lock_guard lock(state.mutex);
  if (ordinal < 0 || static_cast<size_t>(ordinal) >= state.devices.size()) return nullptr;
  return state.devices[ordinal].get();
}

}  // namespace hal::fake::cuda
