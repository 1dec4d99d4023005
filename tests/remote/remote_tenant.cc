// hal_remote_tenant: one tenant process of hald for the remote tests. It opens
// the remote device serving virtual device --vd (HAL_REMOTE_ENDPOINT names
// hald), which is one session, and then obeys line commands on stdin,
// answering each on stdout with one line (tests/remote/tenant.h drives it):
//
//   alloc SIZE             ok ALLOCATED_SIZE | refused CODE MESSAGE (kept)
//   alloc-staging SIZE     the same for a host-staging buffer
//   free-all               ok, once the daemon has the frees
//   drop-all               ok, once the buffers are freed here (no request follows)
//   churn                  started, then allocates and frees until killed
//   dispatch-forever N     started, then gemms of size N, 8 in flight, until killed
//   workload SEED STEPS    ok | error STATUS (tests/tenant_workload.h against its model)
//   saturate N SECONDS     set; then, on "go": gemms keeping the queue busy for
//                          SECONDS, synchronized: done COMPLETED
//   exit                   bye (also at end of input)
//
// Startup prints "ready", or "error STATUS" and exits 1.
#include <iostream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "CLI/CLI.hpp"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/time/clock.h"
#include "bench/compute_share.h"
#include "hal/hal.h"
#include "tests/tenant_workload.h"

namespace hal {
namespace {

// One line, whatever the message holds.
std::string OneLine(const absl::Status& status) {
  return absl::StrReplaceAll(status.ToString(), {{"\n", " | "}});
}

void Answer(const std::string& line) { std::cout << line << std::endl; }

class Tenant {
 public:
  static absl::StatusOr<std::unique_ptr<Tenant>> Open(const std::string& virtual_device,
                                                      const std::string& bundle_path) {
    std::unique_ptr<Tenant> tenant(new Tenant());
    tenant->name_ = virtual_device;
    RuntimeOptions options;
    options.selector = "remote";
    HAL_ASSIGN_OR_RETURN(tenant->runtime_, Runtime::Create(options));
    std::vector<std::string> found;
    // hald names a device "<virtual device> on <physical device's name>".
    for (const PhysicalDevice* device : tenant->runtime_->devices()) {
      found.push_back(absl::StrCat(device->id(), " \"", device->properties().name, "\""));
      if (absl::StartsWith(device->properties().name, virtual_device + " on ")) {
        HAL_ASSIGN_OR_RETURN(tenant->device_, device->Open());
      }
    }
    if (tenant->device_ == nullptr) {
      return absl::NotFoundError(absl::StrCat("no remote device serves virtual device \"",
                                              virtual_device,
                                              "\"; found: ", absl::StrJoin(found, ", ")));
    }
    HAL_ASSIGN_OR_RETURN(KernelBundle bundle, KernelBundle::ReadFile(bundle_path));
    tenant->bundle_ = std::make_unique<KernelBundle>(std::move(bundle));
    return tenant;
  }

  ~Tenant() {
    // Objects go before the device, the device before the runtime.
    buffers_.clear();
    bundle_.reset();
    device_.reset();
    runtime_.reset();
  }

  // Obeys one command; false when it was "exit".
  bool Obey(const std::string& line) {
    std::istringstream words(line);
    std::string command;
    words >> command;
    if (command == "alloc" || command == "alloc-staging") {
      uint64_t size = 0;
      words >> size;
      Allocate(size, command == "alloc" ? BufferKind::kDevice : BufferKind::kHostStaging);
    } else if (command == "free-all") {
      FreeAll();
    } else if (command == "drop-all") {
      buffers_.clear();
      Answer("ok");
    } else if (command == "churn") {
      Churn();
    } else if (command == "dispatch-forever") {
      uint32_t n = 0;
      words >> n;
      DispatchForever(n);
    } else if (command == "workload") {
      uint32_t seed = 0;
      int steps = 0;
      words >> seed >> steps;
      testing::TenantWorkload workload(device_, name_, *bundle_, seed);
      const absl::Status result = workload.Run(steps);
      Answer(result.ok() ? "ok" : "error " + OneLine(result));
    } else if (command == "saturate") {
      uint32_t n = 0;
      double seconds = 0;
      words >> n >> seconds;
      Saturate(n, seconds);
    } else if (command == "exit") {
      Answer("bye");
      return false;
    } else {
      Answer("error unknown command \"" + line + "\"");
    }
    return true;
  }

 private:
  Tenant() = default;

  void Allocate(uint64_t size, BufferKind kind) {
    auto buffer = device_->Allocate(size, kind);
    if (!buffer.ok()) {
      Answer(absl::StrCat("refused ", absl::StatusCodeToString(buffer.status().code()), " ",
                          OneLine(buffer.status())));
      return;
    }
    Answer(absl::StrCat("ok ", (*buffer)->allocated_size()));
    buffers_.push_back(*std::move(buffer));
  }

  // The remote driver batches frees (one-way messages) until its next request
  // that needs an answer: a queue's synchronization sends them, so the
  // charges are back when this answers.
  void FreeAll() {
    buffers_.clear();
    auto queue = device_->CreateQueue();
    const absl::Status sent = queue.ok() ? (*queue)->Synchronize() : queue.status();
    Answer(sent.ok() ? "ok" : "error " + OneLine(sent));
  }

  // Allocates and frees random sizes (refusals included) until killed, so the
  // kill lands in the middle of an allocation or a free.
  [[noreturn]] void Churn() {
    const uint64_t quota = device_->physical_device().properties().memory_bytes;
    const uint64_t largest = std::max<uint64_t>(quota / 4, 4096);
    std::mt19937_64 random(7);
    Answer("started");
    while (true) {
      if (buffers_.size() >= 8) buffers_.erase(buffers_.begin() + random() % buffers_.size());
      auto buffer = device_->Allocate(1 + random() % largest);
      if (buffer.ok()) buffers_.push_back(*std::move(buffer));
    }
  }

  // Gemms with up to 8 in flight until killed, so the kill lands while the
  // daemon runs this session's kernels.
  [[noreturn]] void DispatchForever(uint32_t n) {
    auto queue = device_->CreateQueue();
    auto gemm = queue.ok() ? share::Gemm::Create(*device_, *bundle_, n) : queue.status();
    absl::Status status = gemm.status();
    for (bool first = true; status.ok(); first = false) {
      for (int i = 0; i < 8 && status.ok(); ++i) status = gemm->Dispatch(**queue);
      if (first) Answer("started");
      if (status.ok()) status = (*queue)->Synchronize();
    }
    Answer("error " + OneLine(status));
    std::exit(2);
  }

  // A saturating tenant of a contended run (bench/compute_share.h's Saturate,
  // across processes): set up, wait for "go", keep the queue busy until the
  // time is up, then synchronize. Stream commands are one-way messages that
  // the socket buffers, so a tenant dispatching without waiting would queue
  // thousands of kernels that complete long after its time: at most two
  // bursts are in flight, the older one waited for (through its event)
  // before the next goes, so the daemon's gate, not the socket's buffer,
  // holds back a tenant past its share.
  void Saturate(uint32_t n, double seconds) {
    constexpr int kBurst = 8;
    auto queue = device_->CreateQueue();
    auto gemm = queue.ok() ? share::Gemm::Create(*device_, *bundle_, n) : queue.status();
    absl::StatusOr<std::shared_ptr<Event>> bursts_done[2] = {device_->CreateEvent(),
                                                             device_->CreateEvent()};
    for (const auto& event : bursts_done) {
      if (gemm.ok() && !event.ok()) gemm = event.status();
    }
    if (!gemm.ok()) {
      Answer("error " + OneLine(gemm.status()));
      return;
    }
    Answer("set");
    std::string go;
    if (!std::getline(std::cin, go) || go != "go") {
      Answer("error expected \"go\", got \"" + go + "\"");
      return;
    }
    const absl::Time end = absl::Now() + absl::Seconds(seconds);
    uint64_t completed = 0;
    absl::Status status;
    for (int burst = 0; status.ok() && absl::Now() < end; ++burst) {
      Event& done = **bursts_done[burst % 2];
      if (burst >= 2) status = done.Wait();  // the burst before last
      for (int i = 0; i < kBurst && status.ok(); ++i) status = gemm->Dispatch(**queue);
      if (status.ok()) status = (*queue)->Signal(done);
      if (status.ok()) completed += kBurst;
    }
    if (status.ok()) status = (*queue)->Synchronize();
    Answer(status.ok() ? absl::StrCat("done ", completed) : "error " + OneLine(status));
  }

  std::string name_;
  std::unique_ptr<Runtime> runtime_;
  std::shared_ptr<Device> device_;
  std::unique_ptr<KernelBundle> bundle_;
  std::vector<std::shared_ptr<Buffer>> buffers_;
};

}  // namespace
}  // namespace hal

int main(int argc, char** argv) {
  CLI::App app{"One tenant process of hald for the remote tests (tests/remote)."};
  std::string virtual_device;
  std::string bundle = HAL_TEST_STANDARD_BUNDLE;
  app.add_option("--vd", virtual_device, "The virtual device to attach to")->required();
  app.add_option("--bundle", bundle, "The kernel bundle")->capture_default_str();
  CLI11_PARSE(app, argc, argv);

  auto tenant = hal::Tenant::Open(virtual_device, bundle);
  if (!tenant.ok()) {
    hal::Answer("error " + hal::OneLine(tenant.status()));
    return 1;
  }
  hal::Answer("ready");
  std::string line;
  while (std::getline(std::cin, line) && (*tenant)->Obey(line)) {
  }
  return 0;
}
