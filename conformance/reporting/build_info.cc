#include "conformance/reporting/build_info.h"

namespace hal::cts {

const char* SuiteVersion() { return HAL_CTS_SUITE_VERSION; }
const char* SuiteBuildHash() { return HAL_CTS_BUILD_HASH; }

}  // namespace hal::cts
