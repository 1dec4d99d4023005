// A context: one cl_context on a device, or on a sub-device of the compute
// units its partition holds (clCreateSubDevices by counts, kept for reuse:
// opencl_subdevice_cache.h), and a service
// queue for what belongs to no stream (mapping staging buffers).
#ifndef HAL_BACKENDS_OPENCL_OPENCL_CONTEXT_H_
#define HAL_BACKENDS_OPENCL_OPENCL_CONTEXT_H_

#include <cstdint>
#include <memory>

#include "backends/common/subdevice_partitions.h"
#include "backends/opencl/opencl_api.h"
#include "backends/opencl/opencl_devices.h"
#include "hal/driver/hal_driver.h"

namespace hal::opencl {

class Context {
 public:
  // A partition when desc.partition_units is nonzero and the device has
  // sub-device partitions: HAL_ERROR_OUT_OF_MEMORY when the units it is
  // granted are held by other contexts.
  static hal_result Create(Device& device, const hal_context_desc& desc,
                           std::unique_ptr<Context>* out);
  ~Context();
  Context(const Context&) = delete;
  Context& operator=(const Context&) = delete;

  Device& device() const { return device_; }
  // The root device, or the partition's sub-device.
  cl_device_id device_id() const { return device_id_; }
  cl_context context() const { return context_; }
  cl_command_queue service_queue() const { return service_queue_; }
  // Compute units granted: the whole device's when not partitioned.
  uint32_t units() const { return units_; }

 private:
  explicit Context(Device& device) : device_(device) {}
  hal_result Partition(uint32_t requested);

  Device& device_;
  driver_support::SubdeviceLease lease_;
  cl_device_id subdevice_ = nullptr;  // back to device_.subdevices with the context
  cl_device_id device_id_ = nullptr;
  cl_context context_ = nullptr;
  cl_command_queue service_queue_ = nullptr;
  uint32_t units_ = 0;
};

}  // namespace hal::opencl

#endif  // HAL_BACKENDS_OPENCL_OPENCL_CONTEXT_H_
