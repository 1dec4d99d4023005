// Reading a file the user or a vendor named: manifests, bundles, pool files,
// hal-pack inputs, hal-cts's --kernels and --expected-failures. Every one is
// hostile input: a directory, a FIFO (which would block the reader forever),
// a device such as /dev/zero (endless) or a huge file must be an error with
// the path and the reason, never an exception, an abort or a hang.
#ifndef HAL_RUNTIME_FILE_READING_H_
#define HAL_RUNTIME_FILE_READING_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace hal::internal {

// Size limits of the files the project reads: far above any real file of
// that kind, far below what would exhaust memory.
inline constexpr uint64_t kMaxJsonFileBytes = uint64_t{16} << 20;
inline constexpr uint64_t kMaxBundleFileBytes = uint64_t{1} << 30;

// The whole contents of the regular file `path`, which `what` names in errors
// ("driver manifest", "kernel bundle"). NotFound when it does not exist;
// InvalidArgument when it is not a regular file (the kind is named), is over
// `max_bytes` (both sizes are named), cannot be opened or read (errno's text).
absl::StatusOr<std::string> ReadRegularFile(const std::string& path, uint64_t max_bytes,
                                            absl::string_view what);

}  // namespace hal::internal

#endif  // HAL_RUNTIME_FILE_READING_H_
