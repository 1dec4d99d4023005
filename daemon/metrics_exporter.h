// Prometheus metrics of the pool on an HTTP endpoint (GET /metrics), served
// by prometheus-cpp's exposer. Every series of a virtual device or physical
// device exists as soon as it does (zeros until used); values are read from
// the pool's ledger, residency manager and time-slice scheduler and from the
// session registry when Prometheus scrapes, not polled from a vendor tool.
// The series are listed in docs/operator-guide.md, "Metrics".
#ifndef HAL_DAEMON_METRICS_EXPORTER_H_
#define HAL_DAEMON_METRICS_EXPORTER_H_

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "daemon/session_registry.h"
#include "hal/virtual_device.h"

namespace prometheus {
class Exposer;
}

namespace hal::daemon {

class PoolCollector;

class MetricsExporter {
 public:
  // Serves GET /metrics on `address`, "HOST:PORT" ("127.0.0.1:9464"; port 0
  // picks a free one, see port()). InvalidArgument for an address that is not
  // HOST:PORT, Unavailable when it cannot be bound. `pool` and `sessions`
  // must outlive the exporter: scrapes read them on the exporter's threads.
  // `owners`, called at each scrape, names the owner of each virtual device
  // an admin request created (hal_vd_info's owner label).
  static absl::StatusOr<std::unique_ptr<MetricsExporter>> Start(
      const std::string& address, const hal::Pool& pool, const SessionRegistry& sessions,
      std::function<std::map<std::string, std::string>()> owners = {});
  ~MetricsExporter();  // stops serving; a scrape in progress finishes first
  MetricsExporter(const MetricsExporter&) = delete;
  MetricsExporter& operator=(const MetricsExporter&) = delete;

  uint16_t port() const { return port_; }  // the bound port

 private:
  MetricsExporter(std::unique_ptr<prometheus::Exposer> exposer,
                  std::shared_ptr<PoolCollector> collector, uint16_t port);

  std::shared_ptr<PoolCollector> collector_;
  std::unique_ptr<prometheus::Exposer> exposer_;  // destroyed first: no scrape outlives the rest
  uint16_t port_;
};

}  // namespace hal::daemon

#endif  // HAL_DAEMON_METRICS_EXPORTER_H_
