#ifndef HAL_BACKENDS_REMOTE_PROTOCOL_STATUS_CODEC_H_
#define HAL_BACKENDS_REMOTE_PROTOCOL_STATUS_CODEC_H_

#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "hal/driver/hal_driver.h"
#include "hal_remote.pb.h"

namespace hal::remote {

using WireStatus = ::hal::remote::v1::WireStatus;

// absl::Status on the wire and back. A code outside absl's range (a hostile
// or newer peer) becomes Internal naming it.
WireStatus ToWire(const absl::Status& status);
absl::Status FromWire(const WireStatus& wire);

// The driver ABI's result for a status, mirroring the runtime's mapping
// (runtime/loaded_driver.cc) in reverse. The ABI has no permission code:
// PermissionDenied is HAL_ERROR_FAILED_PRECONDITION, and ResultMessage keeps
// "permission denied: " in the text. Codes the ABI lacks are
// HAL_ERROR_INTERNAL.
hal_result ResultFromStatus(const absl::Status& status);
// The message a driver reports with ResultFromStatus(status).
std::string ResultMessage(const absl::Status& status);
// The runtime's mapping: HAL_SUCCESS and HAL_NOT_READY are OK; an unknown
// result is Internal.
absl::Status StatusFromResult(hal_result result, absl::string_view message);

}  // namespace hal::remote

#endif  // HAL_BACKENDS_REMOTE_PROTOCOL_STATUS_CODEC_H_
