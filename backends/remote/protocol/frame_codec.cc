#include "backends/remote/protocol/frame_codec.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "backends/remote/protocol/wire_version.h"
#include "google/protobuf/stubs/logging.h"
#include "hal/driver/hal_driver.h"

namespace hal::remote {
namespace {

using Client = v1::ClientMessage;

absl::Status CheckTriple(int count, absl::string_view field) {
  if (count == 3) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrCat(field, " has ", count, " values, not 3"));
}

absl::Status CheckAtMost(uint64_t value, uint64_t limit, absl::string_view field) {
  if (value <= limit) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrCat(field, " is ", value, ", at most ", limit));
}

absl::Status CheckDispatch(const v1::Dispatch& dispatch) {
  if (dispatch.workgroup_count_size() != 0) {
    if (absl::Status s = CheckTriple(dispatch.workgroup_count_size(), "dispatch.workgroup_count");
        !s.ok()) {
      return s;
    }
    if (dispatch.workgroup_count_x() != 0 || dispatch.workgroup_count_y() != 0 ||
        dispatch.workgroup_count_z() != 0) {
      return absl::InvalidArgumentError(
          "dispatch carries both workgroup_count and workgroup_count_x/y/z");
    }
  }
  if (absl::Status s = CheckAtMost(dispatch.bindings_size(), HAL_MAX_BINDINGS,
                                   "the number of dispatch.bindings");
      !s.ok()) {
    return s;
  }
  return CheckAtMost(dispatch.push_constants().size(), HAL_MAX_PUSH_CONSTANT_SIZE,
                     "the size of dispatch.push_constants");
}

absl::Status CheckKernelGet(const v1::KernelGet& get) {
  const v1::KernelSignature& signature = get.signature();
  if (absl::Status s =
          CheckTriple(signature.workgroup_size_size(), "kernel_get.signature.workgroup_size");
      !s.ok()) {
    return s;
  }
  if (absl::Status s = CheckAtMost(signature.binding_count(), HAL_MAX_BINDINGS,
                                   "kernel_get.signature.binding_count");
      !s.ok()) {
    return s;
  }
  return CheckAtMost(signature.push_constant_size(), HAL_MAX_PUSH_CONSTANT_SIZE,
                     "kernel_get.signature.push_constant_size");
}

absl::Status CheckName(const std::string& text, absl::string_view field) {
  return CheckAtMost(text.size(), kMaxAdminStringBytes, absl::StrCat("the size of ", field));
}

absl::Status CheckVirtualDeviceCreate(const v1::VirtualDeviceCreate& create) {
  const std::pair<const std::string*, absl::string_view> strings[] = {
      {&create.name(), "virtual_device_create.name"},
      {&create.require_vendor(), "virtual_device_create.require_vendor"},
      {&create.require_format(), "virtual_device_create.require_format"},
      {&create.prefer_vendor(), "virtual_device_create.prefer_vendor"},
      {&create.require_device(), "virtual_device_create.require_device"},
      {&create.owner(), "virtual_device_create.owner"}};
  for (const auto& [text, field] : strings) {
    if (absl::Status s = CheckName(*text, field); !s.ok()) return s;
  }
  return CheckAtMost(create.attach_uids_size(), kMaxAttachUids,
                     "the number of virtual_device_create.attach_uids");
}

// The checks of one command, wherever it sits.
absl::Status CheckCommand(const Client& message) {
  switch (message.body_case()) {
    case Client::kDispatch:
      return CheckDispatch(message.dispatch());
    case Client::kKernelGet:
      return CheckKernelGet(message.kernel_get());
    case Client::kVirtualDeviceCreate:
      return CheckVirtualDeviceCreate(message.virtual_device_create());
    case Client::kVirtualDeviceDestroy:
      return CheckName(message.virtual_device_destroy().name(), "virtual_device_destroy.name");
    case Client::kBufferAllocate:
      if (message.buffer_allocate().shared_host_memory() &&
          message.buffer_allocate().kind() != HAL_BUFFER_HOST_STAGING &&
          message.buffer_allocate().kind() != HAL_BUFFER_DEVICE) {
        return absl::InvalidArgumentError(absl::StrCat(
            "buffer_allocate.shared_host_memory is for DEVICE and HOST_STAGING buffers, not kind ",
            message.buffer_allocate().kind()));
      }
      return absl::OkStatus();
    case Client::kCrossMemoryAttach:
      if (message.cross_memory_attach().canary().empty()) {
        return absl::InvalidArgumentError("cross_memory_attach.canary is empty");
      }
      return CheckAtMost(message.cross_memory_attach().canary().size(),
                         kMaxCrossMemoryCanaryBytes, "the size of cross_memory_attach.canary");
    default:
      return absl::OkStatus();
  }
}

absl::Status CheckBatch(const Client& message) {
  if (message.batch_size() > kMaxBatchEntries) {
    return absl::InvalidArgumentError(
        absl::StrCat("batch has ", message.batch_size(), " entries, at most ", kMaxBatchEntries));
  }
  for (int i = 0; i < message.batch_size(); ++i) {
    const Client& entry = message.batch(i);
    if (entry.request_id() != 0) {
      return absl::InvalidArgumentError(absl::StrCat("batch[", i, "].request_id is ",
                                                     entry.request_id(),
                                                     ": batched commands are one-way (0)"));
    }
    if (entry.batch_size() != 0) {
      return absl::InvalidArgumentError(absl::StrCat("batch[", i, "] holds a nested batch"));
    }
    if (entry.body_case() == Client::BODY_NOT_SET) {
      return absl::InvalidArgumentError(absl::StrCat("batch[", i, "] carries no command"));
    }
    if (entry.body_case() == Client::kVirtualDeviceCreate ||
        entry.body_case() == Client::kVirtualDeviceDestroy ||
        entry.body_case() == Client::kCrossMemoryAttach) {
      return absl::InvalidArgumentError(
          absl::StrCat("batch[", i,
                       "] holds an admin request or a CrossMemoryAttach, which is never one-way"));
    }
    if (absl::Status s = CheckCommand(entry); !s.ok()) {
      return absl::InvalidArgumentError(absl::StrCat("batch[", i, "]: ", s.message()));
    }
  }
  return absl::OkStatus();
}

absl::Status CheckDeviceList(const v1::DeviceList& list) {
  for (int i = 0; i < list.devices_size(); ++i) {
    const v1::DeviceProperties& device = list.devices(i);
    const std::string where = absl::StrCat("device_list.devices[", i, "].");
    if (device.uuid().size() != 16) {
      return absl::InvalidArgumentError(
          absl::StrCat(where, "uuid is ", device.uuid().size(), " bytes, not 16"));
    }
    if (absl::Status s =
            CheckTriple(device.max_workgroup_size_size(), where + "max_workgroup_size");
        !s.ok()) {
      return s;
    }
    if (absl::Status s =
            CheckTriple(device.max_workgroup_count_size(), where + "max_workgroup_count");
        !s.ok()) {
      return s;
    }
  }
  return absl::OkStatus();
}

template <typename Message>
absl::Status Parse(absl::Span<const uint8_t> payload, absl::string_view what, Message* out) {
  if (payload.size() > kMaxFrameBytes) {
    return absl::InvalidArgumentError(absl::StrCat(
        what, " of ", payload.size(), " bytes exceeds the frame limit of ", kMaxFrameBytes));
  }
  // A hostile peer's bad UTF-8 would otherwise make protobuf log a line per
  // frame; the refusal is reported through the status instead.
  const google::protobuf::LogSilencer silence_parse_errors;
  if (!out->ParseFromArray(payload.data(), static_cast<int>(payload.size()))) {
    return absl::InvalidArgumentError(
        absl::StrCat(what, " of ", payload.size(), " bytes does not parse"));
  }
  return absl::OkStatus();
}

}  // namespace

std::array<uint32_t, 3> WorkgroupCountOf(const v1::Dispatch& dispatch) {
  if (dispatch.workgroup_count_size() == 3) {
    return {dispatch.workgroup_count(0), dispatch.workgroup_count(1), dispatch.workgroup_count(2)};
  }
  return {dispatch.workgroup_count_x(), dispatch.workgroup_count_y(),
          dispatch.workgroup_count_z()};
}

absl::Status DecodeClientMessage(absl::Span<const uint8_t> payload, ClientMessage* out) {
  if (absl::Status s = Parse(payload, "client message", out); !s.ok()) return s;
  if (out->body_case() == Client::BODY_NOT_SET && out->batch_size() == 0) {
    return absl::InvalidArgumentError("client message carries neither a command nor a batch");
  }
  if (absl::Status s = CheckBatch(*out); !s.ok()) return s;
  return CheckCommand(*out);
}

absl::Status DecodeDaemonMessage(absl::Span<const uint8_t> payload, DaemonMessage* out) {
  if (absl::Status s = Parse(payload, "daemon message", out); !s.ok()) return s;
  if (out->body_case() == DaemonMessage::kDeviceList) return CheckDeviceList(out->device_list());
  if (out->body_case() == DaemonMessage::kVirtualDeviceCreated) {
    const v1::VirtualDeviceCreated& created = out->virtual_device_created();
    if (absl::Status s = CheckName(created.name(), "virtual_device_created.name"); !s.ok()) {
      return s;
    }
    if (absl::Status s = CheckName(created.physical_device(),
                                   "virtual_device_created.physical_device");
        !s.ok()) {
      return s;
    }
    return CheckName(created.token(), "virtual_device_created.token");
  }
  return absl::OkStatus();
}

std::string EncodeFrame(const google::protobuf::MessageLite& message) {
  const size_t size = message.ByteSizeLong();
  std::string frame(kFrameHeaderBytes + size, '\0');
  for (size_t i = 0; i < kFrameHeaderBytes; ++i) {
    frame[i] = static_cast<char>((size >> (8 * i)) & 0xff);
  }
  message.SerializeWithCachedSizesToArray(reinterpret_cast<uint8_t*>(frame.data()) +
                                          kFrameHeaderBytes);
  return frame;
}

absl::StatusOr<uint32_t> ParseFrameLength(const uint8_t header[kFrameHeaderBytes]) {
  uint32_t length = 0;
  for (size_t i = 0; i < kFrameHeaderBytes; ++i) length |= uint32_t{header[i]} << (8 * i);
  if (length == 0) return absl::InvalidArgumentError("frame of length 0");
  if (length > kMaxFrameBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("frame of ", length, " bytes exceeds the limit of ", kMaxFrameBytes));
  }
  return length;
}

}  // namespace hal::remote
