// The test names a GoogleTest program's --gtest_list_tests prints, for tests
// that compare the test lists of two runs of a program.
#ifndef HAL_TESTS_GTEST_LISTING_H_
#define HAL_TESTS_GTEST_LISTING_H_

#include <set>
#include <sstream>
#include <string>

namespace hal::testing {

// "Suite." lines, then "  Name  # GetParam() = ..." lines: "Suite.Name" each.
inline std::set<std::string> ListedTests(const std::string& listing) {
  std::set<std::string> names;
  std::istringstream lines(listing);
  std::string line, suite;
  while (std::getline(lines, line)) {
    if (line.empty()) continue;
    if (line[0] != ' ') {
      suite = line.substr(0, line.find_first_of(" \t"));
    } else {
      const size_t begin = line.find_first_not_of(' ');
      names.insert(suite + line.substr(begin, line.find_first_of(" \t", begin) - begin));
    }
  }
  return names;
}

}  // namespace hal::testing

#endif  // HAL_TESTS_GTEST_LISTING_H_
