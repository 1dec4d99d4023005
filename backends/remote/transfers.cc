#include "backends/remote/transfers.h"

#include <algorithm>
#include <cstring>
#include <utility>

#include "backends/remote/remote_config.h"

namespace hal::remote {
namespace {

bool UsesCrossMemory(const Connection& connection, uint64_t size) {
  return connection.has_cross_memory() && size > kInlineCopyBytes;
}

bool UsesSharedMemory(const Connection& connection, uint64_t size) {
  return connection.has_shared_memory() && size > kInlineCopyBytes;
}

// The largest chunk one command moves. Chunks of a few MiB stay in the
// caches between the copies on either side (into and out of shared memory,
// or serialized, sent, received and parsed), where copies of tens of MiB go
// to memory each time: over TCP loopback 16 MiB frames moved 0.1 GB/s,
// 1 MiB ones 0.3-0.6 GB/s (bench/README.md).
uint64_t ChunkBytes(const Connection& connection, bool shared_memory) {
  return shared_memory ? SharedMemoryChunkBytes(connection.shared_memory_size())
                       : std::min(kInlineChunkBytes, connection.max_inline_bytes());
}

}  // namespace

absl::Status Upload(Connection& connection, uint64_t stream, const void* source, uint64_t buffer,
                    uint64_t offset, uint64_t size) {
  if (UsesCrossMemory(connection, size)) {
    ClientMessage command;
    v1::CopyHostToDevice& copy = *command.mutable_copy_host_to_device();
    copy.set_stream(stream);
    copy.set_dst(buffer);
    copy.set_dst_offset(offset);
    copy.set_size(size);
    copy.set_tenant_address(reinterpret_cast<uintptr_t>(source));
    return connection.Post(std::move(command));
  }
  const bool shared_memory = UsesSharedMemory(connection, size);
  const uint64_t chunk_bytes = ChunkBytes(connection, shared_memory);
  const auto* bytes = static_cast<const uint8_t*>(source);
  for (uint64_t done = 0; done < size;) {
    const uint64_t chunk = std::min(chunk_bytes, size - done);
    ClientMessage command;
    v1::CopyHostToDevice& copy = *command.mutable_copy_host_to_device();
    copy.set_stream(stream);
    copy.set_dst(buffer);
    copy.set_dst_offset(offset + done);
    copy.set_size(chunk);
    if (shared_memory) {
      absl::StatusOr<ShmRange> range = connection.AllocateRange(chunk);
      if (!range.ok()) return range.status();
      std::memcpy(connection.shared_memory_data() + range->offset(), bytes + done, chunk);
      *copy.mutable_shm() = *std::move(range);
    } else {
      copy.set_inline_data(bytes + done, chunk);
    }
    if (absl::Status status = connection.Post(std::move(command)); !status.ok()) return status;
    done += chunk;
  }
  return absl::OkStatus();
}

absl::Status Download(Connection& connection, uint64_t stream, uint64_t buffer, uint64_t offset,
                      void* destination, uint64_t size) {
  if (UsesCrossMemory(connection, size)) {
    ClientMessage command;
    v1::CopyDeviceToHost& copy = *command.mutable_copy_device_to_host();
    copy.set_stream(stream);
    copy.set_src(buffer);
    copy.set_src_offset(offset);
    copy.set_size(size);
    copy.set_tenant_address(reinterpret_cast<uintptr_t>(destination));
    return connection.PostDownload(std::move(command), static_cast<uint8_t*>(destination));
  }
  const bool shared_memory = UsesSharedMemory(connection, size);
  const uint64_t chunk_bytes = ChunkBytes(connection, shared_memory);
  auto* bytes = static_cast<uint8_t*>(destination);
  for (uint64_t done = 0; done < size;) {
    const uint64_t chunk = std::min(chunk_bytes, size - done);
    ClientMessage command;
    v1::CopyDeviceToHost& copy = *command.mutable_copy_device_to_host();
    copy.set_stream(stream);
    copy.set_src(buffer);
    copy.set_src_offset(offset + done);
    copy.set_size(chunk);
    if (shared_memory) {
      absl::StatusOr<ShmRange> range = connection.AllocateRange(chunk);
      if (!range.ok()) return range.status();
      *copy.mutable_shm() = *std::move(range);
    }
    if (absl::Status status = connection.PostDownload(std::move(command), bytes + done);
        !status.ok()) {
      return status;
    }
    done += chunk;
  }
  return absl::OkStatus();
}

}  // namespace hal::remote
