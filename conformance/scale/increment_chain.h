// A chain of dependent increments, the workload of the scale suites: each
// round adds `step` to every element of a counter through a kernel into a
// scratch buffer and a copy back, so each round reads what the previous one
// wrote. Only work that runs in order (within a queue, or across queues
// through events) ends with every element at rounds * step; a command that
// overtakes another leaves a lost update behind.
#ifndef HAL_CONFORMANCE_SCALE_INCREMENT_CHAIN_H_
#define HAL_CONFORMANCE_SCALE_INCREMENT_CHAIN_H_

#include <cstdint>
#include <memory>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "hal/hal.h"

namespace hal::cts {

class IncrementChain {
 public:
  // Elements of the counter: four workgroups of vector_add_i32, so a
  // round costs little even on 64 queues at once.
  static constexpr uint32_t kElements = 1024;

  // The kernel "vector_add_i32" of the standard bundle, loaded on `device`.
  static absl::StatusOr<std::shared_ptr<Kernel>> LoadAdd(Device& device);
  // A counter at 0 and its step buffer, uploaded through `queue` (which is
  // synchronized), with `add` from LoadAdd on the same device.
  static absl::StatusOr<IncrementChain> Create(Device& device, Queue& queue,
                                               std::shared_ptr<Kernel> add, int32_t step = 1);

  // Enqueues `rounds` rounds on `queue` without waiting for them.
  absl::Status Enqueue(Queue& queue, int rounds) const;
  // Reads the counter through `queue` (synchronizing it): OK when every
  // element is `expected`, else Internal naming the first element that is not.
  absl::Status Check(Queue& queue, int32_t expected) const;

  const Buffer& counter() const { return *counter_; }
  int32_t step() const { return step_value_; }

 private:
  std::shared_ptr<Kernel> add_;
  std::shared_ptr<Buffer> counter_, step_, scratch_;
  int32_t step_value_ = 1;
};

}  // namespace hal::cts

#endif  // HAL_CONFORMANCE_SCALE_INCREMENT_CHAIN_H_
