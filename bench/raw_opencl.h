// The benchmarks' OpenCL baseline: plain OpenCL in the same process as hal,
// on the device hal's first OpenCL device is (matched by name). This helper
// only sets up (context, one in-order queue, buffers, a kernel built from
// source); the measured work is enqueued by the benchmark itself through
// cl(). libOpenCL.so.1 is opened at run time with the driver's own symbol
// loader (backends/opencl/opencl_api.h): nothing in the project links it.
#ifndef HAL_BENCH_RAW_OPENCL_H_
#define HAL_BENCH_RAW_OPENCL_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "backends/opencl/opencl_api.h"

namespace hal::bench {

// OK for CL_SUCCESS; otherwise Internal naming the call and the code.
absl::Status ClStatus(cl_int code, absl::string_view call);

class RawOpenCl {
 public:
  // The first device of any platform named `device_name`.
  static absl::StatusOr<std::unique_ptr<RawOpenCl>> Open(absl::string_view device_name);
  ~RawOpenCl();
  RawOpenCl(const RawOpenCl&) = delete;
  RawOpenCl& operator=(const RawOpenCl&) = delete;

  const opencl::OpenClApi& cl() const { return opencl::Api(); }
  cl_command_queue queue() const { return queue_; }

  // A device buffer, released with this object.
  absl::StatusOr<cl_mem> CreateBuffer(size_t size);
  // `kernel` of the OpenCL C `source`, built for the device; released with
  // this object.
  absl::StatusOr<cl_kernel> BuildKernel(absl::string_view source, const std::string& kernel);

 private:
  RawOpenCl() = default;

  cl_device_id device_ = nullptr;
  cl_context context_ = nullptr;
  cl_command_queue queue_ = nullptr;
  std::vector<cl_mem> buffers_;
  std::vector<cl_program> programs_;
  std::vector<cl_kernel> kernels_;
};

// The OpenCL C image of `kernel` in the standard bundle (the "opencl-c"
// format), the very source hal's driver builds.
absl::StatusOr<std::string> StandardOpenClSource(absl::string_view kernel);

// The name of the device OpenBenchContext("opencl", ...) opens.
absl::StatusOr<std::string> BenchOpenClDeviceName();

}  // namespace hal::bench

#endif  // HAL_BENCH_RAW_OPENCL_H_
