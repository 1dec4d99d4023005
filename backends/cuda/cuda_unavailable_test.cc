// The CUDA driver where there is no NVIDIA driver: no libcuda.so.1 at all, or
// the toolkit's stub library (lib64/stubs/libcuda.so, soname libcuda.so.1),
// which answers CUDA_ERROR_STUB_LIBRARY to every call. ctest runs each test
// with LD_LIBRARY_PATH naming an empty folder or one holding a libcuda.so.1
// link to the stub.
#include <dlfcn.h>

#include <string>

#include "backends/gpu_core/driver_loading_testing.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "hal/driver/hal_driver.h"

namespace hal::cuda_abi_test {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;

const hal_driver_table* Table() { return gpu::testing::LoadDriverTable(HAL_CUDA_DRIVER_PATH); }

// Where the dynamic loader finds libcuda.so.1 now; "" when it finds none.
std::string LoadedLibcuda() {
  void* library = dlopen("libcuda.so.1", RTLD_NOW | RTLD_LOCAL);
  if (library == nullptr) return "";
  char origin[4096] = "";
  dlinfo(library, RTLD_DI_ORIGIN, origin);
  const bool fake = dlsym(library, "hal_fake_cuda_configure") != nullptr;
  dlclose(library);
  return fake ? "the fake" : origin;
}

TEST(CudaUnavailableTest, WithoutLibcudaTheReasonIsTheLoadersMessage) {
  if (!LoadedLibcuda().empty()) {
    GTEST_SKIP() << "this machine has a libcuda.so.1 (in " << LoadedLibcuda() << ")";
  }
  const hal_driver_table* table = Table();
  ASSERT_NE(table, nullptr);
  EXPECT_EQ(table->initialize(), HAL_ERROR_UNAVAILABLE);
  EXPECT_THAT(table->last_error_message(),
              AllOf(HasSubstr("libcuda.so.1"), HasSubstr("cannot open shared object file")));
  table->shutdown();
}

TEST(CudaUnavailableTest, TheToolkitsStubLibraryIsNamed) {
  const std::string found = LoadedLibcuda();
  if (found.find("stubs") == std::string::npos && found != HAL_CUDA_TEST_STUB_DIR) {
    GTEST_SKIP() << "libcuda.so.1 is not the toolkit's stub here (found: '" << found << "')";
  }
  const hal_driver_table* table = Table();
  ASSERT_NE(table, nullptr);
  EXPECT_EQ(table->initialize(), HAL_ERROR_UNAVAILABLE);
  EXPECT_THAT(table->last_error_message(),
              AllOf(HasSubstr("CUDA_ERROR_STUB_LIBRARY (34)"), HasSubstr("stub library")));
  table->shutdown();
}

}  // namespace
}  // namespace hal::cuda_abi_test
