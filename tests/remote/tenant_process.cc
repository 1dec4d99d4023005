#include "tests/remote/tenant_process.h"

#include "absl/strings/str_cat.h"
#include "tests/remote/remote_pool.h"

namespace hal::testing {

absl::StatusOr<std::unique_ptr<TenantProcess>> TenantProcess::Start(
    const std::string& endpoint, const std::string& virtual_device) {
  ChildProcess::Options options;
  options.argv = {HAL_REMOTE_TENANT_PATH, "--vd", virtual_device};
  options.environment = {{"HAL_REMOTE_ENDPOINT", endpoint}, {"HAL_REMOTE_TOKEN", kRemoteTestToken}};
  options.talk = true;
  auto process = ChildProcess::Start(options);
  if (!process.ok()) return process.status();
  std::unique_ptr<TenantProcess> tenant(new TenantProcess(*std::move(process)));
  auto ready = tenant->NextAnswer();
  if (!ready.ok()) return ready.status();
  if (*ready != "ready") {
    return absl::FailedPreconditionError(
        absl::StrCat("tenant of \"", virtual_device, "\" at ", endpoint, ": ", *ready));
  }
  return tenant;
}

absl::StatusOr<std::string> TenantProcess::Command(const std::string& line,
                                                   absl::Duration timeout) {
  if (absl::Status sent = process_->WriteLine(line); !sent.ok()) return sent;
  return NextAnswer(timeout);
}

absl::StatusOr<std::string> TenantProcess::NextAnswer(absl::Duration timeout) {
  return process_->ReadLine(timeout);
}

}  // namespace hal::testing
