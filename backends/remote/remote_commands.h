// Stream commands of the remote driver: one-way messages batched on the
// context's connection. A HOST_STAGING buffer hald took as shared memory is a
// buffer like any other, and a copy whose host side lies in one is a copy
// between buffers; the bytes of any other staging buffer live in its host
// shadow (what buffer_map returns), and a command touching one is carried out
// there or turned into uploads/downloads (README.md, "Host-staging buffers").
// A DEVICE buffer hald took as shared memory (protocol 1.6) is copied to and
// from by this process itself while its stream is idle (README.md, "Shared
// device buffers").
#ifndef HAL_BACKENDS_REMOTE_REMOTE_COMMANDS_H_
#define HAL_BACKENDS_REMOTE_REMOTE_COMMANDS_H_

#include <cstdint>

#include "absl/status/status.h"
#include "backends/remote/remote_objects.h"
#include "hal/driver/hal_driver.h"

namespace hal::remote {

absl::Status CopyHostToDevice(const Stream& stream, const void* source, const Buffer& destination,
                              uint64_t offset, uint64_t size);
absl::Status CopyDeviceToHost(const Stream& stream, const Buffer& source, uint64_t offset,
                              void* destination, uint64_t size);
absl::Status CopyBuffer(const Stream& stream, const Buffer& source, uint64_t source_offset,
                        const Buffer& destination, uint64_t destination_offset, uint64_t size);
absl::Status Fill(const Stream& stream, const Buffer& destination, uint64_t offset, uint64_t size,
                  uint32_t pattern);
absl::Status DispatchKernel(const Stream& stream, const Kernel& kernel,
                            const hal_dispatch_desc& desc);
absl::Status SignalEvent(const Stream& stream, const Event& event);
absl::Status WaitEvent(const Stream& stream, const Event& event);

}  // namespace hal::remote

#endif  // HAL_BACKENDS_REMOTE_REMOTE_COMMANDS_H_
