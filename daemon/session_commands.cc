// A session's one-way commands: stream work, frees and destroys. They are
// never answered; a failure is kept on the stream the command names (for its
// next StreamSynchronize/StreamQuery) or, naming no stream, for the session's
// next request.
#include <array>
#include <iostream>
#include <string>
#include <vector>

#include "absl/container/inlined_vector.h"
#include "absl/strings/str_cat.h"
#include "backends/remote/protocol/frame_codec.h"
#include "backends/remote/protocol/wire_version.h"
#include "daemon/session.h"
#include "hal/driver/hal_driver.h"

namespace hal::daemon {
namespace {

using remote::v1::ClientMessage;
using remote::v1::DaemonMessage;

// The largest download answered inline: it must fit one frame.
constexpr uint64_t kMaxInlineDownload = remote::kMaxFrameBytes - 4096;

// The stream handle a stream command names; 0 for other commands.
uint64_t StreamHandleOf(const ClientMessage& command) {
  switch (command.body_case()) {
    case ClientMessage::kCopyHostToDevice: return command.copy_host_to_device().stream();
    case ClientMessage::kCopyDeviceToHost: return command.copy_device_to_host().stream();
    case ClientMessage::kCopyBuffer: return command.copy_buffer().stream();
    case ClientMessage::kFill: return command.fill().stream();
    case ClientMessage::kDispatch: return command.dispatch().stream();
    case ClientMessage::kSignalEvent: return command.signal_event().stream();
    case ClientMessage::kWaitEvent: return command.wait_event().stream();
    default: return 0;
  }
}

}  // namespace

void Session::ExecuteOneWay(ClientMessage& command) {
  counters_->CountCommand();
  absl::Status status = Execute(command);
  if (status.ok()) return;
  absl::StatusOr<Stream*> stream = StreamOf(command);
  if (stream.ok()) {
    std::lock_guard<std::mutex> lock((*stream)->mu);
    if ((*stream)->failure.ok()) (*stream)->failure = status;
  } else if (session_failure_.ok()) {
    session_failure_ = status;
  }
}

absl::StatusOr<Session::Stream*> Session::StreamOf(const ClientMessage& command) const {
  const uint64_t handle = StreamHandleOf(command);
  if (handle == 0) return absl::InvalidArgumentError("the command names no stream");
  absl::StatusOr<const std::shared_ptr<Stream>*> stream = streams_.Borrow(handle);
  if (!stream.ok()) return stream.status();
  return (*stream)->get();
}

absl::Status Session::Execute(ClientMessage& command) {
  switch (command.body_case()) {
    case ClientMessage::kBufferFree: {
      const uint64_t handle = command.buffer_free().buffer();
      absl::StatusOr<std::shared_ptr<Buffer>> buffer = buffers_.Remove(handle);
      if (!buffer.ok()) return buffer.status();
      // Queues keep it alive until their work on it is done.
      uint64_t counted = (*buffer)->allocated_size();
      if (auto shared = shared_buffer_bytes_.extract(handle); !shared.empty()) {
        counted = shared.mapped();
      }
      counters_->RemoveBuffer(counted);
      return absl::OkStatus();
    }
    case ClientMessage::kEventDestroy:
      return events_.Remove(command.event_destroy().event()).status();
    case ClientMessage::kModuleDestroy:
      // Its kernels keep what they loaded; only the image goes.
      return modules_.Remove(command.module_destroy().module()).status();
    case ClientMessage::kCopyHostToDevice:
    case ClientMessage::kCopyDeviceToHost:
    case ClientMessage::kCopyBuffer:
    case ClientMessage::kFill:
    case ClientMessage::kDispatch:
    case ClientMessage::kSignalEvent:
    case ClientMessage::kWaitEvent:
      break;
    default:
      return absl::InvalidArgumentError(absl::StrCat(
          "message ", static_cast<int>(command.body_case()),
          " needs a request id (it is answered) or is not a command"));
  }
  absl::StatusOr<Stream*> found = StreamOf(command);
  if (!found.ok()) return found.status();
  Stream& stream = **found;
  std::lock_guard<std::mutex> lock(stream.mu);
  Queue& queue = *stream.queue;
  switch (command.body_case()) {
    case ClientMessage::kCopyHostToDevice:
      return CopyHostToDevice(stream, *command.mutable_copy_host_to_device());
    case ClientMessage::kCopyDeviceToHost:
      return CopyDeviceToHost(stream, command.copy_device_to_host());
    case ClientMessage::kCopyBuffer: {
      const remote::v1::CopyBuffer& copy = command.copy_buffer();
      absl::StatusOr<const std::shared_ptr<Buffer>*> src = buffers_.Borrow(copy.src());
      if (!src.ok()) return src.status();
      absl::StatusOr<const std::shared_ptr<Buffer>*> dst = buffers_.Borrow(copy.dst());
      if (!dst.ok()) return dst.status();
      return queue.CopyBuffer(***src, copy.src_offset(), ***dst, copy.dst_offset(), copy.size());
    }
    case ClientMessage::kFill: {
      const remote::v1::Fill& fill = command.fill();
      absl::StatusOr<const std::shared_ptr<Buffer>*> dst = buffers_.Borrow(fill.dst());
      if (!dst.ok()) return dst.status();
      return queue.Fill(***dst, fill.offset(), fill.size(), fill.pattern());
    }
    case ClientMessage::kDispatch:
      return Dispatch(stream, command.dispatch());
    case ClientMessage::kSignalEvent: {
      absl::StatusOr<std::shared_ptr<TenantEvent>> event =
          events_.Find(command.signal_event().event());
      if (!event.ok()) return event.status();
      if (absl::Status status = queue.Signal(*(*event)->event); !status.ok()) return status;
      (*event)->signalled = true;
      return absl::OkStatus();
    }
    case ClientMessage::kWaitEvent: {
      absl::StatusOr<std::shared_ptr<TenantEvent>> event = events_.Find(command.wait_event().event());
      if (!event.ok()) return event.status();
      return queue.Wait(*(*event)->event);
    }
    default:
      return absl::InternalError("unreachable");
  }
}

absl::StatusOr<uint8_t*> Session::SharedBytes(const remote::v1::ShmRange& range,
                                               uint64_t size) const {
  if (shm_ == nullptr) return absl::FailedPreconditionError("the session has no shared memory");
  absl::StatusOr<absl::Span<uint8_t>> bytes = shm_->Range(range);
  if (!bytes.ok()) return bytes.status();
  if (bytes->size() != size) {
    return absl::InvalidArgumentError(absl::StrCat("a copy of ", size,
                                                   " bytes names a shared-memory range of ",
                                                   bytes->size()));
  }
  return bytes->data();
}

absl::StatusOr<DaemonMessage> Session::AttachCrossMemory(
    const remote::v1::CrossMemoryAttach& request) {
  if (!tenant_memory_.has_value()) {
    return absl::FailedPreconditionError(
        "hald offers no cross-memory attach to this session (Welcome.cross_memory_pid is 0)");
  }
  if (request.pid() != static_cast<uint64_t>(tenant_memory_->pid())) {
    return absl::PermissionDeniedError(absl::StrCat(
        "CrossMemoryAttach from pid ", request.pid(), " on a connection pid ",
        tenant_memory_->pid(), " opened (a forked child's copies stay on shared memory)"));
  }
  // Copying through the buffer's mapping would pin it (Buffer::Map), and a
  // pinned buffer is never evicted: shared memory serves these pools.
  if (PoolOvercommits()) {
    return absl::FailedPreconditionError(
        "the pool overcommits its devices, and cross-memory copies would pin buffers");
  }
  if (absl::Status status = tenant_memory_->Probe(request.canary_address(), request.canary());
      !status.ok()) {
    return status;
  }
  cross_memory_ = true;
  std::cerr << "hald: session " << id() << " copies through cross-memory attach (pid "
            << tenant_memory_->pid() << ")\n";
  return DaemonMessage();
}

absl::Status Session::CheckCrossMemoryCopy(const Buffer& buffer, uint64_t offset,
                                           uint64_t size) const {
  if (!cross_memory_) {
    return absl::FailedPreconditionError(
        "a copy names a tenant address, but the session has no cross-memory attach");
  }
  if (offset > buffer.size() || size > buffer.size() - offset) {
    return absl::InvalidArgumentError(absl::StrCat("a copy of ", size, " bytes at offset ",
                                                   offset, " exceeds the buffer's ",
                                                   buffer.size()));
  }
  return absl::OkStatus();
}

// One copy, straight from the tenant's memory into the buffer's host mapping,
// once the stream has reached it (hald runs it in stream order itself, since a
// queue has no host callback; receiving waits meanwhile). A buffer without a
// mapping takes the bytes into hald's memory first, then the device's copy.
absl::Status Session::CrossMemoryUpload(Stream& stream, const Buffer& dst,
                                        const remote::v1::CopyHostToDevice& command) {
  if (absl::Status status = CheckCrossMemoryCopy(dst, command.dst_offset(), command.size());
      !status.ok()) {
    return status;
  }
  if (absl::StatusOr<void*> mapped = dst.Map(); mapped.ok()) {
    if (absl::Status status = stream.queue->Synchronize(); !status.ok()) return status;
    return tenant_memory_->Read(command.tenant_address(),
                                static_cast<uint8_t*>(*mapped) + command.dst_offset(),
                                command.size());
  }
  auto bytes = std::make_shared<std::string>(command.size(), '\0');
  if (absl::Status status =
          tenant_memory_->Read(command.tenant_address(), bytes->data(), bytes->size());
      !status.ok()) {
    return status;
  }
  if (absl::Status status =
          stream.queue->CopyHostToDevice(bytes->data(), dst, command.dst_offset(), command.size());
      !status.ok()) {
    return status;
  }
  return QueueCompletion(stream, nullptr, std::move(bytes));
}

// The download's counterpart: once the stream has reached the copy, straight
// from the buffer's host mapping (or a copy of it in hald's memory) into the
// tenant's, then a DownloadComplete without data in stream order.
absl::Status Session::CrossMemoryDownload(Stream& stream, const Buffer& src,
                                          const remote::v1::CopyDeviceToHost& command) {
  if (absl::Status status = CheckCrossMemoryCopy(src, command.src_offset(), command.size());
      !status.ok()) {
    return status;
  }
  absl::StatusOr<void*> mapped = src.Map();
  std::string staging;
  const uint8_t* source = nullptr;
  if (mapped.ok()) {
    source = static_cast<const uint8_t*>(*mapped) + command.src_offset();
  } else {
    staging.resize(command.size());
    if (absl::Status status = stream.queue->CopyDeviceToHost(src, command.src_offset(),
                                                             staging.data(), command.size());
        !status.ok()) {
      return status;
    }
    source = reinterpret_cast<const uint8_t*>(staging.data());
  }
  if (absl::Status status = stream.queue->Synchronize(); !status.ok()) return status;
  if (absl::Status status = tenant_memory_->Write(source, command.tenant_address(), command.size());
      !status.ok()) {
    return status;
  }
  auto done = std::make_unique<DaemonMessage>();
  done->mutable_download_complete()->set_download(command.download());
  return QueueCompletion(stream, std::move(done), nullptr);
}

absl::Status Session::CopyHostToDevice(Stream& stream, remote::v1::CopyHostToDevice& command) {
  absl::StatusOr<std::shared_ptr<Buffer>> dst = buffers_.Find(command.dst());
  if (!dst.ok()) return dst.status();
  if (command.has_tenant_address()) return CrossMemoryUpload(stream, **dst, command);
  if (command.has_shm()) {
    absl::StatusOr<uint8_t*> bytes = SharedBytes(command.shm(), command.size());
    if (!bytes.ok()) return bytes.status();
    auto released = std::make_unique<DaemonMessage>();
    *released->mutable_shm_released()->mutable_range() = command.shm();
    absl::Status status =
        stream.queue->CopyHostToDevice(*bytes, **dst, command.dst_offset(), command.size());
    // The range goes back to the client whether or not the copy was queued.
    absl::Status queued = QueueCompletion(stream, std::move(released), nullptr);
    return status.ok() ? queued : status;
  }
  auto bytes = std::make_shared<std::string>(std::move(*command.mutable_inline_data()));
  if (bytes->size() != command.size()) {
    return absl::InvalidArgumentError(absl::StrCat("CopyHostToDevice of ", command.size(),
                                                   " bytes carries ", bytes->size(), " inline"));
  }
  if (absl::Status status =
          stream.queue->CopyHostToDevice(bytes->data(), **dst, command.dst_offset(), command.size());
      !status.ok()) {
    return status;
  }
  return QueueCompletion(stream, nullptr, std::move(bytes));
}

absl::Status Session::CopyDeviceToHost(Stream& stream, const remote::v1::CopyDeviceToHost& command) {
  absl::StatusOr<std::shared_ptr<Buffer>> src = buffers_.Find(command.src());
  if (!src.ok()) return src.status();
  if (command.has_tenant_address()) return CrossMemoryDownload(stream, **src, command);
  auto done = std::make_unique<DaemonMessage>();
  remote::v1::DownloadComplete& complete = *done->mutable_download_complete();
  complete.set_download(command.download());
  uint8_t* destination = nullptr;
  if (command.has_shm()) {
    absl::StatusOr<uint8_t*> bytes = SharedBytes(command.shm(), command.size());
    if (!bytes.ok()) return bytes.status();
    destination = *bytes;
    *complete.mutable_shm() = command.shm();
  } else {
    if (command.size() > kMaxInlineDownload) {
      return absl::InvalidArgumentError(absl::StrCat(
          "CopyDeviceToHost of ", command.size(), " bytes inline; at most ", kMaxInlineDownload,
          " fit a frame (split the copy)"));
    }
    const uint64_t limit = daemon_.limits().inline_download_bytes;
    if (inline_download_bytes_->load() + command.size() > limit) {
      return absl::ResourceExhaustedError(absl::StrCat(
          "CopyDeviceToHost of ", command.size(), " bytes inline would hold more than ", limit,
          " bytes of downloads the client has not read yet"));
    }
    complete.mutable_inline_data()->resize(command.size());
    destination = reinterpret_cast<uint8_t*>(complete.mutable_inline_data()->data());
  }
  if (absl::Status status =
          stream.queue->CopyDeviceToHost(**src, command.src_offset(), destination, command.size());
      !status.ok()) {
    return status;
  }
  if (command.has_shm()) return QueueCompletion(stream, std::move(done), nullptr);
  // Counted until the notifier has sent (or dropped) the bytes.
  inline_download_bytes_->fetch_add(command.size());
  std::shared_ptr<const void> held(nullptr, [counter = inline_download_bytes_,
                                             size = command.size()](const void*) {
    counter->fetch_sub(size);
  });
  return QueueCompletion(stream, std::move(done), std::move(held));
}

absl::Status Session::Dispatch(Stream& stream, const remote::v1::Dispatch& command) {
  absl::StatusOr<const std::shared_ptr<Kernel>*> kernel = kernels_.Borrow(command.kernel());
  if (!kernel.ok()) return kernel.status();
  // Decoding bounded them by HAL_MAX_BINDINGS: no allocation per dispatch.
  absl::InlinedVector<BufferBinding, HAL_MAX_BINDINGS> bindings;
  for (const remote::v1::Binding& binding : command.bindings()) {
    absl::StatusOr<const std::shared_ptr<Buffer>*> buffer = buffers_.Borrow(binding.buffer());
    if (!buffer.ok()) return buffer.status();
    bindings.push_back(BufferBinding{(*buffer)->get(), binding.offset()});
  }
  const std::array<uint32_t, 3> count = remote::WorkgroupCountOf(command);
  const GridSize grid{count[0], count[1], count[2]};
  const std::string& constants = command.push_constants();
  return stream.queue->Dispatch(
      ***kernel, grid, bindings,
      absl::Span<const uint8_t>(reinterpret_cast<const uint8_t*>(constants.data()),
                                constants.size()));
}

absl::Status Session::QueueCompletion(Stream& stream, std::unique_ptr<DaemonMessage> message,
                                      std::shared_ptr<const void> keep_alive) {
  absl::StatusOr<std::shared_ptr<Event>> marker = notifier_->AcquireMarker();
  if (!marker.ok()) return marker.status();
  if (absl::Status status = stream.queue->Signal(**marker); !status.ok()) return status;
  // Asking starts the copy now (event.h) where the driver would hold it back
  // until the notifier's next poll (Vulkan batches until a wait); what the
  // answer says is the notifier's to act on.
  (*marker)->IsComplete().IgnoreError();
  notifier_->Add(*std::move(marker), std::move(message), std::move(keep_alive));
  return absl::OkStatus();
}

}  // namespace hal::daemon
