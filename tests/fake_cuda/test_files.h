// Reading the build-time test inputs of the fake libcuda's tests.
#ifndef HAL_TESTS_FAKE_CUDA_TEST_FILES_H_
#define HAL_TESTS_FAKE_CUDA_TEST_FILES_H_

#include <cstdint>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

namespace hal::fake::cuda {

inline std::vector<uint8_t> ReadBytes(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>()};
}

inline std::string TestData(const std::string& name) {
  return std::string(HAL_FAKE_CUDA_TESTDATA_DIR) + "/" + name;
}

#define HAL_FAKE_CUDA_REQUIRE_NVCC()                                              \
  do {                                                                            \
    if (!HAL_FAKE_CUDA_HAVE_NVCC) GTEST_SKIP() << "nvcc was not found at build time"; \
  } while (0)

}  // namespace hal::fake::cuda

#endif  // HAL_TESTS_FAKE_CUDA_TEST_FILES_H_
