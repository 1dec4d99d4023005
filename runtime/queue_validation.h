// Argument checks of Queue calls: done once here, above the driver ABI, so
// drivers only translate. Each returns InvalidArgument naming the object and
// the values involved.
#ifndef HAL_RUNTIME_QUEUE_VALIDATION_H_
#define HAL_RUNTIME_QUEUE_VALIDATION_H_

#include <cstdint>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "hal/buffer.h"
#include "hal/kernel.h"
#include "hal/queue.h"
#include "runtime/object_states.h"

namespace hal::internal {

// `owner` is `device`: InvalidArgument otherwise, or PermissionDenied when a
// virtual device is involved (an object crossing tenants).
absl::Status CheckOwner(const DeviceState& device, const DeviceState& owner,
                        absl::string_view what);
// The buffer belongs to `device` and [offset, offset+size) lies inside it.
absl::Status CheckBufferRange(const DeviceState& device, const Buffer& buffer,
                              absl::string_view role, uint64_t offset, uint64_t size);
// Both ranges lie inside their buffers (CheckBufferRange) and, within one
// buffer, do not overlap: drivers copy as memcpy does (Vulkan forbids the
// overlap outright), so the result would depend on the driver.
absl::Status CheckCopyBuffer(const DeviceState& device, const Buffer& src, uint64_t src_offset,
                             const Buffer& dst, uint64_t dst_offset, uint64_t size);
absl::Status CheckFill(const DeviceState& device, const Buffer& buffer, uint64_t offset,
                       uint64_t size);
absl::Status CheckDispatch(const DeviceState& device, const Kernel& kernel, GridSize grid,
                           absl::Span<const BufferBinding> bindings,
                           absl::Span<const uint8_t> push_constants);
// A host pointer for a non-empty copy is not null.
absl::Status CheckHostPointer(const void* pointer, absl::string_view role, uint64_t size);

}  // namespace hal::internal

#endif  // HAL_RUNTIME_QUEUE_VALIDATION_H_
