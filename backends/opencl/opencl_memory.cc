#include "backends/opencl/opencl_memory.h"

#include <algorithm>
#include <string>

#include "backends/opencl/opencl_errors.h"

namespace hal::opencl {

hal_result Buffer::Charge(uint64_t bytes) {
  Device& device = context_.device();
  const uint64_t total = device.properties.total_memory_bytes;
  uint64_t held = device.allocated_bytes.load();
  do {
    if (bytes > total - std::min(held, total)) {
      return Fail(HAL_ERROR_OUT_OF_MEMORY, "the OpenCL device has " +
                                               std::to_string(total - std::min(held, total)) +
                                               " of its " + std::to_string(total) +
                                               " bytes free, fewer than " + std::to_string(bytes));
    }
  } while (!device.allocated_bytes.compare_exchange_weak(held, held + bytes));
  allocated_size_ = bytes;
  return HAL_SUCCESS;
}

hal_result Buffer::Allocate(Context& context, const hal_buffer_desc& desc,
                            std::unique_ptr<Buffer>* out) {
  const Device& device = context.device();
  if (desc.size > device.max_allocation_bytes) {
    return Fail(HAL_ERROR_OUT_OF_MEMORY,
                "the OpenCL device allocates at most " +
                    std::to_string(device.max_allocation_bytes) +
                    " bytes in one buffer (CL_DEVICE_MAX_MEM_ALLOC_SIZE), fewer than " +
                    std::to_string(desc.size));
  }
  std::unique_ptr<Buffer> buffer(new Buffer(context, desc.size));
  const uint64_t alignment = device.properties.allocation_granularity;
  HAL_CL_RETURN_IF_FAILED(buffer->Charge((desc.size + alignment - 1) / alignment * alignment));
  const bool staging = desc.kind == HAL_BUFFER_HOST_STAGING;
  const cl_mem_flags flags = CL_MEM_READ_WRITE | (staging ? CL_MEM_ALLOC_HOST_PTR : 0);
  cl_int status = CL_SUCCESS;
  buffer->mem_ = Api().clCreateBuffer(context.context(), flags, desc.size, nullptr, &status);
  HAL_CL_RETURN_IF_FAILED(Check(status, "clCreateBuffer"));
  if (staging) {
    void* host = Api().clEnqueueMapBuffer(context.service_queue(), buffer->mem_, CL_TRUE,
                                          CL_MAP_READ | CL_MAP_WRITE, 0, desc.size, 0, nullptr,
                                          nullptr, &status);
    HAL_CL_RETURN_IF_FAILED(Check(status, "clEnqueueMapBuffer"));
    buffer->host_ = static_cast<std::byte*>(host);
    buffer->mapped_ = true;
  }
  *out = std::move(buffer);
  return HAL_SUCCESS;
}

hal_result Buffer::Register(Context& context, const hal_host_registration_desc& desc,
                            std::unique_ptr<Buffer>* out) {
  std::unique_ptr<Buffer> buffer(new Buffer(context, desc.size));
  cl_int status = CL_SUCCESS;
  buffer->mem_ = Api().clCreateBuffer(context.context(), CL_MEM_READ_WRITE | CL_MEM_USE_HOST_PTR,
                                      desc.size, desc.host, &status);
  HAL_CL_RETURN_IF_FAILED(Check(status, "clCreateBuffer"));
  buffer->host_ = static_cast<std::byte*>(desc.host);
  *out = std::move(buffer);
  return HAL_SUCCESS;
}

hal_result Buffer::View(uint64_t offset, cl_mem* out) {
  if (offset == 0) {
    *out = mem_;
    return HAL_SUCCESS;
  }
  std::lock_guard lock(views_mutex_);
  const auto found = views_.find(offset);
  if (found != views_.end()) {
    *out = found->second;
    return HAL_SUCCESS;
  }
  const cl_buffer_region region{offset, size_ - offset};
  cl_int status = CL_SUCCESS;
  const cl_mem view = Api().clCreateSubBuffer(mem_, CL_MEM_READ_WRITE, CL_BUFFER_CREATE_TYPE_REGION,
                                              &region, &status);
  HAL_CL_RETURN_IF_FAILED(Check(status, "clCreateSubBuffer"));
  views_.emplace(offset, view);
  *out = view;
  return HAL_SUCCESS;
}

Buffer::~Buffer() {
  for (const auto& [offset, view] : views_) Api().clReleaseMemObject(view);
  if (mapped_) {
    Api().clEnqueueUnmapMemObject(context_.service_queue(), mem_, host_, 0, nullptr, nullptr);
    Api().clFlush(context_.service_queue());
  }
  if (mem_ != nullptr) Api().clReleaseMemObject(mem_);
  context_.device().allocated_bytes -= allocated_size_;
}

}  // namespace hal::opencl
