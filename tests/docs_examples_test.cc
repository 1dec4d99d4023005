// The C++ examples of README.md and docs/*.md compile in a -Werror build:
// each ```cpp block is a verbatim excerpt (indentation aside) of a source
// that the build compiles with -Wall -Wextra -Werror, a sample or a hal-cts
// test. A block containing "..." is a sketch of a shape, not code to paste,
// and is exempt.
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "gtest/gtest.h"

namespace hal {
namespace {

namespace fs = std::filesystem;

std::string ReadText(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// Lines with their leading and trailing blanks removed, empty ones dropped,
// so that an excerpt matches at any indentation.
std::string Normalized(absl::string_view text) {
  std::vector<std::string> lines;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    line = absl::StripAsciiWhitespace(line);
    if (!line.empty()) lines.emplace_back(line);
  }
  return absl::StrJoin(lines, "\n");
}

struct Example {
  std::string where;  // file:line of the opening fence
  std::string code;
};

std::vector<Example> CppExamples(const fs::path& markdown, const std::string& name) {
  std::vector<Example> examples;
  std::vector<std::string> lines = absl::StrSplit(ReadText(markdown), '\n');
  for (size_t i = 0; i < lines.size(); ++i) {
    if (absl::StripAsciiWhitespace(lines[i]) != "```cpp") continue;
    Example example{name + ":" + std::to_string(i + 1), ""};
    for (++i; i < lines.size() && absl::StripAsciiWhitespace(lines[i]) != "```"; ++i) {
      example.code += lines[i] + "\n";
    }
    examples.push_back(std::move(example));
  }
  return examples;
}

std::vector<fs::path> Files(const fs::path& folder, const std::string& extension) {
  std::vector<fs::path> files;
  for (const auto& entry : fs::recursive_directory_iterator(folder)) {
    if (entry.is_regular_file() && entry.path().extension() == extension) {
      files.push_back(entry.path());
    }
  }
  return files;
}

TEST(DocsExamplesTest, EveryCppExampleIsCompiledCode) {
  const fs::path source(HAL_TEST_SOURCE_DIR);
  std::vector<std::string> compiled;
  for (const char* folder : {"samples", "conformance"}) {
    for (const fs::path& file : Files(source / folder, ".cc")) {
      compiled.push_back(Normalized(ReadText(file)));
    }
  }
  std::vector<Example> examples = CppExamples(source / "README.md", "README.md");
  for (const fs::path& doc : Files(source / "docs", ".md")) {
    for (Example& example : CppExamples(doc, "docs/" + doc.filename().string())) {
      examples.push_back(std::move(example));
    }
  }
  int checked = 0;
  for (const Example& example : examples) {
    if (absl::StrContains(example.code, "...")) continue;
    const std::string code = Normalized(example.code);
    bool found = false;
    for (const std::string& source_text : compiled)
      found = found || absl::StrContains(source_text, code);
    EXPECT_TRUE(found) << example.where
                       << ": this example is not in samples/ or conformance/, so nothing checks "
                          "that it compiles; copy it from there:\n"
                       << example.code;
    ++checked;
  }
  EXPECT_GT(checked, 0) << "no C++ example found in README.md or docs/";
}

}  // namespace
}  // namespace hal
