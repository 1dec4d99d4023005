#include "backends/gpu_core/gpu_objects.h"

#include "backends/gpu_core/driver_error.h"
#include "gtest/gtest.h"

namespace hal::gpu {
namespace {

TEST(ContextHealthTest, KeepsTheFirstReason) {
  ContextHealth health;
  EXPECT_EQ(health.Check(), HAL_SUCCESS);
  health.MarkLost("first");
  health.MarkLost("second");
  EXPECT_EQ(health.Check(), HAL_ERROR_UNAVAILABLE);
  EXPECT_STREQ(LastErrorMessage(), "the context is lost after a sticky error: first");
}

TEST(FirstErrorTest, ReturnsTheFirstErrorFromThenOn) {
  FirstError error;
  EXPECT_EQ(error.Get(), HAL_SUCCESS);
  EXPECT_EQ(error.Record(HAL_ERROR_INVALID_ARGUMENT, "bad launch"), HAL_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(error.Record(HAL_ERROR_UNAVAILABLE, "lost"), HAL_ERROR_INVALID_ARGUMENT);
  Fail(HAL_ERROR_INTERNAL, "something else");
  EXPECT_EQ(error.Get(), HAL_ERROR_INVALID_ARGUMENT);
  EXPECT_STREQ(LastErrorMessage(), "bad launch");
}

struct NoContext {};

TEST(ModuleTest, MakesAKernelOnceAndForgetsAFailedOne) {
  NoContext context;
  Module<NoContext> module(&context, 42);
  EXPECT_EQ(module.context(), &context);
  EXPECT_EQ(module.handle(), 42u);
  int makes = 0;
  auto make = [&](Kernel* kernel) {
    ++makes;
    kernel->function = 7;
    return HAL_SUCCESS;
  };
  const hal_kernel_signature signature{2, 8, {64, 1, 1}};
  const hal_kernel_signature other{2, 12, {64, 1, 1}};
  Kernel* first = nullptr;
  Kernel* second = nullptr;
  Kernel* third = nullptr;
  ASSERT_EQ(module.GetKernel("k", signature, make, &first), HAL_SUCCESS);
  ASSERT_EQ(module.GetKernel("k", signature, make, &second), HAL_SUCCESS);
  EXPECT_EQ(first, second);
  EXPECT_EQ(first->function, 7u);
  EXPECT_EQ(first->signature.push_constant_size, 8u);
  EXPECT_EQ(makes, 1);
  ASSERT_EQ(module.GetKernel("k", other, make, &third), HAL_SUCCESS);
  EXPECT_NE(third, first) << "another signature is made (and checked) anew";
  EXPECT_EQ(makes, 2);
  auto refuse = [](Kernel*) { return Fail(HAL_ERROR_NOT_FOUND, "no such kernel"); };
  Kernel* missing = nullptr;
  EXPECT_EQ(module.GetKernel("absent", signature, refuse, &missing), HAL_ERROR_NOT_FOUND);
  EXPECT_EQ(module.GetKernel("absent", signature, make, &missing), HAL_SUCCESS)
      << "a failure is not kept";
}

TEST(DriverErrorTest, GuardedTurnsExceptionsIntoResults) {
  EXPECT_EQ(Guarded([]() -> hal_result { throw std::bad_alloc(); }), HAL_ERROR_OUT_OF_MEMORY);
  EXPECT_EQ(Guarded([]() -> hal_result { throw std::runtime_error("boom"); }), HAL_ERROR_INTERNAL);
  EXPECT_STREQ(LastErrorMessage(), "the driver failed: boom");
  EXPECT_EQ(Guarded([] { return HAL_SUCCESS; }), HAL_SUCCESS);
}

}  // namespace
}  // namespace hal::gpu
