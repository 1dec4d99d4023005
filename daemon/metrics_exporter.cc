#include "daemon/metrics_exporter.h"

#include <exception>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "daemon/pool_status.h"
#include "prometheus/collectable.h"
#include "prometheus/exposer.h"
#include "prometheus/metric_family.h"

namespace hal::daemon {

// Renders the pool's status as metric families at each scrape: the series
// are exactly the pool's virtual and physical devices at that moment.
class PoolCollector : public prometheus::Collectable {
 public:
  PoolCollector(const hal::Pool& pool, const SessionRegistry& sessions,
                std::function<std::map<std::string, std::string>()> owners)
      : pool_(pool), sessions_(sessions), owners_(std::move(owners)) {}

  std::vector<prometheus::MetricFamily> Collect() const override {
    // The start time only feeds uptime and achieved share, which are not exported.
    const PoolStatus status = BuildPoolStatus(
        pool_, sessions_, absl::Now(), owners_ ? owners_() : std::map<std::string, std::string>());
    using remote::v1::PhysicalDeviceStatus;
    using remote::v1::VirtualDeviceStatus;
    std::vector<prometheus::MetricFamily> families;
    const auto per_vd = [&](const char* name, const char* help, prometheus::MetricType type,
                            double (*value)(const VirtualDeviceStatus&)) {
      prometheus::MetricFamily family{name, help, type, {}};
      for (const VirtualDeviceStatus& vd : status.virtual_devices()) {
        family.metric.push_back(
            Sample(type, value(vd), {{"virtual_device", vd.name()}, {"device", vd.device()}}));
      }
      families.push_back(std::move(family));
    };
    const auto per_device = [&](const char* name, const char* help, prometheus::MetricType type,
                                double (*value)(const PhysicalDeviceStatus&)) {
      prometheus::MetricFamily family{name, help, type, {}};
      for (const PhysicalDeviceStatus& device : status.devices()) {
        family.metric.push_back(Sample(type, value(device), {{"device", device.id()}}));
      }
      families.push_back(std::move(family));
    };
    constexpr auto kGauge = prometheus::MetricType::Gauge;
    constexpr auto kCounter = prometheus::MetricType::Counter;
    per_vd("hal_vd_memory_quota_bytes", "Memory quota of the virtual device", kGauge,
           [](const VirtualDeviceStatus& vd) { return double(vd.memory_quota_bytes()); });
    per_vd("hal_vd_memory_used_bytes",
           "Bytes charged to the virtual device: live buffers plus the driver's cache", kGauge,
           [](const VirtualDeviceStatus& vd) { return double(vd.memory_used_bytes()); });
    per_vd("hal_vd_quota_refusals_total", "Allocations refused because of the memory quota",
           kCounter, [](const VirtualDeviceStatus& vd) { return double(vd.quota_refusals()); });
    per_vd("hal_vd_compute_busy_seconds_total",
           "Device-busy time of a time-sliced virtual device, from event timestamps", kCounter,
           [](const VirtualDeviceStatus& vd) { return double(vd.compute_busy_ns()) / 1e9; });
    per_vd("hal_vd_compute_held_back_seconds_total",
           "Host time a time-sliced virtual device's submissions were held back", kCounter,
           [](const VirtualDeviceStatus& vd) { return double(vd.compute_held_back_ns()) / 1e9; });
    per_vd("hal_vd_sessions", "Sessions (tenant connections) attached to the virtual device",
           kGauge, [](const VirtualDeviceStatus& vd) { return double(vd.sessions()); });
    per_vd("hal_vd_registered_shared_memory_bytes",
           "Shared memory of the sessions attached to the virtual device that hald registered "
           "with the device (copied in place; pinned on a GPU)",
           kGauge, [](const VirtualDeviceStatus& vd) {
             return double(vd.registered_shared_memory_bytes());
           });
    // An info series: who owns each virtual device ("" for the pool file's).
    prometheus::MetricFamily info{
        "hal_vd_info", "The virtual device's owner (an admin request's), value 1", kGauge, {}};
    for (const VirtualDeviceStatus& vd : status.virtual_devices()) {
      info.metric.push_back(
          Sample(kGauge, 1,
                 {{"virtual_device", vd.name()}, {"device", vd.device()}, {"owner", vd.owner()}}));
    }
    families.push_back(std::move(info));
    per_device("hal_device_capacity_bytes", "Device memory the pool may use", kGauge,
               [](const PhysicalDeviceStatus& d) { return double(d.capacity_bytes()); });
    per_device("hal_device_resident_bytes",
               "Bytes of virtual devices' buffers resident in device memory", kGauge,
               [](const PhysicalDeviceStatus& d) { return double(d.resident_bytes()); });
    per_device("hal_device_evictions_total", "Buffers evicted to host memory (overcommit)",
               kCounter, [](const PhysicalDeviceStatus& d) { return double(d.evictions()); });
    per_device("hal_device_bytes_evicted_total", "Bytes evicted to host memory (overcommit)",
               kCounter, [](const PhysicalDeviceStatus& d) { return double(d.bytes_evicted()); });
    per_device("hal_device_stalls_total",
               "Waits for in-flight work before room could be made (overcommit)", kCounter,
               [](const PhysicalDeviceStatus& d) { return double(d.stalls()); });
    return families;
  }

 private:
  static prometheus::ClientMetric Sample(prometheus::MetricType type, double value,
                                         std::vector<prometheus::ClientMetric::Label> labels) {
    prometheus::ClientMetric metric;
    metric.label = std::move(labels);
    (type == prometheus::MetricType::Counter ? metric.counter.value : metric.gauge.value) = value;
    return metric;
  }

  const hal::Pool& pool_;
  const SessionRegistry& sessions_;
  const std::function<std::map<std::string, std::string>()> owners_;
};

namespace {

// "HOST:PORT" with a non-empty host (a name, IPv4 or [IPv6]) and a port in
// [0, 65535]; civetweb would take more forms (several ports, "s" suffixes)
// that the daemon does not mean to offer.
absl::Status CheckAddress(const std::string& address) {
  const size_t colon = address.rfind(':');
  uint32_t port = 0;
  if (colon == std::string::npos || colon == 0 ||
      !absl::SimpleAtoi(absl::string_view(address).substr(colon + 1), &port) || port > 65535 ||
      address.find_first_not_of("0123456789", colon + 1) != std::string::npos ||
      address.find(',') != std::string::npos) {
    return absl::InvalidArgumentError(absl::StrCat(
        "metrics address \"", address, "\" is not HOST:PORT (e.g. 127.0.0.1:9464, [::1]:9464)"));
  }
  return absl::OkStatus();
}

}  // namespace

MetricsExporter::MetricsExporter(std::unique_ptr<prometheus::Exposer> exposer,
                                 std::shared_ptr<PoolCollector> collector, uint16_t port)
    : collector_(std::move(collector)), exposer_(std::move(exposer)), port_(port) {}

MetricsExporter::~MetricsExporter() = default;

absl::StatusOr<std::unique_ptr<MetricsExporter>> MetricsExporter::Start(
    const std::string& address, const hal::Pool& pool, const SessionRegistry& sessions,
    std::function<std::map<std::string, std::string>()> owners) {
  if (absl::Status status = CheckAddress(address); !status.ok()) return status;
  std::unique_ptr<prometheus::Exposer> exposer;
  try {
    // One thread: a scrape is cheap, and the daemon's work is elsewhere.
    exposer = std::make_unique<prometheus::Exposer>(address, 1);
  } catch (const std::exception& error) {  // civetweb throws when it cannot listen
    return absl::UnavailableError(
        absl::StrCat("cannot serve metrics on ", address, ": ", error.what()));
  }
  const std::vector<int> ports = exposer->GetListeningPorts();
  if (ports.size() != 1 || ports[0] <= 0 || ports[0] > 65535) {
    return absl::InternalError(
        absl::StrCat("metrics exporter on ", address, " reports no single listening port"));
  }
  auto collector = std::make_shared<PoolCollector>(pool, sessions, std::move(owners));
  exposer->RegisterCollectable(collector);
  return std::unique_ptr<MetricsExporter>(new MetricsExporter(
      std::move(exposer), std::move(collector), static_cast<uint16_t>(ports[0])));
}

}  // namespace hal::daemon
