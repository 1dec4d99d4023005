#include "tests/fake_cuda/cuda_errors.h"

#include <gtest/gtest.h>

#include <fstream>
#include <regex>
#include <sstream>

namespace hal::fake::cuda {
namespace {

// The table must name every CUresult cuda.h declares, each as cuda.h spells it.
TEST(CudaErrorsTest, EveryCuresultOfCudaHHasItsName) {
  std::ifstream header(HAL_FAKE_CUDA_CUDA_H);
  ASSERT_TRUE(header) << HAL_FAKE_CUDA_CUDA_H;
  std::stringstream text;
  text << header.rdbuf();
  const std::string all = text.str();
  const size_t start = all.find("typedef enum cudaError_enum {");
  const size_t end = all.find("} CUresult;", start);
  ASSERT_NE(start, std::string::npos);
  ASSERT_NE(end, std::string::npos);
  const std::string body = all.substr(start, end - start);
  const std::regex enumerator(R"((CUDA_\w+)\s*=\s*(\d+))");
  int count = 0;
  for (auto it = std::sregex_iterator(body.begin(), body.end(), enumerator);
       it != std::sregex_iterator(); ++it) {
    const auto value = static_cast<CUresult>(std::stoi((*it)[2]));
    const char* name = ErrorName(value);
    ASSERT_NE(name, nullptr) << (*it)[1];
    EXPECT_EQ(std::string(name), (*it)[1].str());
    EXPECT_NE(ErrorDescription(value), nullptr);
    ++count;
  }
  EXPECT_GT(count, 90);
}

// 1000 names no error but lies within CUresult's range (0..1023): a value
// outside it would be undefined behaviour to load (UBSan).
constexpr auto kUndefinedResult = static_cast<CUresult>(1000);

TEST(CudaErrorsTest, AnUndefinedValueHasNoName) {
  EXPECT_EQ(ErrorName(kUndefinedResult), nullptr);
  EXPECT_EQ(ErrorDescription(kUndefinedResult), nullptr);
  EXPECT_STREQ(ErrorName(CUDA_ERROR_ILLEGAL_ADDRESS), "CUDA_ERROR_ILLEGAL_ADDRESS");
}

}  // namespace
}  // namespace hal::fake::cuda
