// Contexts: a device's primary context, or a green context of the ledger
// groups of SMs the core took for a partition; made current by push and pop.
#include <string>
#include <vector>

#include "backends/cuda/cuda_errors.h"
#include "backends/cuda/cuda_state.h"
#include "backends/cuda/cuda_vendor.h"
#include "backends/gpu_core/native_handles.h"

namespace hal::cuda {
namespace {

// Makes a green context of the ledger groups `groups` of `device`: the
// device's SMs split in groups of the alignment (the remainder last), the
// chosen ones combined into one descriptor.
hal_result CreateGreenContext(CudaDevice& device, const std::vector<uint32_t>& groups,
                              CUgreenCtx* out_green) {
  const uint32_t alignment = device.partitions->alignment();
  std::vector<CUdevResource> split(device.sm_resource.smCount / alignment + 1);
  unsigned int split_count = static_cast<unsigned int>(split.size() - 1);
  CUdevResource whole{};
  whole.type = CU_DEV_RESOURCE_TYPE_SM;
  whole.sm = device.sm_resource;
  CUdevResource remaining{};
  if (const hal_result r = HAL_CU(nullptr, cuDevSmResourceSplitByCount, split.data(), &split_count,
                                  &whole, &remaining, 0, alignment)) {
    return r;
  }
  split[split_count] = remaining;
  std::vector<CUdevResource> chosen;
  for (const uint32_t group : groups) {
    if (group > split_count || split[group].sm.smCount == 0) {
      return gpu::Fail(HAL_ERROR_INTERNAL, "cuDevSmResourceSplitByCount gave " +
                                               std::to_string(split_count) + " groups of " +
                                               std::to_string(alignment) +
                                               " SMs, fewer than the device's SM count implies");
    }
    chosen.push_back(split[group]);
  }
  CUdevResourceDesc desc = nullptr;
  if (const hal_result r = HAL_CU(nullptr, cuDevResourceGenerateDesc, &desc, chosen.data(),
                                  static_cast<unsigned int>(chosen.size()))) {
    return r;
  }
  return HAL_CU(nullptr, cuGreenCtxCreate, out_green, desc, device.device,
                CU_GREEN_CTX_DEFAULT_STREAM);
}

}  // namespace

hal_result CudaVendor::OpenContext(Context& context) {
  CudaDevice& device = DeviceOf(context);
  if (context.groups.empty()) {
    CUcontext primary = nullptr;
    if (const hal_result r = RetainPrimary(device, &primary)) return r;
    context.native = gpu::Widen(primary);
    return HAL_SUCCESS;
  }
  CUgreenCtx green = nullptr;
  if (const hal_result r = CreateGreenContext(device, context.groups, &green)) return r;
  CUcontext native = nullptr;
  if (const hal_result r = HAL_CU(nullptr, cuCtxFromGreenCtx, &native, green)) {
    Api().cuGreenCtxDestroy(green);
    return r;
  }
  context.native = gpu::Widen(native);
  context.native_partition = gpu::Widen(green);
  return HAL_SUCCESS;
}

void CudaVendor::CloseContext(Context& context) {
  // The primary context stays retained until shutdown.
  if (context.native_partition != 0) {
    Api().cuGreenCtxDestroy(gpu::Narrow<CUgreenCtx>(context.native_partition));
  }
}

hal_result CudaVendor::MakeCurrent(Context& context) {
  return HAL_CU(&context.health, cuCtxPushCurrent, gpu::Narrow<CUcontext>(context.native));
}

void CudaVendor::ReleaseCurrent(Context& /*context*/) {
  CUcontext popped = nullptr;
  Api().cuCtxPopCurrent(&popped);
}

}  // namespace hal::cuda
