// The ABI's opaque handles are pointers to a driver's own objects. A driver
// names its six object types once:
//
//   inline constexpr driver_support::Unwrapper<Context, Buffer, Stream, Event,
//                                              Module, Kernel> Unwrap{};
//   inline constexpr driver_support::Destroyer<decltype(Unwrap)> Destroy{};
//   using driver_support::Wrap;
//
// and then converts with Unwrap(handle), Wrap<hal_drv_buffer>(std::move(p))
// and Destroy(handle).
#ifndef HAL_BACKENDS_COMMON_DRIVER_HANDLES_H_
#define HAL_BACKENDS_COMMON_DRIVER_HANDLES_H_

#include <memory>
#include <type_traits>

#include "hal/driver/hal_driver.h"

namespace hal::driver_support {

// The driver's object behind each kind of handle.
template <typename Context, typename Buffer, typename Stream, typename Event, typename Module,
          typename Kernel>
struct Unwrapper {
  Context* operator()(hal_drv_context* handle) const { return reinterpret_cast<Context*>(handle); }
  Buffer* operator()(hal_drv_buffer* handle) const { return reinterpret_cast<Buffer*>(handle); }
  Stream* operator()(hal_drv_stream* handle) const { return reinterpret_cast<Stream*>(handle); }
  Event* operator()(hal_drv_event* handle) const { return reinterpret_cast<Event*>(handle); }
  Module* operator()(hal_drv_module* handle) const { return reinterpret_cast<Module*>(handle); }
  Kernel* operator()(hal_drv_kernel* handle) const { return reinterpret_cast<Kernel*>(handle); }
};

// Releases `object` to the caller as a `Handle`.
template <typename Handle, typename Object>
Handle* Wrap(std::unique_ptr<Object> object) {
  return reinterpret_cast<Handle*>(object.release());
}

// A borrowed object (a kernel its module owns) as a `Handle`.
template <typename Handle, typename Object>
Handle* Wrap(Object* borrowed) {
  return reinterpret_cast<Handle*>(borrowed);
}

// Destroys the object a handle owns, of the type `Unwrap` gives it.
template <typename UnwrapperType>
struct Destroyer {
  template <typename Handle>
  void operator()(Handle* handle) const {
    std::unique_ptr<std::remove_pointer_t<decltype(UnwrapperType{}(handle))>> owned(
        UnwrapperType{}(handle));
  }
};

}  // namespace hal::driver_support

#endif  // HAL_BACKENDS_COMMON_DRIVER_HANDLES_H_
