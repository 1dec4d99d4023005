// Whether a kernel image lies within the bytes given for it.
// cuModuleLoadDataEx and hipModuleLoadData take no size: the vendor finds an
// image's end through its own headers (an ELF's section table, a clang
// offload bundle's entry table), so a truncated or lying image would be read
// past its end.
#ifndef HAL_BACKENDS_GPU_CORE_IMAGE_EXTENT_H_
#define HAL_BACKENDS_GPU_CORE_IMAGE_EXTENT_H_

#include <cstdint>

namespace hal::gpu {

// True when every table, section and entry the headers of `image` claim
// lies within its `size` bytes: for an ELF (a cubin, an AMD code object) and
// a clang offload bundle (what `hipcc --genco` writes). Any other image (PTX
// text, which the caller NUL-terminates) has no extent to check: true.
bool ImageExtentWithin(const uint8_t* image, uint64_t size);

enum class ImageContainer {
  kElf,            // a whole ELF header's worth of bytes starting with ELF's magic
  kOffloadBundle,  // the offload bundle's magic and its entry count
  kOther,          // anything else (PTX text, garbage, too few bytes)
};

// What `image` of `size` bytes is, by its leading bytes.
ImageContainer ContainerOf(const uint8_t* image, uint64_t size);

}  // namespace hal::gpu

#endif  // HAL_BACKENDS_GPU_CORE_IMAGE_EXTENT_H_
