// hald's accept loop: listens on its endpoints, starts a session per
// connection, reaps finished ones, and handles the daemon's signals (read from
// a signalfd, so nothing runs in a signal handler): SIGTERM/SIGINT stop it
// (listeners closed, every session closed and freed), SIGHUP reloads the
// pool file (access rules replaced; virtual devices, pool_reload.h).
#ifndef HAL_DAEMON_SERVER_H_
#define HAL_DAEMON_SERVER_H_

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <ostream>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "backends/remote/protocol/endpoint.h"
#include "backends/remote/protocol/unique_fd.h"
#include "daemon/daemon_context.h"
#include "daemon/session.h"
#include "hal/runtime.h"
#include "hal/virtual_device.h"

namespace hal::daemon {

class Server {
 public:
  // Listens on every endpoint (a Unix socket is made mode 0666: access is
  // decided per peer, by SO_PEERCRED and the pool file) and logs
  // "hald: listening on <endpoint>" for each, with the real port of a TCP
  // one that asked for port 0.
  static absl::StatusOr<std::unique_ptr<Server>> Create(const Runtime& runtime, Pool& pool,
                                                        std::string pool_file,
                                                        AccessPolicy policy,
                                                        const std::vector<remote::Endpoint>& endpoints);
  ~Server();  // Stop()s and frees every session
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // The endpoints as listened on (TCP ports resolved).
  const std::vector<remote::Endpoint>& endpoints() const { return endpoints_; }
  DaemonContext& context() { return context_; }

  // Serves until Stop() or, with `signal_fd` (a signalfd of SIGTERM, SIGINT
  // and SIGHUP), until SIGTERM or SIGINT. Then closes every session.
  absl::Status Run(int signal_fd = -1);
  // Thread-safe: makes Run() return.
  void Stop();
  // Re-reads the pool file (what SIGHUP does). Thread-safe with Run().
  void Reload();

 private:
  Server(const Runtime& runtime, Pool& pool, std::string pool_file, AccessPolicy policy);
  void Accept(int listener);
  void ReapFinished();
  void CloseAll();

  const Runtime& runtime_;
  const std::string pool_file_;
  DaemonContext context_;
  std::vector<remote::Endpoint> endpoints_;
  std::vector<remote::UniqueFd> listeners_;
  remote::UniqueFd wake_;  // eventfd: stop asked, or a session finished
  std::atomic<bool> stop_{false};
  std::mutex reload_mu_;
  std::map<uint64_t, std::unique_ptr<Session>> sessions_;  // Run()'s thread only
};

}  // namespace hal::daemon

#endif  // HAL_DAEMON_SERVER_H_
