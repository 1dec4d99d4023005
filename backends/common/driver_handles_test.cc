#include "backends/common/driver_handles.h"

#include <gtest/gtest.h>

#include <memory>

namespace hal::driver_support {
namespace {

// Stand-ins for a driver's objects; each counts its destruction.
template <int kind>
struct Object {
  explicit Object(int* destroyed) : destroyed(destroyed) {}
  ~Object() { ++*destroyed; }
  int* destroyed;
};

constexpr Unwrapper<Object<0>, Object<1>, Object<2>, Object<3>, Object<4>, Object<5>> Unwrap{};
constexpr Destroyer<decltype(Unwrap)> Destroy{};

TEST(DriverHandlesTest, AHandleUnwrapsToTheObjectItWraps) {
  int destroyed = 0;
  auto buffer = std::make_unique<Object<1>>(&destroyed);
  Object<1>* const object = buffer.get();
  hal_drv_buffer* handle = Wrap<hal_drv_buffer>(std::move(buffer));
  EXPECT_EQ(Unwrap(handle), object);
  Destroy(handle);
  EXPECT_EQ(destroyed, 1);
}

TEST(DriverHandlesTest, EveryKindOfHandleHasItsObjectType) {
  int destroyed = 0;
  Destroy(Wrap<hal_drv_context>(std::make_unique<Object<0>>(&destroyed)));
  Destroy(Wrap<hal_drv_stream>(std::make_unique<Object<2>>(&destroyed)));
  Destroy(Wrap<hal_drv_event>(std::make_unique<Object<3>>(&destroyed)));
  Destroy(Wrap<hal_drv_module>(std::make_unique<Object<4>>(&destroyed)));
  EXPECT_EQ(destroyed, 4);
}

TEST(DriverHandlesTest, ABorrowedObjectIsWrappedWithoutOwnership) {
  int destroyed = 0;
  Object<5> kernel(&destroyed);
  hal_drv_kernel* handle = Wrap<hal_drv_kernel>(&kernel);
  EXPECT_EQ(Unwrap(handle), &kernel);
  EXPECT_EQ(destroyed, 0);
}

}  // namespace
}  // namespace hal::driver_support
