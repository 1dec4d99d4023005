#include "runtime/queue_validation.h"

#include "absl/strings/str_cat.h"

namespace hal::internal {
namespace {

// CheckOwner's refusal, apart so that the checks build no message (and
// allocate nothing) when the owner is right.
absl::Status WrongOwner(const DeviceState& device, const DeviceState& owner,
                        absl::string_view what) {
  // Crossing from one virtual device into another is an isolation breach, not
  // a plain mistake: it gets its own code.
  if (owner.tenant || device.tenant) {
    auto name = [](const DeviceState& state) {
      return state.tenant ? absl::StrCat("virtual device \"", state.tenant->tenant_name(), "\"")
                          : absl::StrCat("device ", state.label);
    };
    return absl::PermissionDeniedError(absl::StrCat(what, " belongs to ", name(owner),
                                                    " and cannot be used through ", name(device)));
  }
  return absl::InvalidArgumentError(absl::StrCat(what, " belongs to device ", owner.label,
                                                 ", not to the queue's device ", device.label));
}

}  // namespace

absl::Status CheckOwner(const DeviceState& device, const DeviceState& owner,
                        absl::string_view what) {
  if (&owner == &device) return absl::OkStatus();
  return WrongOwner(device, owner, what);
}

absl::Status CheckBufferRange(const DeviceState& device, const Buffer& buffer,
                              absl::string_view role, uint64_t offset, uint64_t size) {
  const BufferState& state = *internal::Access::State(buffer);
  if (state.device.get() != &device) {
    return WrongOwner(device, *state.device, absl::StrCat(role, " buffer"));
  }
  // Written so that no sum can overflow.
  if (offset > state.size || size > state.size - offset) {
    return absl::InvalidArgumentError(absl::StrCat(role, " range [", offset, ", ", offset, " + ",
                                                   size, ") is outside the buffer of ", state.size,
                                                   " bytes on device ", device.label));
  }
  return absl::OkStatus();
}

absl::Status CheckCopyBuffer(const DeviceState& device, const Buffer& src, uint64_t src_offset,
                             const Buffer& dst, uint64_t dst_offset, uint64_t size) {
  if (absl::Status status = CheckBufferRange(device, src, "copy source", src_offset, size);
      !status.ok()) {
    return status;
  }
  if (absl::Status status = CheckBufferRange(device, dst, "copy destination", dst_offset, size);
      !status.ok()) {
    return status;
  }
  // Both ranges are inside the buffer, so these sums cannot overflow.
  if (internal::Access::State(src) == internal::Access::State(dst) && size > 0 &&
      src_offset < dst_offset + size && dst_offset < src_offset + size) {
    return absl::InvalidArgumentError(
        absl::StrCat("copy source range [", src_offset, ", ", src_offset + size,
                     ") and destination range [", dst_offset, ", ", dst_offset + size,
                     ") overlap in the same buffer; copy through a second buffer"));
  }
  return absl::OkStatus();
}

absl::Status CheckFill(const DeviceState& device, const Buffer& buffer, uint64_t offset,
                       uint64_t size) {
  if (offset % 4 != 0 || size % 4 != 0) {
    return absl::InvalidArgumentError(absl::StrCat("fill offset (", offset, ") and size (", size,
                                                   ") must be multiples of 4 bytes"));
  }
  return CheckBufferRange(device, buffer, "fill destination", offset, size);
}

absl::Status CheckHostPointer(const void* pointer, absl::string_view role, uint64_t size) {
  if (pointer != nullptr || size == 0) return absl::OkStatus();
  return absl::InvalidArgumentError(
      absl::StrCat(role, " host pointer is null for a copy of ", size, " bytes"));
}

absl::Status CheckDispatch(const DeviceState& device, const Kernel& kernel, GridSize grid,
                           absl::Span<const BufferBinding> bindings,
                           absl::Span<const uint8_t> push_constants) {
  const KernelState& state = *internal::Access::State(kernel);
  const std::string& name = state.info.name;
  if (state.device.get() != &device) {
    return WrongOwner(device, *state.device, absl::StrCat("kernel \"", name, "\""));
  }
  if (bindings.size() != state.info.binding_count) {
    return absl::InvalidArgumentError(absl::StrCat("kernel \"", name, "\" takes ",
                                                   state.info.binding_count, " bindings, but ",
                                                   bindings.size(), " were given"));
  }
  if (push_constants.size() != state.info.push_constant_size) {
    return absl::InvalidArgumentError(
        absl::StrCat("kernel \"", name, "\" takes ", state.info.push_constant_size,
                     " bytes of push constants, but ", push_constants.size(), " were given"));
  }
  const uint32_t counts[3] = {grid.x, grid.y, grid.z};
  for (int d = 0; d < 3; ++d) {
    const uint32_t limit = device.props().max_workgroup_count[d];
    if (counts[d] == 0 || (limit != 0 && counts[d] > limit)) {
      return absl::InvalidArgumentError(absl::StrCat(
          "dispatch of kernel \"", name, "\" with grid ", grid.x, "x", grid.y, "x", grid.z,
          ": dimension ", d, " must be between 1 and ", limit, " on device ", device.label));
    }
  }
  const uint64_t alignment = device.props().binding_offset_alignment;
  for (size_t i = 0; i < bindings.size(); ++i) {
    const BufferBinding& binding = bindings[i];
    // Built only for a refusal: the accepted dispatch formats nothing.
    auto role = [&] { return absl::StrCat("binding ", i, " of kernel \"", name, "\""); };
    if (binding.buffer == nullptr) {
      return absl::InvalidArgumentError(absl::StrCat(role(), " has no buffer"));
    }
    if (binding.offset % alignment != 0) {
      return absl::InvalidArgumentError(absl::StrCat(role(), " offset (", binding.offset,
                                                     ") is not a multiple of ", alignment,
                                                     " on device ", device.label));
    }
    if (binding.offset >= binding.buffer->size()) {
      return absl::InvalidArgumentError(absl::StrCat(role(), " offset (", binding.offset,
                                                     ") is not inside its buffer of ",
                                                     binding.buffer->size(), " bytes"));
    }
    const DeviceState& owner = *internal::Access::State(*binding.buffer)->device;
    if (&owner != &device) return WrongOwner(device, owner, role());
  }
  return absl::OkStatus();
}

}  // namespace hal::internal
