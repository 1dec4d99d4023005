// The hello world of hal: c = a + b on the first selected device
// (HAL_DEVICE_SELECTOR picks it; the CPU driver is always there).
#include <cstdint>
#include <iostream>
#include <vector>

#include "hal/hal.h"

absl::Status Run() {
  HAL_ASSIGN_OR_RETURN(std::unique_ptr<hal::Runtime> runtime, hal::Runtime::Create());
  if (runtime->devices().empty()) return absl::NotFoundError("no device selected (see hal-info)");
  const hal::PhysicalDevice& physical = *runtime->devices().front();
  HAL_ASSIGN_OR_RETURN(std::shared_ptr<hal::Device> device, physical.Open());
  HAL_ASSIGN_OR_RETURN(hal::KernelBundle bundle,
                       hal::KernelBundle::ReadFile(hal::KernelBundle::StandardBundlePath()));
  HAL_ASSIGN_OR_RETURN(std::shared_ptr<hal::Kernel> kernel,
                       device->LoadKernel(bundle, "vector_add_i32"));

  const uint32_t n = 1 << 20;
  const uint64_t bytes = n * sizeof(int32_t);
  std::vector<int32_t> a(n), b(n), c(n);
  for (uint32_t i = 0; i < n; ++i) {
    a[i] = static_cast<int32_t>(i);
    b[i] = 3 * static_cast<int32_t>(i) - 7;
  }
  HAL_ASSIGN_OR_RETURN(auto a_buffer, device->Allocate(bytes));
  HAL_ASSIGN_OR_RETURN(auto b_buffer, device->Allocate(bytes));
  HAL_ASSIGN_OR_RETURN(auto c_buffer, device->Allocate(bytes));
  HAL_ASSIGN_OR_RETURN(std::unique_ptr<hal::Queue> queue, device->CreateQueue());

  HAL_RETURN_IF_ERROR(queue->CopyHostToDevice(a.data(), *a_buffer, 0, bytes));
  HAL_RETURN_IF_ERROR(queue->CopyHostToDevice(b.data(), *b_buffer, 0, bytes));
  const hal::BufferBinding bindings[] = {{a_buffer.get()}, {b_buffer.get()}, {c_buffer.get()}};
  const hal::GridSize grid{(n + 255) / 256, 1, 1};  // the kernel's workgroups are 256 wide
  HAL_RETURN_IF_ERROR(queue->Dispatch(*kernel, grid, bindings, n));
  HAL_RETURN_IF_ERROR(queue->CopyDeviceToHost(*c_buffer, 0, c.data(), bytes));
  HAL_RETURN_IF_ERROR(queue->Synchronize());

  for (uint32_t i = 0; i < n; ++i) {
    if (c[i] != a[i] + b[i]) {
      return absl::InternalError("c[" + std::to_string(i) + "] = " + std::to_string(c[i]) +
                                 ", expected " + std::to_string(a[i] + b[i]));
    }
  }
  std::cout << "vector_add on " << physical.id() << " (" << physical.properties().name
            << "): " << n << " elements verified\n";
  return absl::OkStatus();
}

int main() {
  if (absl::Status status = Run(); !status.ok()) {
    std::cerr << "vector_add failed: " << status << "\n";
    return 1;
  }
  return 0;
}
