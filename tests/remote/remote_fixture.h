// A hald of the build tree for one test, serving a pool file the test
// writes, and tenant processes (hal_remote_tenant) attached to its virtual
// devices. At the end of the test hald gets SIGTERM and must exit 0.
#ifndef HAL_TESTS_REMOTE_REMOTE_FIXTURE_H_
#define HAL_TESTS_REMOTE_REMOTE_FIXTURE_H_

#include <memory>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "gtest/gtest.h"
#include "tests/remote/hald_process.h"
#include "tests/remote/pool_status_query.h"
#include "tests/remote/remote_pool.h"
#include "tests/remote/tenant_process.h"

namespace hal::testing {

class RemoteTest : public ::testing::Test {
 protected:
  void TearDown() override {
    if (hald_ == nullptr) return;
    const absl::Status stopped = hald_->StopCleanly();
    EXPECT_TRUE(stopped.ok()) << stopped;
  }

  // Starts hald on cpu:0 (alone: HAL_DEVICE_SELECTOR keeps it from opening
  // other drivers) with a Unix socket and TCP loopback.
  void StartHald(const std::vector<ServedVirtualDevice>& virtual_devices,
                 nlohmann::json pool_options = nlohmann::json::object()) {
    HaldProcess::Options options;
    options.hald = HAL_TEST_HALD_PATH;
    options.pool_json = RemotePoolJson({"cpu:0"}, virtual_devices, std::move(pool_options));
    options.listen_tcp = true;
    options.environment = {{"HAL_DEVICE_SELECTOR", "cpu:0"}};
    auto hald = HaldProcess::Start(options);
    ASSERT_TRUE(hald.ok()) << hald.status();
    hald_ = *std::move(hald);
  }

  // A tenant of `virtual_device` over the Unix socket or TCP; null (with a
  // test failure) if it could not attach.
  std::unique_ptr<TenantProcess> StartTenant(const std::string& virtual_device, bool tcp = false) {
    auto tenant =
        TenantProcess::Start(tcp ? hald_->tcp_endpoint() : hald_->unix_endpoint(), virtual_device);
    EXPECT_TRUE(tenant.ok()) << tenant.status() << "\nhald's log:\n" << hald_->LogTail();
    return tenant.ok() ? *std::move(tenant) : nullptr;
  }

  // What hald says of `virtual_device` now.
  absl::StatusOr<remote::v1::VirtualDeviceStatus> StatusOf(const std::string& virtual_device) {
    auto status = QueryPoolStatus(hald_->unix_endpoint());
    if (!status.ok()) return status.status();
    return VirtualDeviceOf(*status, virtual_device);
  }

  // The allocated size an "alloc" answer reports; 0 (with a test failure)
  // for any other answer.
  static uint64_t AllocatedSize(const absl::StatusOr<std::string>& answer) {
    uint64_t size = 0;
    const bool ok = answer.ok() && absl::StartsWith(*answer, "ok ") &&
                    absl::SimpleAtoi(answer->substr(3), &size);
    EXPECT_TRUE(ok) << (answer.ok() ? *answer : answer.status().ToString());
    return ok ? size : 0;
  }

  std::unique_ptr<HaldProcess> hald_;
};

}  // namespace hal::testing

#endif  // HAL_TESTS_REMOTE_REMOTE_FIXTURE_H_
