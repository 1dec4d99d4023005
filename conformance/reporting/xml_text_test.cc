#include "conformance/reporting/xml_text.h"

#include <string>

#include "gtest/gtest.h"

namespace hal::cts {
namespace {

constexpr const char* kReplacement = "\xEF\xBF\xBD";

TEST(XmlTextTest, EscapesMarkup) {
  EXPECT_EQ(XmlEscaped("a<b>&\"c'"), "a&lt;b&gt;&amp;&quot;c&apos;");
}

TEST(XmlTextTest, KeepsValidUtf8AndWhitespace) {
  const std::string text = "caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80\t\n\r";
  EXPECT_EQ(XmlEscaped(text), text);
}

TEST(XmlTextTest, ControlCharactersBecomeVisible) {
  EXPECT_EQ(XmlEscaped(std::string("a\0b\x01\x7f", 5)), "a\\x00b\\x01\\x7f");
}

TEST(XmlTextTest, InvalidUtf8BecomesReplacementCharacters) {
  const std::string r = kReplacement;
  EXPECT_EQ(XmlEscaped("\xff"), r);
  EXPECT_EQ(XmlEscaped("a\xC3"), "a" + r);                   // truncated
  EXPECT_EQ(XmlEscaped("\xC0\xAF"), r + r);                  // overlong '/'
  EXPECT_EQ(XmlEscaped("\xED\xA0\x80"), r + r + r);          // surrogate
  EXPECT_EQ(XmlEscaped("\xF4\x90\x80\x80"), r + r + r + r);  // past U+10FFFF
  EXPECT_EQ(XmlEscaped("\xEF\xBF\xBF"), r + r + r);          // U+FFFF, not an XML character
  EXPECT_EQ(XmlEscaped("\x80x"), r + "x");                   // stray continuation
}

}  // namespace
}  // namespace hal::cts
