// The ABI's opaque handles are pointers to the core's objects, and the
// helpers every table function runs its vendor calls through.
#ifndef HAL_BACKENDS_GPU_CORE_HANDLES_H_
#define HAL_BACKENDS_GPU_CORE_HANDLES_H_

#include <memory>

#include "backends/common/driver_handles.h"
#include "backends/gpu_core/driver_error.h"
#include "backends/gpu_core/gpu_objects.h"
#include "backends/gpu_core/vendor.h"
#include "hal/driver/hal_driver.h"

namespace hal::gpu {

using GpuStream = Stream<Context>;
using GpuEvent = Event<Context>;
using GpuModule = Module<Context>;

inline constexpr driver_support::Unwrapper<Context, Buffer, GpuStream, GpuEvent, GpuModule, Kernel>
    Unwrap{};
using driver_support::Wrap;

// Makes `context` current on the calling thread for the scope.
class ScopedCurrent {
 public:
  explicit ScopedCurrent(Context& context)
      : context_(context), result_(context.vendor.MakeCurrent(context)) {}
  ~ScopedCurrent() {
    if (result_ == HAL_SUCCESS) context_.vendor.ReleaseCurrent(context_);
  }
  ScopedCurrent(const ScopedCurrent&) = delete;
  ScopedCurrent& operator=(const ScopedCurrent&) = delete;
  hal_result result() const { return result_; }

 private:
  Context& context_;
  hal_result result_;
};

// Runs `call` with `context` current, after failing fast when the context is
// lost, and turns exceptions into results.
template <typename Call>
hal_result InContext(Context& context, const Call& call) noexcept {
  return Guarded([&] {
    if (const hal_result lost = context.health.Check(); lost != HAL_SUCCESS) return lost;
    ScopedCurrent current(context);
    if (current.result() != HAL_SUCCESS) return current.result();
    return call();
  });
}

// Destroys `object` (a stream or an event) and, with its context current,
// the vendor's object behind it: release(vendor, context, handle).
template <typename Object, typename Release>
void DestroyWithVendor(Object* object, const Release& release) {
  std::unique_ptr<Object> owned(object);
  Context& context = *owned->context;
  ScopedCurrent current(context);
  release(context.vendor, context, owned->handle);
}

// Creates a context of `device`: a partition of `desc.partition_units` when
// the device partitions, the whole device otherwise.
hal_result CreateContext(Vendor& vendor, Device& device, const hal_context_desc& desc,
                         std::unique_ptr<Context>* out_context);

}  // namespace hal::gpu

#endif  // HAL_BACKENDS_GPU_CORE_HANDLES_H_
