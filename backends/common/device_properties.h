// device_get_properties, alike in every driver: the driver's properties given
// to the caller, whose `next` chain stays as it set it (output structs a later
// ABI chains there are unknown to this driver).
#ifndef HAL_BACKENDS_COMMON_DEVICE_PROPERTIES_H_
#define HAL_BACKENDS_COMMON_DEVICE_PROPERTIES_H_

#include "hal/driver/hal_driver.h"

namespace hal::driver_support {

inline hal_result CopyDeviceProperties(const hal_device_properties& properties,
                                       hal_device_properties* out_properties) {
  void* const next = out_properties->next;
  *out_properties = properties;
  out_properties->next = next;
  return HAL_SUCCESS;
}

}  // namespace hal::driver_support

#endif  // HAL_BACKENDS_COMMON_DEVICE_PROPERTIES_H_
