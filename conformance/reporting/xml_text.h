// Text that goes into an XML document: any bytes in, well-formed XML 1.0
// character data out (a failure message may quote a driver's raw bytes).
#ifndef HAL_CONFORMANCE_REPORTING_XML_TEXT_H_
#define HAL_CONFORMANCE_REPORTING_XML_TEXT_H_

#include <string>

#include "absl/strings/string_view.h"

namespace hal::cts {

// `text` escaped for an XML attribute value or element content: & < > " '
// as entities, bytes that are not valid UTF-8 (or encode U+FFFE/U+FFFF) as
// U+FFFD, control characters XML forbids as the visible text "\xNN"; tab,
// line feed and carriage return are kept.
std::string XmlEscaped(absl::string_view text);

}  // namespace hal::cts

#endif  // HAL_CONFORMANCE_REPORTING_XML_TEXT_H_
