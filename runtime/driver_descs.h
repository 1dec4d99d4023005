// The ABI 2 descriptor structs the runtime passes to drivers, each with its
// type tag set (a driver may rely on it) and no chained options: one place
// builds them, so no call site forgets the tag.
#ifndef HAL_RUNTIME_DRIVER_DESCS_H_
#define HAL_RUNTIME_DRIVER_DESCS_H_

#include <cstddef>
#include <cstdint>

#include "hal/driver/hal_driver.h"

namespace hal::internal {

inline hal_buffer_desc BufferDesc(hal_buffer_kind kind, uint64_t size) {
  hal_buffer_desc desc{};
  desc.type = HAL_STRUCTURE_TYPE_BUFFER_DESC;
  desc.kind = kind;
  desc.size = size;
  return desc;
}

inline constexpr hal_stream_desc StreamDesc(hal_stream_priority priority) {
  return {HAL_STRUCTURE_TYPE_STREAM_DESC, nullptr, priority};
}
// The runtime's own streams (the service stream) are of normal priority.
inline constexpr hal_stream_desc kStreamDesc = StreamDesc(HAL_STREAM_PRIORITY_NORMAL);

inline hal_host_registration_desc HostRegistrationDesc(void* host, uint64_t size) {
  hal_host_registration_desc desc{};
  desc.type = HAL_STRUCTURE_TYPE_HOST_REGISTRATION_DESC;
  desc.host = host;
  desc.size = size;
  return desc;
}

inline constexpr hal_event_desc kEventDesc = {HAL_STRUCTURE_TYPE_EVENT_DESC, nullptr, 0};

inline hal_module_desc ModuleDesc(const char* format, const void* image, size_t image_size) {
  hal_module_desc desc{};
  desc.type = HAL_STRUCTURE_TYPE_MODULE_DESC;
  desc.format = format;
  desc.image = image;
  desc.image_size = image_size;
  return desc;
}

}  // namespace hal::internal

#endif  // HAL_RUNTIME_DRIVER_DESCS_H_
