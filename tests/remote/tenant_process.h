// A hal_remote_tenant process (remote_tenant.cc) attached to one virtual
// device of a hald, driven by its line commands.
#ifndef HAL_TESTS_REMOTE_TENANT_PROCESS_H_
#define HAL_TESTS_REMOTE_TENANT_PROCESS_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "tests/remote/child_process.h"

namespace hal::testing {

class TenantProcess {
 public:
  // Starts a tenant of `virtual_device` at `endpoint` and waits for it to be
  // ready: FailedPrecondition with its error line when it could not attach.
  static absl::StatusOr<std::unique_ptr<TenantProcess>> Start(const std::string& endpoint,
                                                              const std::string& virtual_device);

  // Sends one command line; its one-line answer.
  absl::StatusOr<std::string> Command(const std::string& line,
                                      absl::Duration timeout = absl::Seconds(60));
  // The next answer line, for commands answered twice (saturate).
  absl::StatusOr<std::string> NextAnswer(absl::Duration timeout = absl::Seconds(60));
  ChildProcess& process() { return *process_; }

 private:
  explicit TenantProcess(std::unique_ptr<ChildProcess> process) : process_(std::move(process)) {}
  std::unique_ptr<ChildProcess> process_;
};

}  // namespace hal::testing

#endif  // HAL_TESTS_REMOTE_TENANT_PROCESS_H_
