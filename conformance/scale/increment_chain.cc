#include "conformance/scale/increment_chain.h"

#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "conformance/buffer_io.h"
#include "conformance/cts_environment.h"
#include "conformance/standard_kernels.h"

namespace hal::cts {

absl::StatusOr<std::shared_ptr<Kernel>> IncrementChain::LoadAdd(Device& device) {
  return device.LoadKernel(CtsEnvironment::Get().kernels(), "vector_add_i32");
}

absl::StatusOr<IncrementChain> IncrementChain::Create(Device& device, Queue& queue,
                                                      std::shared_ptr<Kernel> add, int32_t step) {
  IncrementChain chain;
  chain.add_ = std::move(add);
  chain.step_value_ = step;
  const std::vector<int32_t> zeros(kElements, 0);
  const std::vector<int32_t> steps(kElements, step);
  HAL_ASSIGN_OR_RETURN(chain.counter_, Upload<int32_t>(device, queue, zeros));
  HAL_ASSIGN_OR_RETURN(chain.step_, Upload<int32_t>(device, queue, steps));
  HAL_ASSIGN_OR_RETURN(chain.scratch_, device.Allocate(kElements * sizeof(int32_t)));
  return chain;
}

absl::Status IncrementChain::Enqueue(Queue& queue, int rounds) const {
  const BufferBinding bindings[] = {{counter_.get(), 0}, {step_.get(), 0}, {scratch_.get(), 0}};
  for (int round = 0; round < rounds; ++round) {
    HAL_RETURN_IF_ERROR(queue.Dispatch(*add_, {WorkgroupsFor(kElements, kElementwiseWorkgroupSize)},
                                       bindings, VectorAddI32Constants{kElements}));
    HAL_RETURN_IF_ERROR(queue.CopyBuffer(*scratch_, 0, *counter_, 0, kElements * sizeof(int32_t)));
  }
  return absl::OkStatus();
}

absl::Status IncrementChain::Check(Queue& queue, int32_t expected) const {
  HAL_ASSIGN_OR_RETURN(const std::vector<int32_t> values,
                       Download<int32_t>(queue, *counter_, kElements));
  for (uint32_t i = 0; i < kElements; ++i) {
    if (values[i] != expected) {
      return absl::InternalError(absl::StrCat("element ", i, " of the counter is ", values[i],
                                              ", not ", expected, " (", expected / step_value_,
                                              " in-order increments of ", step_value_, ")"));
    }
  }
  return absl::OkStatus();
}

}  // namespace hal::cts
