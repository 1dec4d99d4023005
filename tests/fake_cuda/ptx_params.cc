#include "tests/fake_cuda/ptx_params.h"

#include <algorithm>
#include <cctype>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace hal::fake::cuda {
namespace {

// Comments become spaces (newlines kept, so line numbers stay right).
absl::StatusOr<std::string> WithoutComments(absl::string_view ptx) {
  std::string text(ptx);
  for (size_t i = 0; i + 1 < text.size(); ++i) {
    if (text[i] == '/' && text[i + 1] == '/') {
      while (i < text.size() && text[i] != '\n') text[i++] = ' ';
    } else if (text[i] == '/' && text[i + 1] == '*') {
      const size_t end = text.find("*/", i + 2);
      if (end == std::string::npos) {
        return absl::InvalidArgumentError("malformed PTX: an unterminated /* comment");
      }
      for (; i < end + 2; ++i) {
        if (text[i] != '\n') text[i] = ' ';
      }
      --i;
    }
  }
  return text;
}

size_t LineOf(absl::string_view text, size_t offset) {
  return 1 + std::count(text.begin(), text.begin() + offset, '\n');
}

absl::Status Malformed(absl::string_view text, size_t offset, absl::string_view what) {
  return absl::InvalidArgumentError(
      absl::StrCat("malformed PTX, line ", LineOf(text, offset), ": ", what));
}

bool IsIdentifierChar(char c) {
  return absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '$' || c == '%';
}

// Whether `directive` starts at `at` as a whole token.
bool DirectiveAt(absl::string_view text, size_t at, absl::string_view directive) {
  if (text.substr(at, directive.size()) != directive) return false;
  const size_t after = at + directive.size();
  const bool ends = after == text.size() || !IsIdentifierChar(text[after]);
  const bool starts = at == 0 || !IsIdentifierChar(text[at - 1]);
  return starts && ends;
}

size_t ScalarSize(absl::string_view type) {
  if (type.size() < 3) return 0;
  const absl::string_view bits = type.substr(2);
  if (!absl::StrContains(".u.s.b.f", type.substr(0, 2))) return 0;
  if (bits == "8") return 1;
  if (bits == "16") return 2;
  if (bits == "32") return 4;
  if (bits == "64") return 8;
  return 0;
}

// One declaration: ".param [.ptr ...] [.align N] .type [.ptr ...] name[[N]]".
absl::StatusOr<KernelParam> ReadParam(absl::string_view text, size_t at,
                                      absl::string_view declaration, uint32_t* end_of_block) {
  std::vector<absl::string_view> words =
      absl::StrSplit(declaration, absl::ByAnyChar(" \t\r\n"), absl::SkipEmpty());
  if (words.size() < 3 || words[0] != ".param") {
    return Malformed(text, at, absl::StrCat("a parameter \"", declaration, "\""));
  }
  uint64_t alignment = 0;
  uint64_t element = 0;
  absl::string_view name;
  bool pointer = false;  // after .ptr, an .align is the pointee's
  for (size_t i = 1; i < words.size(); ++i) {
    const absl::string_view word = words[i];
    if (word == ".align" && pointer) {
      ++i;
    } else if (word == ".align") {
      if (i + 1 == words.size() || !absl::SimpleAtoi(words[i + 1], &alignment) || alignment == 0 ||
          (alignment & (alignment - 1)) != 0 || alignment > 256) {
        return Malformed(text, at, absl::StrCat("an alignment in \"", declaration, "\""));
      }
      ++i;
    } else if (word == ".ptr" || word == ".global" || word == ".const" || word == ".shared" ||
               word == ".local") {
      pointer = true;  // pointer attributes change nothing in the layout
    } else if (word[0] == '.') {
      element = ScalarSize(word);
      if (element == 0) {
        return Malformed(text, at, absl::StrCat("a parameter type \"", word, "\""));
      }
    } else if (i + 1 == words.size()) {
      name = word;
    } else {
      return Malformed(text, at, absl::StrCat("a parameter \"", declaration, "\""));
    }
  }
  if (element == 0 || name.empty()) {
    return Malformed(text, at, absl::StrCat("a parameter \"", declaration, "\""));
  }
  uint64_t count = 1;
  if (const size_t bracket = name.find('['); bracket != absl::string_view::npos) {
    if (name.back() != ']' ||
        !absl::SimpleAtoi(name.substr(bracket + 1, name.size() - bracket - 2), &count) ||
        count == 0 || count > 32768) {
      return Malformed(text, at, absl::StrCat("an array size in \"", declaration, "\""));
    }
  }
  if (alignment == 0) alignment = element;
  const uint64_t offset = (*end_of_block + alignment - 1) / alignment * alignment;
  const uint64_t size = element * count;
  if (offset + size > 32764) {  // the largest parameter block CUDA allows
    return Malformed(text, at, "parameters larger than 32764 bytes");
  }
  *end_of_block = static_cast<uint32_t>(offset + size);
  return KernelParam{static_cast<uint32_t>(offset), static_cast<uint32_t>(size)};
}

// The performance directives between an entry's parameters and its body:
// `.maxntid x[, y[, z]]` (launch bounds) or `.reqntid`, whose product is the
// most threads a block may have.
absl::Status ReadLaunchBounds(absl::string_view text, size_t from, size_t to,
                              absl::string_view name, KernelParamLayout* layout) {
  for (absl::string_view directive : {".maxntid", ".reqntid"}) {
    const size_t at = text.substr(0, to).find(directive, from);
    if (at == absl::string_view::npos) continue;
    const size_t start = at + directive.size();
    const size_t end = text.find_first_of("\n{", start);
    uint64_t threads = 1;
    for (absl::string_view number :
         absl::StrSplit(text.substr(start, end - start), ',', absl::SkipWhitespace())) {
      uint64_t value = 0;
      if (!absl::SimpleAtoi(absl::StripAsciiWhitespace(number), &value) || value == 0 ||
          value > 1024) {
        return Malformed(text, at, absl::StrCat(".entry ", name, ": ", directive, " \"", number,
                                                "\""));
      }
      threads *= value;
    }
    if (threads > 1024) {
      return Malformed(text, at, absl::StrCat(".entry ", name, ": ", threads, " threads"));
    }
    layout->max_threads_per_block = static_cast<uint32_t>(threads);
  }
  return absl::OkStatus();
}

// Reads the entry at `at` (just after ".entry"); advances `at` past its body.
absl::Status ReadEntry(absl::string_view text, size_t& at,
                       std::map<std::string, KernelParamLayout>& kernels) {
  while (at < text.size() && absl::ascii_isspace(static_cast<unsigned char>(text[at]))) ++at;
  const size_t name_start = at;
  while (at < text.size() && IsIdentifierChar(text[at])) ++at;
  if (at == name_start) return Malformed(text, name_start, ".entry without a name");
  const std::string name(text.substr(name_start, at - name_start));
  KernelParamLayout layout;
  while (at < text.size() && absl::ascii_isspace(static_cast<unsigned char>(text[at]))) ++at;
  if (at < text.size() && text[at] == '(') {
    const size_t close = text.find(')', at);
    if (close == absl::string_view::npos) {
      return Malformed(text, at, absl::StrCat(".entry ", name, ": an unclosed parameter list"));
    }
    const absl::string_view list = absl::StripAsciiWhitespace(text.substr(at + 1, close - at - 1));
    if (!list.empty()) {
      for (absl::string_view declaration : absl::StrSplit(list, ',')) {
        absl::StatusOr<KernelParam> param =
            ReadParam(text, at, absl::StripAsciiWhitespace(declaration), &layout.total_size);
        if (!param.ok()) return param.status();
        layout.params.push_back(*param);
      }
    }
    at = close + 1;
  }
  // The body: braces must balance, or the text was cut short.
  const size_t open = text.find('{', at);
  if (open == absl::string_view::npos) {
    return Malformed(text, at, absl::StrCat(".entry ", name, " has no body"));
  }
  if (absl::Status status = ReadLaunchBounds(text, at, open, name, &layout); !status.ok()) {
    return status;
  }
  int depth = 0;
  size_t i = open;
  for (; i < text.size(); ++i) {
    if (text[i] == '{') ++depth;
    if (text[i] == '}' && --depth == 0) break;
  }
  if (depth != 0) {
    return Malformed(text, open, absl::StrCat(".entry ", name, ": the body is not closed"));
  }
  at = i + 1;
  if (!kernels.emplace(name, std::move(layout)).second) {
    return Malformed(text, name_start, absl::StrCat(".entry ", name, " appears twice"));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::map<std::string, KernelParamLayout>> ReadPtxParams(absl::string_view ptx) {
  absl::StatusOr<std::string> stripped = WithoutComments(ptx);
  if (!stripped.ok()) return stripped.status();
  const absl::string_view text = *stripped;
  bool has_version = false;
  bool has_target = false;
  std::map<std::string, KernelParamLayout> kernels;
  size_t at = 0;
  while (at < text.size()) {
    if (text[at] != '.') {
      ++at;
      continue;
    }
    if (DirectiveAt(text, at, ".version")) has_version = true;
    if (DirectiveAt(text, at, ".target")) has_target = true;
    if (DirectiveAt(text, at, ".entry")) {
      if (!has_version || !has_target) {
        return Malformed(text, at, ".entry before the .version and .target directives");
      }
      at += 6;
      if (absl::Status status = ReadEntry(text, at, kernels); !status.ok()) return status;
      continue;
    }
    ++at;
  }
  if (!has_version || !has_target) {
    return absl::InvalidArgumentError("malformed PTX: no .version or .target directive");
  }
  if (kernels.empty()) return absl::InvalidArgumentError("malformed PTX: no .entry");
  return kernels;
}

}  // namespace hal::fake::cuda
