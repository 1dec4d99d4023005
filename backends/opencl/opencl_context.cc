#include "backends/opencl/opencl_context.h"

#include <string>

#include "backends/opencl/opencl_errors.h"

namespace hal::opencl {

hal_result Context::Create(Device& device, const hal_context_desc& desc,
                           std::unique_ptr<Context>* out) {
  std::unique_ptr<Context> context(new Context(device));
  context->device_id_ = device.id;
  context->units_ = device.properties.partition_max_units;
  if (desc.partition_units != 0 && device.properties.partition_kind == HAL_PARTITION_SUBDEVICE) {
    HAL_CL_RETURN_IF_FAILED(context->Partition(desc.partition_units));
  }
  const cl_context_properties properties[] = {
      CL_CONTEXT_PLATFORM, reinterpret_cast<cl_context_properties>(device.platform), 0};
  cl_int status = CL_SUCCESS;
  context->context_ =
      Api().clCreateContext(properties, 1, &context->device_id_, nullptr, nullptr, &status);
  HAL_CL_RETURN_IF_FAILED(Check(status, "clCreateContext"));
  context->service_queue_ =
      Api().clCreateCommandQueue(context->context_, context->device_id_, 0, &status);
  HAL_CL_RETURN_IF_FAILED(Check(status, "clCreateCommandQueue"));
  *out = std::move(context);
  return HAL_SUCCESS;
}

hal_result Context::Partition(uint32_t requested) {
  HAL_CL_RETURN_IF_FAILED(device_.partitions->Take(requested, &lease_));
  units_ = lease_.count();
  // A partition of every unit is the device itself.
  if (units_ == device_.properties.partition_max_units) return HAL_SUCCESS;
  HAL_CL_RETURN_IF_FAILED(device_.subdevices.Take(device_.id, units_, &subdevice_));
  device_id_ = subdevice_;
  return HAL_SUCCESS;
}

Context::~Context() {
  if (service_queue_ != nullptr) Api().clReleaseCommandQueue(service_queue_);
  if (context_ != nullptr) Api().clReleaseContext(context_);
  if (subdevice_ != nullptr) device_.subdevices.Give(units_, subdevice_);
}

}  // namespace hal::opencl
