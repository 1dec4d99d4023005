// Picks the bundle image a device should load for a kernel.
#ifndef HAL_RUNTIME_IMAGE_SELECTION_H_
#define HAL_RUNTIME_IMAGE_SELECTION_H_

#include <cstddef>
#include <string>
#include "absl/strings/string_view.h"
#include <vector>

#include "absl/status/statusor.h"
#include "hal/kernel_bundle.h"

namespace hal::internal {

// The index of the image to load: the device's formats are tried best first;
// for each, an image made for this kernel alone is preferred to one holding
// every kernel. NotFound lists the bundle's formats and the device's.
absl::StatusOr<size_t> SelectImage(const KernelBundle& bundle, absl::string_view kernel_name,
                                   const std::vector<std::string>& device_formats,
                                   absl::string_view device_label);

}  // namespace hal::internal

#endif  // HAL_RUNTIME_IMAGE_SELECTION_H_
