// hald: the node daemon that owns the runtime and a pool and serves its
// virtual devices to tenant processes (Unix socket) and other nodes (TCP).
// docs/operator-guide.md is its manual.
#include <signal.h>
#include <sys/signalfd.h>

#include <cstdint>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "CLI/CLI.hpp"
#include "backends/remote/protocol/endpoint.h"
#include "backends/remote/protocol/wire_version.h"
#include "daemon/access_policy.h"
#include "daemon/metrics_exporter.h"
#include "daemon/server.h"
#include "hal/runtime.h"
#include "hal/virtual_device.h"

namespace {

constexpr int kExitOk = 0;
constexpr int kExitError = 1;

int Fail(absl::string_view what) {
  std::cerr << "hald: " << what << "\n";
  return kExitError;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "hald: serves a pool's virtual devices to tenant processes (Unix socket) and other nodes "
      "(TCP); tenants use them through the remote driver (HAL_REMOTE_ENDPOINT, devices "
      "remote:N).\n"
      "Signals: SIGTERM/SIGINT close every session and exit 0; SIGHUP re-reads the pool file "
      "(access rules replaced, virtual devices added; changed or removed ones are kept).\n"
      "Exit codes: 0 stopped by a signal; 1 usage error, or the pool file or an endpoint "
      "could not be used."};
  std::string pool_file;
  std::vector<std::string> listen;
  std::string metrics;
  uint64_t registered_shm_bytes = hal::daemon::SessionLimits{}.registered_shared_memory_bytes;
  uint64_t registered_shm_bytes_per_session =
      hal::daemon::SessionLimits{}.registered_shared_memory_bytes_per_session;
  bool version = false;
  app.add_option("--pool", pool_file,
                 "Pool description file (JSON, docs/virtual-devices.md) with its \"hald\" access "
                 "rules (docs/operator-guide.md)")
      ->type_name("FILE");
  app.add_option("--listen", listen,
                 "Endpoint to serve: unix:/ABS/PATH or tcp://HOST:PORT (port 0: any free port); "
                 "repeatable")
      ->type_name("ENDPOINT");
  app.add_option("--metrics", metrics, "Serve Prometheus metrics at http://HOST:PORT/metrics")
      ->type_name("HOST:PORT");
  app.add_option("--registered-shm-bytes", registered_shm_bytes,
                 "Most bytes of tenants' shared memory (HAL_REMOTE_SHM_BYTES each) hald registers "
                 "with their devices, all sessions together; registered memory is copied in place "
                 "(on a GPU by DMA, and pinned), the rest like pageable memory. 0: none")
      ->type_name("BYTES")
      ->capture_default_str();
  app.add_option("--registered-shm-bytes-per-session", registered_shm_bytes_per_session,
                 "Most of that one session registers: the first bytes of its shared memory, the "
                 "rest copied like pageable memory. 0: none")
      ->type_name("BYTES")
      ->capture_default_str();
  app.add_flag("--version", version, "Print hald's version and exit");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    const int code = app.exit(error);
    return code == 0 ? kExitOk : kExitError;
  }
  if (version) {
    std::cout << "hald " << HAL_DAEMON_VERSION << " (protocol " << hal::remote::kProtocolMajor
              << "." << hal::remote::kProtocolMinor << ")\n";
    return kExitOk;
  }
  if (pool_file.empty()) return Fail("--pool FILE is required (see --help)");
  if (listen.empty()) return Fail("at least one --listen ENDPOINT is required (see --help)");
  std::vector<hal::remote::Endpoint> endpoints;
  for (const std::string& text : listen) {
    absl::StatusOr<hal::remote::Endpoint> endpoint = hal::remote::ParseEndpoint(text);
    if (!endpoint.ok()) return Fail(endpoint.status().message());
    endpoints.push_back(*endpoint);
  }

  // Signals are read from a signalfd by the accept loop; they must be blocked
  // in every thread, so before the runtime starts any.
  sigset_t signals;
  sigemptyset(&signals);
  for (int signal_number : {SIGTERM, SIGINT, SIGHUP}) sigaddset(&signals, signal_number);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  hal::remote::UniqueFd signal_fd(signalfd(-1, &signals, SFD_CLOEXEC));
  if (!signal_fd.valid()) return Fail("signalfd failed");
  // hald never serves itself: its runtime must not load the remote driver's
  // devices (which would connect back to this very daemon).
  setenv("HAL_REMOTE_ENDPOINT", "none", 1);

  absl::StatusOr<std::unique_ptr<hal::Runtime>> runtime = hal::Runtime::Create();
  if (!runtime.ok()) return Fail(runtime.status().message());
  absl::StatusOr<std::unique_ptr<hal::Pool>> pool = hal::Pool::FromFile(**runtime, pool_file);
  if (!pool.ok()) return Fail(pool.status().message());
  absl::StatusOr<hal::daemon::AccessPolicy> policy =
      hal::daemon::AccessPolicy::FromPoolFile(pool_file);
  if (!policy.ok()) return Fail(policy.status().message());
  absl::StatusOr<std::unique_ptr<hal::daemon::Server>> server =
      hal::daemon::Server::Create(**runtime, **pool, pool_file, *std::move(policy), endpoints);
  if (!server.ok()) return Fail(server.status().message());
  (*server)->context().limits().registered_shared_memory_bytes = registered_shm_bytes;
  (*server)->context().limits().registered_shared_memory_bytes_per_session =
      registered_shm_bytes_per_session;
  std::unique_ptr<hal::daemon::MetricsExporter> exporter;
  if (!metrics.empty()) {
    absl::StatusOr<std::unique_ptr<hal::daemon::MetricsExporter>> started =
        hal::daemon::MetricsExporter::Start(
            metrics, **pool, (*server)->context().sessions(),
            [&context = (*server)->context()] { return context.Owners(); });
    if (!started.ok()) return Fail(started.status().message());
    exporter = *std::move(started);
    std::cerr << "hald: metrics on port " << exporter->port() << "\n";
  }
  if (absl::Status status = (*server)->Run(signal_fd.get()); !status.ok()) {
    return Fail(status.message());
  }
  std::cerr << "hald: stopped\n";
  return kExitOk;
}
