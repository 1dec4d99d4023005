// Descriptor sets for devices without VK_KHR_push_descriptor (or with the
// HAL_VULKAN_DISABLE_PUSH_DESCRIPTOR toggle): each dispatch of a stream binds
// a set taken from its pool, and the stream gives the set back once the batch
// that used it has completed, so a stream in its steady state allocates
// nothing per dispatch. Sets are kept by binding count: kernels with the same
// count share the context's one layout of that count, which outlives every
// module, so a recycled set never refers to a destroyed layout.
// Not thread-safe: owned by one stream.
#ifndef HAL_BACKENDS_VULKAN_DESCRIPTOR_SET_POOL_H_
#define HAL_BACKENDS_VULKAN_DESCRIPTOR_SET_POOL_H_

#include <array>
#include <cstdint>
#include <vector>

#include "backends/vulkan/vulkan_symbols.h"
#include "hal/driver/hal_driver.h"

namespace hal::vulkan {

class Context;

// A set and the binding count of the layout it was allocated with.
struct PooledDescriptorSet {
  uint32_t binding_count = 0;
  VkDescriptorSet set = VK_NULL_HANDLE;
};

class DescriptorSetPool {
 public:
  explicit DescriptorSetPool(Context& context) : context_(context) {}
  ~DescriptorSetPool();  // frees every set; none may be in use any more
  DescriptorSetPool(const DescriptorSetPool&) = delete;
  DescriptorSetPool& operator=(const DescriptorSetPool&) = delete;

  // A set of `layout` (binding_count storage buffers, 1 to HAL_MAX_BINDINGS)
  // that no pending batch uses: a returned one, or a new one when none is.
  hal_result Acquire(VkDescriptorSetLayout layout, uint32_t binding_count,
                     PooledDescriptorSet* out_set);
  // The sets may be written and bound again.
  void Return(const std::vector<PooledDescriptorSet>& sets);

 private:
  // Sets per VkDescriptorPool; pools are added as the stream needs more.
  static constexpr uint32_t kSetsPerPool = 256;

  hal_result AddPool();

  Context& context_;
  std::vector<VkDescriptorPool> pools_;
  std::array<std::vector<VkDescriptorSet>, HAL_MAX_BINDINGS + 1> free_;
};

}  // namespace hal::vulkan

#endif  // HAL_BACKENDS_VULKAN_DESCRIPTOR_SET_POOL_H_
