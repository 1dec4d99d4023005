// Finding the CPU twin of a device image: the image is looked up, byte for
// byte, among the images of the kernel bundles a test names (a colon-separated
// list of .halb paths), and the same bundle's cpu-elf image gives the twin of
// each of its kernels. Bundles are read with the public hal::KernelBundle API
// (hostile input: parsing is bounds-checked there).
#ifndef HAL_TESTS_FAKE_VENDOR_TWIN_BUNDLES_H_
#define HAL_TESTS_FAKE_VENDOR_TWIN_BUNDLES_H_

#include <map>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "tests/fake_vendor/cpu_twin.h"

namespace hal::fake {

struct DeviceImageTwin {
  std::string bundle_path;
  std::string format;  // of the matching device image
  // The twin of every kernel the device image holds, by kernel name.
  std::map<std::string, CpuTwinKernel> kernels;
};

// NotFound (naming the bundles searched) when no bundle holds `image`;
// InvalidArgument when a bundle cannot be read or its cpu-elf image lacks a
// kernel.
absl::StatusOr<DeviceImageTwin> FindTwin(absl::Span<const uint8_t> image,
                                         absl::string_view bundle_paths);

}  // namespace hal::fake

#endif  // HAL_TESTS_FAKE_VENDOR_TWIN_BUNDLES_H_
