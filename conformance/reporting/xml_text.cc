#include "conformance/reporting/xml_text.h"

#include <cstdint>

#include "absl/strings/str_format.h"

namespace hal::cts {
namespace {

constexpr char kReplacementCharacter[] = "\xEF\xBF\xBD";

// The length of the valid UTF-8 sequence at the start of `text` (1-4) and its
// code point, or 0 when it is not valid (overlong, surrogate, past U+10FFFF,
// truncated).
int ValidSequenceLength(absl::string_view text, uint32_t& code_point) {
  const auto lead = static_cast<unsigned char>(text[0]);
  int length = 0;
  if (lead < 0x80) {
    code_point = lead;
    return 1;
  } else if ((lead & 0xE0) == 0xC0) {
    length = 2;
    code_point = lead & 0x1F;
  } else if ((lead & 0xF0) == 0xE0) {
    length = 3;
    code_point = lead & 0x0F;
  } else if ((lead & 0xF8) == 0xF0) {
    length = 4;
    code_point = lead & 0x07;
  } else {
    return 0;
  }
  if (text.size() < static_cast<size_t>(length)) return 0;
  for (int i = 1; i < length; ++i) {
    const auto continuation = static_cast<unsigned char>(text[i]);
    if ((continuation & 0xC0) != 0x80) return 0;
    code_point = (code_point << 6) | (continuation & 0x3F);
  }
  constexpr uint32_t kSmallestOfLength[] = {0, 0, 0x80, 0x800, 0x10000};
  if (code_point < kSmallestOfLength[length] || code_point > 0x10FFFF ||
      (code_point >= 0xD800 && code_point <= 0xDFFF)) {
    return 0;
  }
  return length;
}

}  // namespace

std::string XmlEscaped(absl::string_view text) {
  std::string escaped;
  escaped.reserve(text.size());
  while (!text.empty()) {
    uint32_t code_point = 0;
    const int length = ValidSequenceLength(text, code_point);
    if (length == 0 || code_point == 0xFFFE || code_point == 0xFFFF) {
      escaped += kReplacementCharacter;
      text.remove_prefix(1);
      continue;
    }
    switch (code_point) {
      case '&':
        escaped += "&amp;";
        break;
      case '<':
        escaped += "&lt;";
        break;
      case '>':
        escaped += "&gt;";
        break;
      case '"':
        escaped += "&quot;";
        break;
      case '\'':
        escaped += "&apos;";
        break;
      case '\t':
      case '\n':
      case '\r':
        escaped += static_cast<char>(code_point);
        break;
      default:
        if (code_point < 0x20 || code_point == 0x7F) {
          escaped += absl::StrFormat("\\x%02x", code_point);
        } else {
          escaped.append(text.data(), length);
        }
    }
    text.remove_prefix(length);
  }
  return escaped;
}

}  // namespace hal::cts
