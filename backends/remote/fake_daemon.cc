#include "backends/remote/fake_daemon.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <filesystem>
#include <map>
#include <optional>

#include "backends/remote/protocol/endpoint.h"
#include "backends/remote/protocol/shared_memory.h"
#include "backends/remote/protocol/status_codec.h"
#include "backends/remote/protocol/wire_version.h"
#include "gtest/gtest.h"

namespace hal::remote::testing {

DaemonMessage WelcomeMessage(uint64_t session, uint32_t minor) {
  DaemonMessage message;
  v1::Welcome& welcome = *message.mutable_welcome();
  welcome.set_protocol_major(kProtocolMajor);
  welcome.set_protocol_minor(minor);
  welcome.set_daemon("fake hald");
  welcome.set_session(session);
  welcome.set_max_frame_bytes(kMaxFrameBytes);
  return message;
}

DaemonMessage ErrorAnswer(const ClientMessage& request, absl::StatusCode code,
                          const std::string& message) {
  DaemonMessage answer;
  answer.set_request_id(request.request_id());
  *answer.mutable_status() = ToWire(absl::Status(code, message));
  return answer;
}

ClientMessage FakePeer::Next(UniqueFd* fd) {
  ClientMessage message;
  const absl::Status status = Receive(&message, fd);
  EXPECT_TRUE(status.ok()) << status;
  return message;
}

void FakePeer::Send(const DaemonMessage& message) {
  // The client may be gone already in tests of a lost connection.
  channel_.Send(message).IgnoreError();
}

void FakePeer::Answer(const ClientMessage& request, DaemonMessage answer) {
  answer.set_request_id(request.request_id());
  Send(answer);
}

std::pair<UniqueFd, std::unique_ptr<FakePeer>> ConnectedPair() {
  int fds[2] = {-1, -1};
  EXPECT_EQ(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds), 0);
  return {UniqueFd(fds[0]), std::make_unique<FakePeer>(UniqueFd(fds[1]))};
}

// --- FakeDaemon ---

FakeDaemon::FakeDaemon(Serve serve) : serve_(std::move(serve)) {
  std::string pattern = "/tmp/hal-remote-XXXXXX";
  EXPECT_NE(mkdtemp(pattern.data()), nullptr);
  folder_ = pattern;
  endpoint_ = "unix:" + folder_ + "/hald.sock";
  absl::StatusOr<UniqueFd> listener = Listen(*ParseEndpoint(endpoint_));
  EXPECT_TRUE(listener.ok()) << listener.status();
  if (listener.ok()) listener_ = *std::move(listener);
  EXPECT_EQ(pipe2(wake_pipe_, O_CLOEXEC), 0);
  acceptor_ = std::thread([this] { AcceptLoop(); });
}

FakeDaemon::~FakeDaemon() {
  (void)!write(wake_pipe_[1], "x", 1);
  acceptor_.join();
  CloseConnections();
  for (std::thread& thread : threads_) thread.join();
  close(wake_pipe_[0]);
  close(wake_pipe_[1]);
  std::error_code ignored;
  std::filesystem::remove_all(folder_, ignored);
}

int FakeDaemon::connections() const {
  std::lock_guard lock(mutex_);
  return static_cast<int>(peers_.size());
}

void FakeDaemon::CloseConnections() {
  std::lock_guard lock(mutex_);
  for (const std::shared_ptr<FakePeer>& peer : peers_) peer->Close();
}

void FakeDaemon::AcceptLoop() {
  for (;;) {
    pollfd fds[2] = {{listener_.get(), POLLIN, 0}, {wake_pipe_[0], POLLIN, 0}};
    if (poll(fds, 2, -1) < 0) continue;
    if (fds[1].revents != 0) return;
    const int socket = accept4(listener_.get(), nullptr, nullptr, SOCK_CLOEXEC);
    if (socket < 0) continue;
    auto peer = std::make_shared<FakePeer>(UniqueFd(socket));
    std::lock_guard lock(mutex_);
    peers_.push_back(peer);
    threads_.emplace_back([this, peer] { serve_(*peer); });
  }
}

// --- ServeDevices: a small daemon over host memory ---

namespace {

v1::DeviceProperties FakeDeviceProperties(const std::string& name) {
  v1::DeviceProperties props;
  props.set_name(name + " on fake");
  props.set_vendor("fake");
  props.set_uuid(std::string(16, static_cast<char>(name.size())));
  props.set_device_type(HAL_DEVICE_TYPE_CPU);
  props.set_total_memory_bytes(uint64_t{1} << 30);
  props.set_compute_units(4);
  // Every bit: the driver must keep only those it implements.
  props.set_capabilities(0xffffffffu);
  props.set_kernel_formats("fake-image");
  for (int i = 0; i < 3; ++i) props.add_max_workgroup_size(i == 0 ? 1024 : 1);
  props.set_max_workgroup_invocations(1024);
  for (int i = 0; i < 3; ++i) props.add_max_workgroup_count(65535);
  props.set_min_buffer_alignment(64);
  props.set_binding_offset_alignment(16);
  props.set_allocation_granularity(64);
  props.set_timestamp_resolution_ns(1);
  props.set_virtual_device(name);
  // Listed, never taken: BufferAllocate answers `shared` false, as a hald
  // whose pool turned overcommitted after the listing would.
  props.set_shared_device_memory(true);
  return props;
}

// One session of ServeDevices: buffers are host vectors and every command
// runs when it arrives, so its DownloadComplete or ShmReleased goes out
// before the answer to any later request.
class MemorySession {
 public:
  MemorySession(FakePeer& peer, const std::vector<std::string>& devices, uint32_t minor)
      : peer_(peer), devices_(devices), minor_(minor) {}

  void Run() {
    for (;;) {
      ClientMessage message;
      UniqueFd fd;
      if (!peer_.Receive(&message, &fd).ok()) return;
      for (const ClientMessage& command : message.batch()) Execute(command);
      if (message.body_case() == ClientMessage::BODY_NOT_SET) continue;
      if (message.request_id() == 0) {
        Execute(message);
      } else {
        peer_.Answer(message, Respond(message, std::move(fd)));
      }
    }
  }

 private:
  std::vector<uint8_t>& BufferOf(uint64_t handle) { return buffers_[handle]; }

  DaemonMessage Respond(const ClientMessage& request, UniqueFd fd) {
    DaemonMessage answer;
    switch (request.body_case()) {
      case ClientMessage::kHello:
        return WelcomeMessage(1, minor_);
      case ClientMessage::kListDevices:
        for (const std::string& name : devices_) {
          *answer.mutable_device_list()->add_devices() = FakeDeviceProperties(name);
        }
        break;
      case ClientMessage::kShmAttach: {
        absl::StatusOr<SharedMemory> memory =
            SharedMemory::Map(std::move(fd), request.shm_attach().size());
        if (!memory.ok()) return ErrorAnswer(request, memory.status().code(), "bad shm");
        shared_memory_.emplace(*std::move(memory));
        break;
      }
      case ClientMessage::kAttach:
        answer.mutable_attached()->set_partition_units(4);
        break;
      case ClientMessage::kMemoryInfo:
        answer.mutable_memory_info()->set_free_bytes(uint64_t{1} << 29);
        answer.mutable_memory_info()->set_total_bytes(uint64_t{1} << 30);
        break;
      case ClientMessage::kBufferAllocate: {
        const uint64_t size = request.buffer_allocate().size();
        BufferOf(request.buffer_allocate().buffer()).assign(size, 0);
        answer.mutable_buffer_allocated()->set_allocated_size((size + 63) / 64 * 64);
        break;
      }
      case ClientMessage::kBufferDeviceAddress: {
        // The vector's address, which a test can tell from any other; a
        // buffer of 0 bytes has none, and gets an answer without one.
        const std::vector<uint8_t>& buffer = BufferOf(request.buffer_device_address().buffer());
        answer.mutable_buffer_address()->set_address(reinterpret_cast<uintptr_t>(buffer.data()));
        break;
      }
      case ClientMessage::kStreamQuery:
        answer.mutable_stream_state()->set_idle(true);
        break;
      case ClientMessage::kEventQuery:
        answer.mutable_event_state()->set_signalled(true);
        break;
      case ClientMessage::kEventTimestamp:
        answer.mutable_event_time()->set_ns(12345);
        break;
      default:  // created, waited for, destroyed: nothing to say
        break;
    }
    return answer;
  }

  void Execute(const ClientMessage& command) {
    switch (command.body_case()) {
      case ClientMessage::kCopyHostToDevice: {
        const v1::CopyHostToDevice& copy = command.copy_host_to_device();
        const uint8_t* source = nullptr;
        if (copy.has_shm()) {
          source = shared_memory_->Range(copy.shm())->data();
        } else {
          source = reinterpret_cast<const uint8_t*>(copy.inline_data().data());
        }
        std::memcpy(BufferOf(copy.dst()).data() + copy.dst_offset(), source, copy.size());
        if (copy.has_shm()) {
          DaemonMessage released;
          *released.mutable_shm_released()->mutable_range() = copy.shm();
          peer_.Send(released);
        }
        break;
      }
      case ClientMessage::kCopyDeviceToHost: {
        const v1::CopyDeviceToHost& copy = command.copy_device_to_host();
        const uint8_t* source = BufferOf(copy.src()).data() + copy.src_offset();
        DaemonMessage complete;
        complete.mutable_download_complete()->set_download(copy.download());
        if (copy.has_shm()) {
          std::memcpy(shared_memory_->Range(copy.shm())->data(), source, copy.size());
          *complete.mutable_download_complete()->mutable_shm() = copy.shm();
        } else {
          complete.mutable_download_complete()->set_inline_data(source, copy.size());
        }
        peer_.Send(complete);
        break;
      }
      case ClientMessage::kCopyBuffer: {
        const v1::CopyBuffer& copy = command.copy_buffer();
        std::memmove(BufferOf(copy.dst()).data() + copy.dst_offset(),
                     BufferOf(copy.src()).data() + copy.src_offset(), copy.size());
        break;
      }
      case ClientMessage::kFill: {
        const v1::Fill& fill = command.fill();
        uint8_t* target = BufferOf(fill.dst()).data() + fill.offset();
        const uint32_t pattern = fill.pattern();
        for (uint64_t i = 0; i < fill.size(); i += 4) std::memcpy(target + i, &pattern, 4);
        break;
      }
      case ClientMessage::kDispatch: {
        const uint64_t groups = WorkgroupsOf(command.dispatch());
        for (const v1::Binding& binding : command.dispatch().bindings()) {
          std::vector<uint8_t>& buffer = BufferOf(binding.buffer());
          for (size_t i = binding.offset(); i < buffer.size(); ++i) buffer[i] += groups;
        }
        break;
      }
      case ClientMessage::kBufferFree:
        buffers_.erase(command.buffer_free().buffer());
        break;
      default:
        break;
    }
  }

  // The grid's size as a daemon of protocol 1.minor_ reads it.
  uint64_t WorkgroupsOf(const v1::Dispatch& dispatch) const {
    std::array<uint32_t, 3> count{0, 0, 0};
    if (minor_ >= kDispatchGridScalarsMinor) {
      count = WorkgroupCountOf(dispatch);
    } else if (dispatch.workgroup_count_size() == 3) {
      count = {dispatch.workgroup_count(0), dispatch.workgroup_count(1),
               dispatch.workgroup_count(2)};
    }
    return uint64_t{count[0]} * count[1] * count[2];
  }

  FakePeer& peer_;
  const std::vector<std::string>& devices_;
  const uint32_t minor_;
  std::map<uint64_t, std::vector<uint8_t>> buffers_;
  std::optional<SharedMemory> shared_memory_;
};

}  // namespace

FakeDaemon::Serve ServeDevices(std::vector<std::string> devices, uint32_t minor) {
  return [devices = std::move(devices), minor](FakePeer& peer) {
    MemorySession(peer, devices, minor).Run();
  };
}

}  // namespace hal::remote::testing
