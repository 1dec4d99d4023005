#include "daemon/tests/daemon_fixture.h"

#include <stdlib.h>

#include <chrono>
#include <filesystem>
#include <fstream>

#include "absl/strings/str_cat.h"
#include "backends/remote/protocol/status_codec.h"
#include "backends/remote/protocol/wire_version.h"
#include "daemon/access_policy.h"

namespace hal::daemon::testing {

std::string DefaultPoolFile() {
  return absl::StrCat(R"({
  "pool": {"devices": ["cpu:0"]},
  "virtual_devices": [{"name": "a", "memory_quota": "64MiB", "compute_share": 0.5},
                      {"name": "b", "memory_quota": "16MiB", "compute_share": 0.5}],
  "hald": {"access": [{"virtual_devices": ["a"], "tokens_sha256": [")",
                      kSecretDigest, R"("]}],
           "native_kernels": ["a"]}
})");
}

TempFolder::TempFolder() {
  std::string pattern = (std::filesystem::temp_directory_path() / "hald_test_XXXXXX").string();
  if (mkdtemp(pattern.data()) != nullptr) path_ = pattern;
}

TempFolder::~TempFolder() {
  std::error_code ignored;
  if (!path_.empty()) std::filesystem::remove_all(path_, ignored);
}

std::string TempFolder::Write(const std::string& name, const std::string& contents) const {
  const std::string path = path_ + "/" + name;
  std::ofstream(path) << contents;
  return path;
}

std::unique_ptr<Runtime> CpuRuntime() {
  setenv("HAL_REMOTE_ENDPOINT", "none", 1);
  RuntimeOptions options;
  options.driver_paths = {HAL_TEST_CPU_DRIVER_MANIFEST_DIR};
  options.use_driver_path_env = false;
  options.use_default_driver_path = false;
  options.selector = "cpu:*";
  absl::StatusOr<std::unique_ptr<Runtime>> runtime = Runtime::Create(options);
  return runtime.ok() ? *std::move(runtime) : nullptr;
}

absl::StatusOr<std::unique_ptr<TestClient>> TestClient::Connect(const remote::Endpoint& endpoint) {
  absl::StatusOr<remote::UniqueFd> socket = remote::Connect(endpoint, absl::Seconds(5));
  if (!socket.ok()) return socket.status();
  return std::unique_ptr<TestClient>(
      new TestClient(std::make_unique<remote::Channel>(*std::move(socket))));
}

absl::StatusOr<DaemonMessage> TestClient::Hello(const std::string& token, uint32_t major) {
  ClientMessage hello;
  hello.mutable_hello()->set_protocol_major(major == 0 ? remote::kProtocolMajor : major);
  hello.mutable_hello()->set_protocol_minor(remote::kProtocolMinor);
  hello.mutable_hello()->set_client("hal_daemon_tests");
  hello.mutable_hello()->set_token(token);
  return Request(std::move(hello));
}

absl::StatusOr<DaemonMessage> TestClient::Request(ClientMessage message, int fd) {
  const uint64_t id = next_request_++;
  message.set_request_id(id);
  if (absl::Status status = channel_->Send(message, fd); !status.ok()) return status;
  while (true) {
    DaemonMessage answer;
    if (absl::Status status = channel_->ReceiveDaemonMessage(&answer); !status.ok()) return status;
    if (answer.request_id() == id) return answer;
    if (answer.request_id() == 0) async_.push_back(std::move(answer));
  }
}

absl::Status TestClient::Call(ClientMessage message, int fd) {
  absl::StatusOr<DaemonMessage> answer = Request(std::move(message), fd);
  if (!answer.ok()) return answer.status();
  return remote::FromWire(answer->status());
}

absl::Status TestClient::SendOneWay(ClientMessage message) {
  message.set_request_id(0);
  return channel_->Send(message);
}

absl::StatusOr<DaemonMessage> TestClient::NextAsync() {
  if (!async_.empty()) {
    DaemonMessage message = std::move(async_.front());
    async_.pop_front();
    return message;
  }
  DaemonMessage message;
  if (absl::Status status = channel_->ReceiveDaemonMessage(&message); !status.ok()) return status;
  return message;
}

absl::Status TestClient::Open(const std::string& virtual_device, const std::string& token) {
  absl::StatusOr<DaemonMessage> welcome = Hello(token);
  if (!welcome.ok()) return welcome.status();
  if (absl::Status status = remote::FromWire(welcome->status()); !status.ok()) return status;
  return Call(AttachMessage(virtual_device));
}

void DaemonTest::SetUp() {
  ASSERT_FALSE(folder_.path().empty()) << "no temporary folder";
  runtime_ = CpuRuntime();
  ASSERT_NE(runtime_, nullptr);
  if (runtime_->devices().empty()) GTEST_SKIP() << "the CPU driver of the build tree is absent";
}

void DaemonTest::StartServer(const std::string& pool_file, const SessionLimits& limits) {
  pool_path_ = folder_.Write("pool.json", pool_file);
  absl::StatusOr<std::unique_ptr<Pool>> pool = Pool::FromFile(*runtime_, pool_path_);
  ASSERT_TRUE(pool.ok()) << pool.status();
  pool_ = *std::move(pool);
  absl::StatusOr<AccessPolicy> policy = AccessPolicy::FromPoolFile(pool_path_);
  ASSERT_TRUE(policy.ok()) << policy.status();
  absl::StatusOr<remote::Endpoint> unix_socket =
      remote::ParseEndpoint(absl::StrCat("unix:", folder_.path(), "/hald.sock"));
  absl::StatusOr<remote::Endpoint> tcp = remote::ParseEndpoint("tcp://127.0.0.1:0");
  ASSERT_TRUE(unix_socket.ok() && tcp.ok());
  absl::StatusOr<std::unique_ptr<Server>> server =
      Server::Create(*runtime_, *pool_, pool_path_, *std::move(policy), {*unix_socket, *tcp});
  ASSERT_TRUE(server.ok()) << server.status();
  server_ = *std::move(server);
  server_->context().limits() = limits;
  serving_ = std::thread([this] { ASSERT_TRUE(server_->Run().ok()); });
}

void DaemonTest::TearDown() {
  if (server_ != nullptr) {
    server_->Stop();
    serving_.join();
    server_.reset();
  }
  pool_.reset();
  runtime_.reset();
}

std::unique_ptr<TestClient> DaemonTest::Client(const remote::Endpoint& endpoint) {
  absl::StatusOr<std::unique_ptr<TestClient>> client = TestClient::Connect(endpoint);
  EXPECT_TRUE(client.ok()) << client.status();
  return client.ok() ? *std::move(client) : nullptr;
}

std::unique_ptr<TestClient> DaemonTest::Attached(const std::string& virtual_device) {
  std::unique_ptr<TestClient> client = Client(unix_endpoint());
  if (client == nullptr) return nullptr;
  absl::Status status = client->Open(virtual_device);
  EXPECT_TRUE(status.ok()) << status;
  return status.ok() ? std::move(client) : nullptr;
}

bool DaemonTest::WaitForNoSessions() {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (std::chrono::steady_clock::now() < deadline) {
    if (server_->context().sessions().Snapshot().empty()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return false;
}

ClientMessage ListDevicesMessage() {
  ClientMessage message;
  message.mutable_list_devices();
  return message;
}

ClientMessage AttachMessage(const std::string& virtual_device) {
  ClientMessage message;
  message.mutable_attach()->set_virtual_device(virtual_device);
  return message;
}

ClientMessage AllocateMessage(uint64_t buffer, uint64_t size) {
  ClientMessage message;
  message.mutable_buffer_allocate()->set_buffer(buffer);
  message.mutable_buffer_allocate()->set_size(size);
  return message;
}

ClientMessage StreamCreateMessage(uint64_t stream) {
  ClientMessage message;
  message.mutable_stream_create()->set_stream(stream);
  return message;
}

ClientMessage FillMessage(uint64_t stream, uint64_t buffer, uint64_t size, uint32_t pattern) {
  ClientMessage message;
  remote::v1::Fill& fill = *message.mutable_fill();
  fill.set_stream(stream);
  fill.set_dst(buffer);
  fill.set_size(size);
  fill.set_pattern(pattern);
  return message;
}

ClientMessage SynchronizeMessage(uint64_t stream) {
  ClientMessage message;
  message.mutable_stream_synchronize()->set_stream(stream);
  return message;
}

ClientMessage DownloadMessage(uint64_t stream, uint64_t buffer, uint64_t size, uint64_t download) {
  ClientMessage message;
  remote::v1::CopyDeviceToHost& copy = *message.mutable_copy_device_to_host();
  copy.set_stream(stream);
  copy.set_src(buffer);
  copy.set_size(size);
  copy.set_download(download);
  return message;
}

}  // namespace hal::daemon::testing
