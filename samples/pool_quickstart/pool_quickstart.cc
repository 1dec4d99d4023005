// The pool example of docs/virtual-devices.md, whole: a pool of the selected
// devices that overcommits memory 2x, and one virtual device carved out of it
// with a memory quota and a compute share, used through the ordinary Device
// API. The documentation's block is copied from here verbatim (a test checks
// it), so the example users paste compiles as this sample does.
#include <iostream>
#include <memory>

#include "hal/hal.h"

namespace {

absl::Status Run() {
  // docs/virtual-devices.md: begin
  HAL_ASSIGN_OR_RETURN(std::unique_ptr<hal::Runtime> runtime, hal::Runtime::Create());
  HAL_ASSIGN_OR_RETURN(const hal::PhysicalDevice* cpu, runtime->FindDevice("cpu:0"));
  hal::PoolOptions options;
  options.overcommit_ratio = 2.0;                  // quotas may sum to 2x capacity
  options.capacity_caps[cpu->id()] = 64ull << 20;  // use at most 64 MiB of it
  auto pool = hal::Pool::Create({cpu}, options);
  if (!pool.ok()) return pool.status();
  hal::VirtualDeviceSpec spec;
  spec.name = "training";
  spec.memory_quota = 48ull << 20;
  spec.compute_share = 0.25;
  auto vd = (*pool)->CreateVirtualDevice(spec);  // admission control
  if (!vd.ok()) return vd.status();
  std::shared_ptr<hal::Device> device = (*vd)->device();  // allocate, queue, dispatch as usual
  // docs/virtual-devices.md: end
  HAL_ASSIGN_OR_RETURN(std::shared_ptr<hal::Buffer> buffer, device->Allocate(1 << 20));
  std::cout << (*vd)->name() << " on " << (*vd)->placement().id() << ": " << buffer->size()
            << " bytes allocated of a " << ((*vd)->memory_quota() >> 20) << " MiB quota\n";
  return absl::OkStatus();
}

}  // namespace

int main() {
  if (absl::Status status = Run(); !status.ok()) {
    std::cerr << "pool_quickstart: " << status << "\n";
    return 1;
  }
  return 0;
}
