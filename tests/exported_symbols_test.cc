// libhal exports its public API and nothing else: no hal::internal symbol,
// none of the Abseil or JSON code inlined into it. Reads the dynamic symbol
// table of the build tree's libhal with nm.
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "gtest/gtest.h"
#include "tests/subprocess.h"

namespace hal {
namespace {

// Demangled names of the defined dynamic symbols.
std::vector<std::string> ExportedSymbols(const std::string& library) {
  // "<value> <type> <name>"; the demangled name may contain spaces.
  testing::CommandResult nm =
      testing::RunCommand("nm -D --defined-only -C '" + library + "' | cut -d' ' -f3-");
  EXPECT_EQ(nm.exit_code, 0) << nm.output;
  std::vector<std::string> symbols;
  for (absl::string_view line : absl::StrSplit(nm.output, '\n', absl::SkipEmpty())) {
    symbols.emplace_back(line);
  }
  return symbols;
}

// The namespace a symbol belongs to: the last word before its template
// arguments or parameters, after any "vtable for "-like prefix and return type
// ("void std::__detail::f<int>(char*)" belongs to std).
std::string Owner(absl::string_view symbol) {
  for (absl::string_view prefix :
       {"typeinfo for ", "typeinfo name for ", "vtable for ", "guard variable for "}) {
    if (absl::ConsumePrefix(&symbol, prefix)) break;
  }
  symbol = symbol.substr(0, symbol.find_first_of("<("));
  const size_t space = symbol.rfind(' ');
  if (space != absl::string_view::npos) symbol.remove_prefix(space + 1);
  return std::string(symbol.substr(0, symbol.find("::")));
}

// In hal:: and naming no hal::internal type (not even as a parameter: such a
// function only libhal itself can call), or a standard-library instantiation
// over public types (the C++ ABI keeps those exported, one copy per program;
// libstdc++ declares std and its __gnu_cxx helpers with default visibility,
// and clang at -O0 emits the helpers' inline functions out of line).
bool IsPublic(absl::string_view symbol) {
  if (absl::StrContains(symbol, "hal::internal")) return false;
  const std::string owner = Owner(symbol);
  return owner == "hal" || owner == "std" || owner == "__gnu_cxx";
}

TEST(ExportedSymbolsTest, LibhalExportsOnlyThePublicApi) {
  const std::string library = std::string(HAL_TEST_BINARY_DIR) + "/lib/libhal.so";
  const std::vector<std::string> symbols = ExportedSymbols(library);
  bool has_runtime_create = false;
  for (const std::string& symbol : symbols) {
    EXPECT_TRUE(IsPublic(symbol)) << library << " exports " << symbol;
    has_runtime_create = has_runtime_create || absl::StartsWith(symbol, "hal::Runtime::Create(");
  }
  EXPECT_TRUE(has_runtime_create) << "the public API itself is missing from " << library;
}

}  // namespace
}  // namespace hal
