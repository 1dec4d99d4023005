#include "backends/remote/remote_commands.h"

#include <algorithm>
#include <cstring>
#include <map>
#include <utility>

#include "backends/common/streaming_stores.h"
#include "backends/remote/protocol/wire_version.h"
#include "backends/remote/transfers.h"

namespace hal::remote {
namespace {

Connection& ConnectionOf(const Stream& stream) { return *stream.context->connection; }

// A staging buffer hald did not take as shared memory: its bytes live in
// the shadow, which commands keep in sync. A shared one is a buffer in hald
// like any other (and the same memory as its mapping here).
bool IsStaging(const Buffer& buffer) { return buffer.shadow != nullptr && !buffer.shared; }

uint8_t* ShadowAt(const Buffer& buffer, uint64_t offset) { return buffer.shadow->data() + offset; }

// A command carried out on a staging buffer's shadow runs now, on the host;
// downloads into shadows still in flight must land first, or they would
// overwrite it later (and a read must see them).
absl::Status LetDownloadsLand(const Stream& stream) {
  return ConnectionOf(stream).WaitForDownloads();
}

// A shared DEVICE buffer is this process's memory as much as hald's: once
// the stream has nothing in flight, the caller's copy into or out of it is
// the whole copy (one, where the session's shared memory takes two), and the
// stream's later commands go out after it. Downloads in flight land first,
// as they would before a later command of the stream. One request asks
// (StreamQuery); a busy stream, a failed one (hald keeps its failure for its
// next synchronize) or a lost connection takes the ordinary path, which
// reports what there is to report.
bool CopiesDirectly(const Stream& stream, const Buffer& buffer, uint64_t size) {
  if (buffer.kind != HAL_BUFFER_DEVICE || !buffer.shared || size < kSharedDeviceBufferMinBytes) {
    return false;
  }
  if (!LetDownloadsLand(stream).ok()) return false;
  ClientMessage request;
  request.mutable_stream_query()->set_stream(stream.handle);
  absl::StatusOr<DaemonMessage> answer = ConnectionOf(stream).Call(std::move(request));
  return answer.ok() && answer->stream_state().idle();
}

void CopyDirectly(const Stream& stream, void* destination, const void* source, uint64_t size) {
  stream.context->copy_pool->Copy(destination, source, size,
                                  size >= driver_support::CacheEvictingBytes());
}

ClientMessage CopyBufferCommand(const Stream& stream, const Buffer& source, uint64_t source_offset,
                                const Buffer& destination, uint64_t destination_offset,
                                uint64_t size) {
  ClientMessage command;
  v1::CopyBuffer& copy = *command.mutable_copy_buffer();
  copy.set_stream(stream.handle);
  copy.set_src(source.handle);
  copy.set_src_offset(source_offset);
  copy.set_dst(destination.handle);
  copy.set_dst_offset(destination_offset);
  copy.set_size(size);
  return command;
}

}  // namespace

absl::Status CopyHostToDevice(const Stream& stream, const void* source, const Buffer& destination,
                              uint64_t offset, uint64_t size) {
  if (IsStaging(destination)) {
    if (absl::Status status = LetDownloadsLand(stream); !status.ok()) return status;
    std::memcpy(ShadowAt(destination, offset), source, size);
    return absl::OkStatus();
  }
  uint64_t source_offset = 0;
  if (const Buffer* staging =
          stream.context->shared_staging.Find(source, size, &source_offset)) {
    return ConnectionOf(stream).Post(
        CopyBufferCommand(stream, *staging, source_offset, destination, offset, size));
  }
  if (CopiesDirectly(stream, destination, size)) {
    CopyDirectly(stream, ShadowAt(destination, offset), source, size);
    return absl::OkStatus();
  }
  return Upload(ConnectionOf(stream), stream.handle, source, destination.handle, offset, size);
}

absl::Status CopyDeviceToHost(const Stream& stream, const Buffer& source, uint64_t offset,
                              void* destination, uint64_t size) {
  if (IsStaging(source)) {
    if (absl::Status status = LetDownloadsLand(stream); !status.ok()) return status;
    std::memcpy(destination, ShadowAt(source, offset), size);
    return absl::OkStatus();
  }
  uint64_t destination_offset = 0;
  if (const Buffer* staging =
          stream.context->shared_staging.Find(destination, size, &destination_offset)) {
    return ConnectionOf(stream).Post(
        CopyBufferCommand(stream, source, offset, *staging, destination_offset, size));
  }
  if (CopiesDirectly(stream, source, size)) {
    CopyDirectly(stream, destination, ShadowAt(source, offset), size);
    return absl::OkStatus();
  }
  return Download(ConnectionOf(stream), stream.handle, source.handle, offset, destination, size);
}

absl::Status CopyBuffer(const Stream& stream, const Buffer& source, uint64_t source_offset,
                        const Buffer& destination, uint64_t destination_offset, uint64_t size) {
  if (IsStaging(source)) {
    // The shadow holds the bytes: its upload reads them now.
    if (absl::Status status = LetDownloadsLand(stream); !status.ok()) return status;
    if (IsStaging(destination)) {
      std::memmove(ShadowAt(destination, destination_offset), ShadowAt(source, source_offset),
                   size);
      return absl::OkStatus();
    }
    return Upload(ConnectionOf(stream), stream.handle, ShadowAt(source, source_offset),
                  destination.handle, destination_offset, size);
  }
  if (IsStaging(destination)) {
    return Download(ConnectionOf(stream), stream.handle, source.handle, source_offset,
                    ShadowAt(destination, destination_offset), size);
  }
  return ConnectionOf(stream).Post(
      CopyBufferCommand(stream, source, source_offset, destination, destination_offset, size));
}

absl::Status Fill(const Stream& stream, const Buffer& destination, uint64_t offset, uint64_t size,
                  uint32_t pattern) {
  if (IsStaging(destination)) {
    if (absl::Status status = LetDownloadsLand(stream); !status.ok()) return status;
    const uint8_t bytes[4] = {static_cast<uint8_t>(pattern), static_cast<uint8_t>(pattern >> 8),
                              static_cast<uint8_t>(pattern >> 16),
                              static_cast<uint8_t>(pattern >> 24)};
    uint8_t* target = ShadowAt(destination, offset);
    for (uint64_t i = 0; i < size; i += 4) std::memcpy(target + i, bytes, 4);
    return absl::OkStatus();
  }
  ClientMessage command;
  v1::Fill& fill = *command.mutable_fill();
  fill.set_stream(stream.handle);
  fill.set_dst(destination.handle);
  fill.set_offset(offset);
  fill.set_size(size);
  fill.set_pattern(pattern);
  return ConnectionOf(stream).Post(std::move(command));
}

absl::Status DispatchKernel(const Stream& stream, const Kernel& kernel,
                            const hal_dispatch_desc& desc) {
  // A kernel may read and write a bound staging buffer anywhere from its
  // binding offset on: the daemon's copy of that part is brought up to date
  // before the dispatch and the shadow after it.
  std::map<const Buffer*, uint64_t> staging;  // buffer -> lowest bound offset
  // Reused and cleared: its Dispatch and repeated fields keep their memory,
  // so building the command allocates nothing (Post serializes it at once).
  thread_local ClientMessage command;
  v1::Dispatch& dispatch = *command.mutable_dispatch();
  dispatch.Clear();
  dispatch.set_stream(stream.handle);
  dispatch.set_kernel(kernel.handle);
  if (ConnectionOf(stream).daemon_protocol_minor() >= kDispatchGridScalarsMinor) {
    dispatch.set_workgroup_count_x(desc.workgroup_count[0]);
    dispatch.set_workgroup_count_y(desc.workgroup_count[1]);
    dispatch.set_workgroup_count_z(desc.workgroup_count[2]);
  } else {
    for (uint32_t count : desc.workgroup_count) dispatch.add_workgroup_count(count);
  }
  for (uint32_t i = 0; i < desc.binding_count; ++i) {
    const Buffer& buffer = *Unwrap(desc.bindings[i].buffer);
    const uint64_t offset = desc.bindings[i].offset;
    v1::Binding& binding = *dispatch.add_bindings();
    binding.set_buffer(buffer.handle);
    binding.set_offset(offset);
    if (IsStaging(buffer)) {
      auto [it, added] = staging.emplace(&buffer, offset);
      if (!added) it->second = std::min(it->second, offset);
    }
  }
  if (desc.push_constant_size > 0) {
    dispatch.set_push_constants(desc.push_constants, desc.push_constant_size);
  }
  Connection& connection = ConnectionOf(stream);
  if (!staging.empty()) {
    if (absl::Status status = LetDownloadsLand(stream); !status.ok()) return status;
  }
  for (const auto& [buffer, offset] : staging) {
    if (absl::Status status = Upload(connection, stream.handle, ShadowAt(*buffer, offset),
                                     buffer->handle, offset, buffer->size - offset);
        !status.ok()) {
      return status;
    }
  }
  if (absl::Status status = connection.Post(command); !status.ok()) return status;
  for (const auto& [buffer, offset] : staging) {
    if (absl::Status status = Download(connection, stream.handle, buffer->handle, offset,
                                       ShadowAt(*buffer, offset), buffer->size - offset);
        !status.ok()) {
      return status;
    }
  }
  return absl::OkStatus();
}

absl::Status SignalEvent(const Stream& stream, const Event& event) {
  ClientMessage command;
  v1::SignalEvent& signal = *command.mutable_signal_event();
  signal.set_stream(stream.handle);
  signal.set_event(event.handle);
  return ConnectionOf(stream).Post(std::move(command));
}

absl::Status WaitEvent(const Stream& stream, const Event& event) {
  ClientMessage command;
  v1::WaitEvent& wait = *command.mutable_wait_event();
  wait.set_stream(stream.handle);
  wait.set_event(event.handle);
  return ConnectionOf(stream).Post(std::move(command));
}

}  // namespace hal::remote
