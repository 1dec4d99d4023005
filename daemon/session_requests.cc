// A session's requests: the commands the client waits an answer for.
#include <unistd.h>

#include <algorithm>
#include <iostream>
#include <limits>
#include <utility>

#include "absl/strings/str_cat.h"
#include "backends/remote/protocol/brief_poll.h"
#include "daemon/device_listing.h"
#include "daemon/pool_status.h"
#include "daemon/session.h"
#include "hal/device.h"
#include "hal/driver/hal_driver.h"
#include "hal/physical_device.h"

namespace hal::daemon {
namespace {

using remote::v1::ClientMessage;
using remote::v1::DaemonMessage;

absl::Status NotAttached() {
  return absl::FailedPreconditionError(
      "the session is not attached to a virtual device (send Attach first)");
}

}  // namespace

absl::Status Session::RequireAttached() const {
  return device_ != nullptr ? absl::OkStatus() : NotAttached();
}

void Session::HandleMessage(ClientMessage& message, remote::UniqueFd fd) {
  for (ClientMessage& entry : *message.mutable_batch()) ExecuteOneWay(entry);
  if (message.body_case() == ClientMessage::BODY_NOT_SET) {
    if (message.request_id() != 0 && message.batch_size() == 0) {
      Answer(message.request_id(), absl::InvalidArgumentError("a request without a command"));
    } else if (message.request_id() != 0) {
      // A batch sent as a request: answered once it ran, with what it kept.
      Answer(message.request_id(), DaemonMessage());
    }
    return;
  }
  if (message.request_id() == 0) {
    ExecuteOneWay(message);
    return;
  }
  const uint64_t request_id = message.request_id();
  counters_->CountCommand();
  HandleRequest(message, std::move(fd), [this, request_id](absl::StatusOr<DaemonMessage> answer) {
    Answer(request_id, std::move(answer));
  });
}

void Session::HandleRequest(ClientMessage& message, remote::UniqueFd fd, Reply reply) {
  if (!session_failure_.ok()) {
    reply(std::exchange(session_failure_, absl::OkStatus()));
    return;
  }
  switch (message.body_case()) {
    case ClientMessage::kHello:
      return reply(absl::FailedPreconditionError("Hello was already received"));
    case ClientMessage::kShmAttach:
      return reply(AttachShm(message.shm_attach(), std::move(fd)));
    case ClientMessage::kCrossMemoryAttach:
      return reply(AttachCrossMemory(message.cross_memory_attach()));
    case ClientMessage::kListDevices:
      return reply(ListDevices());
    case ClientMessage::kMemoryInfo:
      return reply(MemoryInfo(message.memory_info()));
    case ClientMessage::kAttach:
      return reply(Attach(message.attach()));
    case ClientMessage::kPoolStatus:
      return reply(PoolStatus());
    case ClientMessage::kVirtualDeviceCreate:
      return reply(CreateVirtualDevice(message.virtual_device_create()));
    case ClientMessage::kVirtualDeviceDestroy:
      return reply(DestroyVirtualDevice(message.virtual_device_destroy()));
    case ClientMessage::kBufferAllocate:
      return reply(AllocateBuffer(message.buffer_allocate(), std::move(fd)));
    case ClientMessage::kBufferDeviceAddress:
      return reply(BufferDeviceAddress(message.buffer_device_address().buffer()));
    case ClientMessage::kStreamCreate:
      return reply(CreateStream(message.stream_create()));
    case ClientMessage::kEventCreate:
      return reply(CreateEvent(message.event_create()));
    case ClientMessage::kStreamQuery:
      return reply(QueryStream(message.stream_query().stream()));
    case ClientMessage::kEventQuery:
      return reply(QueryEvent(message.event_query().event()));
    case ClientMessage::kEventTimestamp:
      return reply(EventTimestamp(message.event_timestamp().event()));
    case ClientMessage::kModuleLoad:
      return reply(LoadModule(*message.mutable_module_load()));
    case ClientMessage::kKernelGet:
      return reply(GetKernel(message.kernel_get()));
    case ClientMessage::kTrimMemory:
      if (absl::Status status = RequireAttached(); !status.ok()) return reply(status);
      device_->TrimMemoryCache();
      return reply(DaemonMessage());
    case ClientMessage::kStreamSynchronize:
      return SynchronizeStream(message.stream_synchronize().stream(), std::move(reply));
    case ClientMessage::kEventSynchronize:
      return SynchronizeEvent(message.event_synchronize().event(), std::move(reply));
    case ClientMessage::kStreamDestroy:
      return DestroyStream(message.stream_destroy().stream(), std::move(reply));
    default: {
      // A one-way command sent as a request: its own status is the answer.
      absl::Status status = Execute(message);
      return reply(status.ok() ? absl::StatusOr<DaemonMessage>(DaemonMessage()) : status);
    }
  }
}

absl::StatusOr<DaemonMessage> Session::AttachShm(const remote::v1::ShmAttach& request,
                                                 remote::UniqueFd fd) {
  if (!channel_->is_unix()) {
    return absl::FailedPreconditionError("shared memory is for Unix-socket connections");
  }
  if (shm_ != nullptr) {
    return absl::FailedPreconditionError("the session already has its shared memory");
  }
  if (!fd.valid()) {
    return absl::InvalidArgumentError("ShmAttach came without a memfd (SCM_RIGHTS)");
  }
  absl::StatusOr<remote::SharedMemory> shm =
      remote::SharedMemory::Map(std::move(fd), request.size());
  if (!shm.ok()) return shm.status();
  shm_ = std::make_shared<remote::SharedMemory>(*std::move(shm));
  RegisterSharedMemory();
  return DaemonMessage();
}

// Uploads and downloads through the shared memory are then what copies from
// and to pinned memory are elsewhere: the Vulkan driver copies a registered
// range with one vkCmdCopyBuffer (not through its own staging ring), a GPU
// by DMA (not through the vendor's pageable staging).
void Session::RegisterSharedMemory() {
  if (shm_ == nullptr || device_ == nullptr || shm_registration_ != nullptr ||
      !device_->physical_device().properties().capabilities.has(Capability::kHostRegistration)) {
    return;
  }
  // Registration takes whole pages; a tail past the last one, or past the
  // session's share, stays plain.
  const uint64_t page = static_cast<uint64_t>(sysconf(_SC_PAGESIZE));
  const uint64_t share = daemon_.limits().registered_shared_memory_bytes_per_session;
  const uint64_t size = std::min(shm_->size(), share) / page * page;
  if (share < shm_->size()) {
    std::cerr << "hald: session " << id() << " registers " << size << " of its " << shm_->size()
              << " bytes of shared memory (--registered-shm-bytes-per-session " << share << ")\n";
  }
  if (size == 0) return;
  std::shared_ptr<const void> reservation = daemon_.registered_shared_memory().TryReserve(
      size, daemon_.limits().registered_shared_memory_bytes);
  if (reservation == nullptr) {
    std::cerr << "hald: session " << id() << "'s " << size
              << " bytes of shared memory stay unregistered: sessions hold "
              << daemon_.registered_shared_memory().reserved() << " of the "
              << daemon_.limits().registered_shared_memory_bytes
              << " bytes hald may register (--registered-shm-bytes)\n";
    return;
  }
  HostRegistrationOptions options;
  // The mapping and the budget are held until the driver lets go of the memory.
  options.keep_alive = std::make_shared<
      std::pair<std::shared_ptr<remote::SharedMemory>, std::shared_ptr<const void>>>(
      shm_, std::move(reservation));
  absl::StatusOr<std::shared_ptr<Buffer>> registered =
      device_->RegisterHostMemory(shm_->data(), size, options);
  if (!registered.ok()) {
    std::cerr << "hald: session " << id()
              << "'s shared memory stays unregistered: " << registered.status().message() << "\n";
    return;
  }
  shm_registration_ = *std::move(registered);
  counters_->SetRegisteredSharedMemory(size);
}

bool Session::PoolOvercommits() const { return daemon_.pool().options().overcommit_ratio > 1.0; }

absl::StatusOr<DaemonMessage> Session::ListDevices() {
  const std::shared_ptr<const AccessPolicy> policy = daemon_.policy();
  DaemonMessage answer;
  for (const std::shared_ptr<VirtualDevice>& device : daemon_.VirtualDevices()) {
    if (!policy->MayAttach(identity_, device->name())) continue;
    *answer.mutable_device_list()->add_devices() =
        ListedProperties(*device, policy->AllowsNativeKernels(device->name()), PoolOvercommits());
  }
  return answer;
}

absl::StatusOr<DaemonMessage> Session::MemoryInfo(const remote::v1::MemoryInfo& request) {
  std::shared_ptr<VirtualDevice> device = daemon_.FindVirtualDevice(request.virtual_device());
  if (device == nullptr || !daemon_.policy()->MayAttach(identity_, device->name())) {
    return absl::NotFoundError(
        absl::StrCat("no virtual device \"", request.virtual_device(), "\" for ", identity_.name));
  }
  DaemonMessage answer;
  const uint64_t used = std::min(device->memory_used(), device->memory_quota());
  answer.mutable_memory_info()->set_total_bytes(device->memory_quota());
  answer.mutable_memory_info()->set_free_bytes(device->memory_quota() - used);
  return answer;
}

absl::StatusOr<DaemonMessage> Session::Attach(const remote::v1::Attach& request) {
  if (device_ != nullptr) {
    return absl::FailedPreconditionError(absl::StrCat(
        "the session is already attached to virtual device ", virtual_device_->name()));
  }
  const std::shared_ptr<const AccessPolicy> policy = daemon_.policy();
  std::shared_ptr<VirtualDevice> device = daemon_.FindVirtualDevice(request.virtual_device());
  if (device == nullptr) {
    return absl::NotFoundError(
        absl::StrCat("hald has no virtual device \"", request.virtual_device(), "\""));
  }
  if (!policy->MayAttach(identity_, device->name())) {
    return absl::PermissionDeniedError(
        absl::StrCat(identity_.name, " may not attach to virtual device ", device->name(),
                     " (the pool file's \"hald\" access rules)"));
  }
  virtual_device_ = std::move(device);
  device_ = virtual_device_->device();
  native_kernels_ = policy->AllowsNativeKernels(virtual_device_->name());
  notifier_ = std::make_unique<CompletionNotifier>(
      device_, [this](const DaemonMessage& message) { return Send(message); });
  counters_->SetVirtualDevice(virtual_device_->name());
  RegisterSharedMemory();
  DaemonMessage answer;
  answer.mutable_attached()->set_partition_units(device_->partition_units());
  return answer;
}

absl::StatusOr<DaemonMessage> Session::PoolStatus() {
  if (!daemon_.policy()->MayReadStatus(identity_)) {
    return absl::PermissionDeniedError(
        absl::StrCat(identity_.name,
                     " may not read hald's status (the pool file's \"hald\" "
                     "access rules)"));
  }
  DaemonMessage answer;
  *answer.mutable_pool_status() =
      BuildPoolStatus(daemon_.pool(), daemon_.sessions(), daemon_.started(), daemon_.Owners());
  return answer;
}

absl::StatusOr<DaemonMessage> Session::AllocateBuffer(const remote::v1::BufferAllocate& request,
                                                      remote::UniqueFd fd) {
  if (absl::Status status = RequireAttached(); !status.ok()) return status;
  if (absl::Status status = buffers_.CheckFree(request.buffer()); !status.ok()) return status;
  if (request.kind() > HAL_BUFFER_HOST_STAGING) {
    return absl::InvalidArgumentError(absl::StrCat("no buffer kind ", request.kind()));
  }
  if (request.flags() != 0) {
    // Decommittable buffers need the virtual-memory capability, which the
    // remote driver does not report.
    return absl::InvalidArgumentError(
        absl::StrCat("buffer flags ", request.flags(), " are not supported by hald"));
  }
  if (fd.valid() && !request.shared_host_memory()) {
    return absl::InvalidArgumentError(
        "BufferAllocate came with a descriptor but without shared_host_memory");
  }
  const DeviceProperties& properties = device_->physical_device().properties();
  const bool takes_memfd = request.kind() == HAL_BUFFER_HOST_STAGING
                               ? properties.capabilities.has(Capability::kHostRegistration)
                               : SharesDeviceMemory(properties, PoolOvercommits());
  absl::StatusOr<std::shared_ptr<Buffer>> buffer = nullptr;
  bool shared = false;
  if (request.shared_host_memory() && fd.valid() && channel_->is_unix() && takes_memfd) {
    buffer = RegisterSharedBuffer(request.size(), std::move(fd));
    shared = true;
  } else {
    buffer = device_->Allocate(request.size(), request.kind() == HAL_BUFFER_HOST_STAGING
                                                   ? BufferKind::kHostStaging
                                                   : BufferKind::kDevice);
  }
  if (!buffer.ok()) return buffer.status();
  // A shared buffer takes no device memory (allocated_size 0); it is charged,
  // and counted in the session's bytes, as a staging allocation of the
  // request's size would be.
  const uint64_t allocated = (*buffer)->allocated_size();
  const uint64_t charged =
      shared ? properties.RoundedToAllocationGranularity(request.size()) : allocated;
  if (absl::Status status = buffers_.Insert(request.buffer(), *std::move(buffer)); !status.ok()) {
    return status;
  }
  if (shared) shared_buffer_bytes_[request.buffer()] = charged;
  if (shared && request.kind() == HAL_BUFFER_DEVICE && !shares_device_buffers_) {
    shares_device_buffers_ = true;
    std::cerr << "hald: session " << id()
              << " shares device buffers' memory with its tenant (its copies into them are "
                 "its own)\n";
  }
  counters_->AddBuffer(charged);
  DaemonMessage answer;
  answer.mutable_buffer_allocated()->set_allocated_size(charged);
  answer.mutable_buffer_allocated()->set_shared(shared);
  return answer;
}

absl::StatusOr<DaemonMessage> Session::BufferDeviceAddress(uint64_t handle) {
  if (absl::Status status = RequireAttached(); !status.ok()) return status;
  if ((ForwardedCapabilities(device_->physical_device().properties(), native_kernels_) &
       HAL_CAPABILITY_DEVICE_ADDRESS) == 0) {
    return absl::UnimplementedError(absl::StrCat("virtual device ", virtual_device_->name(),
                                                 " is listed without device addresses"));
  }
  absl::StatusOr<std::shared_ptr<Buffer>> buffer = buffers_.Find(handle);
  if (!buffer.ok()) return buffer.status();
  absl::StatusOr<uint64_t> address = (*buffer)->DeviceAddress();
  if (address.status().code() == absl::StatusCode::kFailedPrecondition) {
    // In an overcommitted pool a buffer that eviction would move has no
    // address until pinned; the driver ABI promises one for its life.
    if (absl::Status status = (*buffer)->Pin(); !status.ok()) return status;
    address = (*buffer)->DeviceAddress();
  }
  if (!address.ok()) return address.status();
  DaemonMessage answer;
  answer.mutable_buffer_address()->set_address(*address);
  return answer;
}

absl::StatusOr<std::shared_ptr<Buffer>> Session::RegisterSharedBuffer(uint64_t size,
                                                                      remote::UniqueFd fd) {
  // The tenant's memfd is whole pages: what registration pins.
  const uint64_t page = static_cast<uint64_t>(sysconf(_SC_PAGESIZE));
  if (size == 0 || size > std::numeric_limits<uint64_t>::max() - page) {
    return absl::InvalidArgumentError(absl::StrCat("a shared buffer of ", size, " bytes"));
  }
  const uint64_t mapped_size = (size + page - 1) / page * page;
  absl::StatusOr<remote::SharedMemory> mapping =
      remote::SharedMemory::Map(std::move(fd), mapped_size);
  if (!mapping.ok()) return mapping.status();
  // No descriptor per buffer (hald would run out of them); the mapping lives
  // as long as the registration, which queued work keeps alive past BufferFree
  // and a dead session's teardown.
  mapping->CloseDescriptor();
  auto kept = std::make_shared<remote::SharedMemory>(*std::move(mapping));
  HostRegistrationOptions options;
  options.charge_quota = true;
  options.charged_size = size;
  options.keep_alive = kept;
  return device_->RegisterHostMemory(kept->data(), mapped_size, options);
}

absl::StatusOr<DaemonMessage> Session::CreateStream(const remote::v1::StreamCreate& request) {
  if (absl::Status status = RequireAttached(); !status.ok()) return status;
  if (absl::Status status = streams_.CheckFree(request.stream()); !status.ok()) return status;
  QueueOptions options;
  switch (request.priority()) {
    case HAL_STREAM_PRIORITY_NORMAL:
      options.priority = QueuePriority::kNormal;
      break;
    case HAL_STREAM_PRIORITY_LOW:
      options.priority = QueuePriority::kLow;
      break;
    case HAL_STREAM_PRIORITY_HIGH:
      options.priority = QueuePriority::kHigh;
      break;
    default:
      return absl::InvalidArgumentError(absl::StrCat("no stream priority ", request.priority()));
  }
  absl::StatusOr<std::unique_ptr<Queue>> queue = device_->CreateQueue(options);
  if (!queue.ok()) return queue.status();
  auto stream = std::make_shared<Stream>();
  stream->queue = *std::move(queue);
  if (absl::Status status = streams_.Insert(request.stream(), std::move(stream)); !status.ok()) {
    return status;
  }
  counters_->AddStream();
  return DaemonMessage();
}

absl::StatusOr<DaemonMessage> Session::CreateEvent(const remote::v1::EventCreate& request) {
  if (absl::Status status = RequireAttached(); !status.ok()) return status;
  if (absl::Status status = events_.CheckFree(request.event()); !status.ok()) return status;
  absl::StatusOr<std::shared_ptr<Event>> event = device_->CreateEvent();
  if (!event.ok()) return event.status();
  auto entry = std::make_shared<TenantEvent>();
  entry->event = *std::move(event);
  if (absl::Status status = events_.Insert(request.event(), std::move(entry)); !status.ok()) {
    return status;
  }
  return DaemonMessage();
}

absl::StatusOr<DaemonMessage> Session::QueryStream(uint64_t handle) {
  absl::StatusOr<std::shared_ptr<Stream>> stream = streams_.Find(handle);
  if (!stream.ok()) return stream.status();
  bool idle = false;
  {
    std::lock_guard<std::mutex> lock((*stream)->mu);
    if (!(*stream)->failure.ok()) return (*stream)->failure;
    absl::StatusOr<bool> queue_idle = (*stream)->queue->IsIdle();
    if (!queue_idle.ok()) return queue_idle.status();
    idle = *queue_idle;
  }
  if (idle) notifier_->FlushCompleted();
  DaemonMessage answer;
  answer.mutable_stream_state()->set_idle(idle);
  return answer;
}

absl::StatusOr<DaemonMessage> Session::QueryEvent(uint64_t handle) {
  absl::StatusOr<std::shared_ptr<TenantEvent>> event = events_.Find(handle);
  if (!event.ok()) return event.status();
  bool signalled = false;
  if ((*event)->signalled) {
    absl::StatusOr<bool> complete = (*event)->event->IsComplete();
    if (!complete.ok()) return complete.status();
    signalled = *complete;
  }
  if (signalled) notifier_->FlushCompleted();
  DaemonMessage answer;
  answer.mutable_event_state()->set_signalled(signalled);
  return answer;
}

absl::StatusOr<DaemonMessage> Session::EventTimestamp(uint64_t handle) {
  absl::StatusOr<std::shared_ptr<TenantEvent>> event = events_.Find(handle);
  if (!event.ok()) return event.status();
  if (!(*event)->signalled) {
    return absl::FailedPreconditionError(absl::StrCat("event ", handle, " was never signalled"));
  }
  absl::StatusOr<uint64_t> ns = (*event)->event->TimestampNs();
  if (!ns.ok()) return ns.status();
  DaemonMessage answer;
  answer.mutable_event_time()->set_ns(*ns);
  return answer;
}

absl::StatusOr<DaemonMessage> Session::LoadModule(remote::v1::ModuleLoad& request) {
  if (absl::Status status = RequireAttached(); !status.ok()) return status;
  if (absl::Status status = modules_.CheckFree(request.module()); !status.ok()) return status;
  auto image = std::make_shared<ModuleImage>();
  image->format = request.format();
  image->data.assign(request.image().begin(), request.image().end());
  request.clear_image();
  if (absl::Status status =
          CheckModuleImage(*device_, *image, native_kernels_, virtual_device_->name());
      !status.ok()) {
    return status;
  }
  if (absl::Status status = modules_.Insert(request.module(), std::move(image)); !status.ok()) {
    return status;
  }
  return DaemonMessage();
}

absl::StatusOr<DaemonMessage> Session::GetKernel(const remote::v1::KernelGet& request) {
  if (absl::Status status = kernels_.CheckFree(request.kernel()); !status.ok()) return status;
  absl::StatusOr<std::shared_ptr<const ModuleImage>> module = modules_.Find(request.module());
  if (!module.ok()) return module.status();
  absl::StatusOr<std::shared_ptr<Kernel>> kernel =
      LoadModuleKernel(*device_, **module, request.name(), request.signature());
  if (!kernel.ok()) return kernel.status();
  if (absl::Status status = kernels_.Insert(request.kernel(), *std::move(kernel)); !status.ok()) {
    return status;
  }
  return DaemonMessage();
}

void Session::SynchronizeStream(uint64_t handle, Reply reply) {
  absl::StatusOr<std::shared_ptr<Stream>> found = streams_.Find(handle);
  if (!found.ok()) return reply(found.status());
  std::shared_ptr<Stream> stream = *std::move(found);
  // Already idle (a short dispatch's round trip): answered without a thread hop.
  // A recorded failure is answered only once the stream's later work is done
  // too: synchronize returns after all submitted work (hal_driver.h).
  if (std::unique_lock<std::mutex> lock(stream->mu, std::try_to_lock); lock.owns_lock()) {
    absl::StatusOr<bool> idle;
    remote::PollBriefly(
        [&] {
          idle = stream->queue->IsIdle();
          return !idle.ok() || *idle;
        },
        remote::kSynchronizePollBudget);
    if (!idle.ok() || *idle) {
      absl::Status status = !stream->failure.ok() ? stream->failure : idle.status();
      lock.unlock();
      notifier_->FlushCompleted();
      return reply(status.ok() ? absl::StatusOr<DaemonMessage>(DaemonMessage()) : status);
    }
  }
  RunBlocking([this, stream, reply = std::move(reply)] {
    absl::Status status;
    {
      std::lock_guard<std::mutex> lock(stream->mu);
      status = stream->queue->Synchronize();
      if (!stream->failure.ok()) status = stream->failure;
    }
    notifier_->FlushCompleted();
    reply(status.ok() ? absl::StatusOr<DaemonMessage>(DaemonMessage()) : status);
  });
}

void Session::SynchronizeEvent(uint64_t handle, Reply reply) {
  absl::StatusOr<std::shared_ptr<TenantEvent>> event = events_.Find(handle);
  if (!event.ok()) return reply(event.status());
  if (!(*event)->signalled) {
    return reply(absl::FailedPreconditionError(
        absl::StrCat("event ", handle, " was never signalled: nothing to wait for")));
  }
  RunBlocking([this, event = (*event)->event, reply = std::move(reply)] {
    absl::Status status = event->Wait();
    if (status.ok()) notifier_->FlushCompleted();
    reply(status.ok() ? absl::StatusOr<DaemonMessage>(DaemonMessage()) : status);
  });
}

void Session::DestroyStream(uint64_t handle, Reply reply) {
  absl::StatusOr<std::shared_ptr<Stream>> stream = streams_.Remove(handle);
  if (!stream.ok()) return reply(stream.status());
  counters_->RemoveStream();
  RunBlocking([this, stream = *std::move(stream), reply = std::move(reply)] {
    {
      std::lock_guard<std::mutex> lock(stream->mu);
      stream->queue.reset();  // waits for its work
    }
    notifier_->FlushCompleted();
    reply(DaemonMessage());
  });
}

}  // namespace hal::daemon
