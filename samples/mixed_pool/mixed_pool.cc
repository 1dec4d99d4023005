// Three tenants on one pool of every selected device (of any drivers; the
// CPU and lavapipe through Vulkan in CI): each gets a virtual device with a
// memory quota and a compute share, placed by the "spread" policy, and runs
// vector_add on it through the ordinary Device API. The pool overcommits its
// memory 3x: the training tenant keeps more data than its device's capacity,
// so the pool evicts idle buffers to host memory and restores them on use.
// Then the guarantees: a tenant over its quota is refused, and a tenant
// cannot touch another's buffer.
#include <iostream>
#include <vector>

#include "hal/hal.h"

namespace {

constexpr uint64_t kMiB = 1 << 20;
constexpr uint32_t kElements = 1 << 20;  // 4 MiB per vector, 12 MiB per vector_add

// Runs vector_add `rounds` times, each on buffers of its own that stay
// allocated until the tenant is done, and checks every result.
absl::Status RunVectorAdds(hal::Device& device, const hal::KernelBundle& bundle, int rounds) {
  HAL_ASSIGN_OR_RETURN(auto kernel, device.LoadKernel(bundle, "vector_add_i32"));
  HAL_ASSIGN_OR_RETURN(auto queue, device.CreateQueue());
  const uint32_t n = kElements;
  const std::vector<int32_t> a(n, 2), b(n, 40);
  std::vector<std::shared_ptr<hal::Buffer>> kept;
  for (int round = 0; round < rounds; ++round) {
    std::vector<int32_t> c(n);
    HAL_ASSIGN_OR_RETURN(auto a_buf, device.Allocate(n * 4));
    HAL_ASSIGN_OR_RETURN(auto b_buf, device.Allocate(n * 4));
    HAL_ASSIGN_OR_RETURN(auto c_buf, device.Allocate(n * 4));
    HAL_RETURN_IF_ERROR(queue->CopyHostToDevice(a.data(), *a_buf, 0, n * 4));
    HAL_RETURN_IF_ERROR(queue->CopyHostToDevice(b.data(), *b_buf, 0, n * 4));
    const hal::BufferBinding bindings[] = {{a_buf.get()}, {b_buf.get()}, {c_buf.get()}};
    HAL_RETURN_IF_ERROR(queue->Dispatch(*kernel, {(n + 255) / 256, 1, 1}, bindings, n));
    HAL_RETURN_IF_ERROR(queue->CopyDeviceToHost(*c_buf, 0, c.data(), n * 4));
    HAL_RETURN_IF_ERROR(queue->Synchronize());
    for (int32_t value : c) {
      if (value != 42) return absl::InternalError("vector_add gave a wrong result");
    }
    kept.insert(kept.end(), {a_buf, b_buf, c_buf});
  }
  return absl::OkStatus();
}

absl::Status Run() {
  HAL_ASSIGN_OR_RETURN(auto runtime, hal::Runtime::Create());
  HAL_ASSIGN_OR_RETURN(auto bundle,
                       hal::KernelBundle::ReadFile(hal::KernelBundle::StandardBundlePath()));
  hal::PoolOptions options;
  options.overcommit_ratio = 3.0;
  options.placement = hal::PlacementPolicy::kSpread;
  for (const hal::PhysicalDevice* device : runtime->devices()) {
    options.capacity_caps[device->id()] = 32 * kMiB;  // a small pool, to show overcommit
  }
  HAL_ASSIGN_OR_RETURN(auto pool, hal::Pool::Create(runtime->devices(), options));

  // Training keeps 3 x 12 MiB on a device of 32 MiB capacity.
  const struct {
    const char* name;
    uint64_t quota;
    double share;
    int rounds;
  } tenants[] = {{"training", 48 * kMiB, 0.5, 3},
                 {"inference", 24 * kMiB, 0.3, 1},
                 {"notebook", 16 * kMiB, 0.2, 1}};
  std::vector<std::shared_ptr<hal::VirtualDevice>> vds;
  for (const auto& t : tenants) {
    hal::VirtualDeviceSpec spec;
    spec.name = t.name;
    spec.memory_quota = t.quota;
    spec.compute_share = t.share;
    HAL_ASSIGN_OR_RETURN(auto vd, pool->CreateVirtualDevice(spec));
    HAL_RETURN_IF_ERROR(RunVectorAdds(*vd->device(), bundle, t.rounds), "tenant ", t.name);
    vds.push_back(vd);
  }
  for (const auto& vd : vds) {
    std::cout << vd->name() << ": on " << vd->placement().id() << ", quota "
              << vd->memory_quota() / kMiB << " MiB, compute " << vd->spec().compute_share << " ("
              << hal::ComputeEnforcementName(vd->compute_enforcement())
              << "), vector_add verified\n";
  }

  // The notebook asks for more than its 16 MiB quota.
  auto too_big = vds[2]->device()->Allocate(32 * kMiB);
  if (too_big.status().code() != absl::StatusCode::kResourceExhausted) {
    return absl::InternalError("the notebook's quota was not enforced");
  }
  std::cout << "notebook over quota: " << too_big.status().message() << "\n";

  // Inference tries to read the training tenant's buffer.
  HAL_ASSIGN_OR_RETURN(auto secret, vds[0]->device()->Allocate(kMiB));
  HAL_ASSIGN_OR_RETURN(auto queue, vds[1]->device()->CreateQueue());
  std::vector<uint8_t> stolen(16);
  absl::Status breach = queue->CopyDeviceToHost(*secret, 0, stolen.data(), stolen.size());
  if (breach.code() != absl::StatusCode::kPermissionDenied) {
    return absl::InternalError("a tenant reached another tenant's buffer");
  }
  std::cout << "inference reading training's buffer: " << breach.message() << "\n";
  for (const hal::Pool::DeviceUsage& usage : pool->usage()) {
    std::cout << usage.device->id() << ": " << usage.quota_placed / kMiB << " MiB of quotas on "
              << usage.capacity_bytes / kMiB << " MiB, "
              << (usage.residency ? usage.residency->evictions : 0) << " evictions, "
              << (usage.residency ? usage.residency->bytes_evicted / kMiB : 0)
              << " MiB moved to host\n";
  }
  return absl::OkStatus();
}

}  // namespace

int main() {
  if (absl::Status status = Run(); !status.ok()) {
    std::cerr << "mixed_pool failed: " << status << "\n";
    return 1;
  }
  return 0;
}
