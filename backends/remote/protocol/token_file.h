// An access token kept in a file, as operators hand one to a scheduler
// integration (the Slurm plugin's token_file=, the Kubernetes plugin's
// --hald-token-file): the file's text without surrounding whitespace.
#ifndef HAL_BACKENDS_REMOTE_PROTOCOL_TOKEN_FILE_H_
#define HAL_BACKENDS_REMOTE_PROTOCOL_TOKEN_FILE_H_

#include <string>

#include "absl/status/statusor.h"

namespace hal::remote {

// Tokens are short; a larger file is a wrong path, not a token.
inline constexpr size_t kMaxTokenFileBytes = 4096;

// The token in `path`. NotFound, PermissionDenied (or another errno's code)
// when it cannot be read, naming the path; InvalidArgument for a file with
// no token in it or of more than kMaxTokenFileBytes, or not a regular file.
absl::StatusOr<std::string> ReadTokenFile(const std::string& path);

}  // namespace hal::remote

#endif  // HAL_BACKENDS_REMOTE_PROTOCOL_TOKEN_FILE_H_
