// Buffers: a cl_mem each. Device buffers are plain; host-staging buffers are
// allocated by the driver (CL_MEM_ALLOC_HOST_PTR, pinned where the device
// distinguishes) and stay mapped for their life, so their host address is
// fixed; registered buffers wrap the caller's memory (CL_MEM_USE_HOST_PTR).
// A binding at an offset is a sub-buffer, made once per offset and kept.
#ifndef HAL_BACKENDS_OPENCL_OPENCL_MEMORY_H_
#define HAL_BACKENDS_OPENCL_OPENCL_MEMORY_H_

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>

#include "backends/opencl/opencl_api.h"
#include "backends/opencl/opencl_context.h"
#include "hal/driver/hal_driver.h"

namespace hal::opencl {

class Buffer {
 public:
  // HAL_ERROR_OUT_OF_MEMORY when the size passes the device's largest
  // allocation or the device's memory (OpenCL allocates lazily, so the
  // driver keeps count) or OpenCL refuses.
  static hal_result Allocate(Context& context, const hal_buffer_desc& desc,
                             std::unique_ptr<Buffer>* out);
  static hal_result Register(Context& context, const hal_host_registration_desc& desc,
                             std::unique_ptr<Buffer>* out);
  ~Buffer();
  Buffer(const Buffer&) = delete;
  Buffer& operator=(const Buffer&) = delete;

  cl_mem mem() const { return mem_; }
  uint64_t size() const { return size_; }
  // Bytes charged to the device: the size rounded to the base alignment;
  // 0 for registered memory.
  uint64_t allocated_size() const { return allocated_size_; }
  // The host address of staging and registered memory; nullptr otherwise.
  std::byte* host() const { return host_; }
  // The buffer from `offset` to its end as a cl_mem: the buffer itself at 0,
  // a sub-buffer otherwise. Thread-safe.
  hal_result View(uint64_t offset, cl_mem* out);

 private:
  Buffer(Context& context, uint64_t size) : context_(context), size_(size) {}
  hal_result Charge(uint64_t bytes);

  Context& context_;
  const uint64_t size_;
  uint64_t allocated_size_ = 0;
  cl_mem mem_ = nullptr;
  std::byte* host_ = nullptr;
  bool mapped_ = false;
  std::mutex views_mutex_;
  std::map<uint64_t, cl_mem> views_;
};

}  // namespace hal::opencl

#endif  // HAL_BACKENDS_OPENCL_OPENCL_MEMORY_H_
