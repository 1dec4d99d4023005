// For the vendors' error-table tests: a table checked against the vendor's
// own header, so that a newer header's codes are not forgotten.
#ifndef HAL_BACKENDS_GPU_CORE_VENDOR_ERRORS_TESTING_H_
#define HAL_BACKENDS_GPU_CORE_VENDOR_ERRORS_TESTING_H_

#include <fstream>
#include <map>
#include <regex>
#include <sstream>
#include <string>

#include "backends/gpu_core/vendor_errors.h"
#include "gtest/gtest.h"

namespace hal::gpu::testing {

// Every enumerator "NAME = value" the header at `header_path` declares
// between `begin` and `end` that `enumerator` matches (groups: name, value)
// is in `table`, under the first name the header gives its value (later
// ones are aliases). Expects more than `minimum` codes.
inline void ExpectEveryEnumeratorMapped(const VendorErrorTable& table, const char* header_path,
                                        const std::string& begin, const std::string& end,
                                        const std::regex& enumerator, int minimum) {
  std::ifstream file(header_path);
  ASSERT_TRUE(file) << "cannot read " << header_path;
  std::stringstream text;
  text << file.rdbuf();
  const std::string header = text.str();
  const size_t first = header.find(begin);
  const size_t last = header.find(end, first);
  ASSERT_NE(first, std::string::npos) << begin;
  ASSERT_NE(last, std::string::npos) << end;
  const std::string block = header.substr(first, last - first);
  std::map<int, std::string> names;  // each code's first name
  for (auto it = std::sregex_iterator(block.begin(), block.end(), enumerator);
       it != std::sregex_iterator(); ++it) {
    names.emplace(std::stoi((*it)[2]), (*it)[1]);
  }
  for (const auto& [code, name] : names) {
    const VendorError* error = table.Find(code);
    ASSERT_NE(error, nullptr) << name << " (" << code << ") is not in the table";
    EXPECT_EQ(error->name, name);
  }
  EXPECT_GT(static_cast<int>(names.size()), minimum);
}

}  // namespace hal::gpu::testing

#endif  // HAL_BACKENDS_GPU_CORE_VENDOR_ERRORS_TESTING_H_
