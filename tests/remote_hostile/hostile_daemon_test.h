// The fixture of the hostile-peer tests: one hald per test suite (started by
// tests/remote's launcher on a temporary Unix socket and a TCP loopback port,
// serving two virtual devices of the CPU device), a bystander session that
// holds data through every test, and the check after each test that the
// daemon still serves a well-behaved tenant and that the bystander's data is
// intact. The suite ends with SIGTERM, which hald must answer by exiting 0.
#ifndef HAL_TESTS_REMOTE_HOSTILE_HOSTILE_DAEMON_TEST_H_
#define HAL_TESTS_REMOTE_HOSTILE_HOSTILE_DAEMON_TEST_H_

#include <cstdint>
#include <memory>
#include <string>

#include "backends/remote/protocol/endpoint.h"
#include "gtest/gtest.h"
#include "tests/remote/hald_process.h"
#include "tests/remote_hostile/raw_session.h"

namespace hal::testing {

// The virtual devices of the pool: "a" (the bystander's) and "b".
inline constexpr char kDeviceA[] = "a";
inline constexpr char kDeviceB[] = "b";
inline constexpr uint64_t kQuotaBytes = 16ull << 20;
// The bystander's buffer and stream handle, and its buffer's size.
inline constexpr uint64_t kBystanderBuffer = 1;
inline constexpr uint64_t kBystanderStream = 1;
inline constexpr uint64_t kBystanderBytes = 64 << 10;

class HostileDaemonTest : public ::testing::Test {
 public:
  static void SetUpTestSuite();
  static void TearDownTestSuite();

  // The daemon's Unix socket, and its TCP loopback listener (which the pool
  // file lets no one use: it has no "hald" object).
  static const remote::Endpoint& endpoint() { return endpoint_; }
  static const remote::Endpoint& tcp_endpoint() { return tcp_endpoint_; }
  static pid_t daemon_pid();
  // A connection to `endpoint` that sent nothing yet. Fails the test (and is
  // null) when it cannot connect.
  static std::unique_ptr<RawSession> Connect(const remote::Endpoint& endpoint);
  // A session of a well-behaved tenant on `virtual_device`, with a buffer
  // (handle 1, `bytes` long) and a stream (handle 1). Fails the test if the
  // daemon does not serve it.
  static std::unique_ptr<RawSession> OpenTenant(const std::string& virtual_device,
                                                uint64_t bytes = 4096);

 protected:
  void SetUp() override;
  void TearDown() override;

 private:
  static std::unique_ptr<HaldProcess> hald_;
  static remote::Endpoint endpoint_;
  static remote::Endpoint tcp_endpoint_;
  std::unique_ptr<RawSession> bystander_;
};

}  // namespace hal::testing

#endif  // HAL_TESTS_REMOTE_HOSTILE_HOSTILE_DAEMON_TEST_H_
