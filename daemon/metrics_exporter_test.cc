// The metrics endpoint as Prometheus scrapes it: plain HTTP GET /metrics over
// a socket; every series exists from the start and follows the pool.
#include "daemon/metrics_exporter.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <map>
#include <mutex>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/pool_fixture.h"

namespace hal::daemon {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

// The response to GET /metrics on 127.0.0.1:`port` (status line, headers and
// body); "" when the connection failed.
std::string Scrape(uint16_t port) {
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return "";
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  std::string response;
  if (connect(fd, reinterpret_cast<const sockaddr*>(&address), sizeof(address)) == 0) {
    const std::string request = "GET /metrics HTTP/1.0\r\nHost: localhost\r\n\r\n";
    if (send(fd, request.data(), request.size(), MSG_NOSIGNAL) ==
        static_cast<ssize_t>(request.size())) {
      std::array<char, 4096> chunk;
      ssize_t n;
      while ((n = recv(fd, chunk.data(), chunk.size(), 0)) > 0) response.append(chunk.data(), n);
    }
  }
  close(fd);
  return response;
}

// The sample line of `name` with the labels of virtual device `vd` on cpu:0.
std::string VdSample(const std::string& name, const std::string& vd, uint64_t value) {
  return absl::StrCat("\n", name, "{virtual_device=\"", vd, "\",device=\"cpu:0\"} ", value, "\n");
}
std::string DeviceSample(const std::string& name, uint64_t value) {
  return absl::StrCat("\n", name, "{device=\"cpu:0\"} ", value, "\n");
}

class MetricsExporterTest : public testing::PoolTest {
 protected:
  absl::StatusOr<std::unique_ptr<MetricsExporter>> Start(const std::string& address) {
    return MetricsExporter::Start(address, *pool_, sessions_);
  }
  void SetUp() override {
    PoolTest::SetUp();
    pool_ = MakePool();
    ASSERT_NE(pool_, nullptr);
    a_ = MakeVirtualDevice(*pool_, "a", 1 << 20, 0.5);
    ASSERT_NE(a_, nullptr);
  }
  void TearDown() override {
    a_.reset();
    pool_.reset();
    PoolTest::TearDown();
  }
  SessionRegistry sessions_;
  std::unique_ptr<Pool> pool_;
  std::shared_ptr<VirtualDevice> a_;
};

TEST_F(MetricsExporterTest, EverySeriesExistsFromTheStartWithZeros) {
  auto exporter = Start("127.0.0.1:0");
  ASSERT_TRUE(exporter.ok()) << exporter.status();
  ASSERT_NE((*exporter)->port(), 0);
  const std::string response = Scrape((*exporter)->port());
  ASSERT_THAT(response, HasSubstr("200 OK"));
  for (const char* gauge : {"hal_vd_memory_quota_bytes", "hal_vd_memory_used_bytes",
                            "hal_vd_sessions", "hal_vd_registered_shared_memory_bytes",
                            "hal_device_capacity_bytes", "hal_device_resident_bytes"}) {
    EXPECT_THAT(response, HasSubstr(absl::StrCat("# TYPE ", gauge, " gauge\n"))) << gauge;
  }
  for (const char* counter :
       {"hal_vd_quota_refusals_total", "hal_vd_compute_busy_seconds_total",
        "hal_vd_compute_held_back_seconds_total", "hal_device_evictions_total",
        "hal_device_bytes_evicted_total", "hal_device_stalls_total"}) {
    EXPECT_THAT(response, HasSubstr(absl::StrCat("# TYPE ", counter, " counter\n"))) << counter;
  }
  EXPECT_THAT(response, HasSubstr(VdSample("hal_vd_memory_quota_bytes", "a", 1 << 20)));
  EXPECT_THAT(response, HasSubstr(VdSample("hal_vd_memory_used_bytes", "a", 0)));
  EXPECT_THAT(response, HasSubstr(VdSample("hal_vd_quota_refusals_total", "a", 0)));
  EXPECT_THAT(response, HasSubstr(VdSample("hal_vd_compute_busy_seconds_total", "a", 0)));
  EXPECT_THAT(response, HasSubstr(VdSample("hal_vd_compute_held_back_seconds_total", "a", 0)));
  EXPECT_THAT(response, HasSubstr(VdSample("hal_vd_sessions", "a", 0)));
  EXPECT_THAT(response, HasSubstr(VdSample("hal_vd_registered_shared_memory_bytes", "a", 0)));
  EXPECT_THAT(response, HasSubstr(DeviceSample("hal_device_capacity_bytes",
                                               pool_->usage()[0].capacity_bytes)));
  EXPECT_THAT(response, HasSubstr(DeviceSample("hal_device_resident_bytes", 0)));
  EXPECT_THAT(response, HasSubstr(DeviceSample("hal_device_evictions_total", 0)));
  EXPECT_THAT(response, HasSubstr(DeviceSample("hal_device_bytes_evicted_total", 0)));
  EXPECT_THAT(response, HasSubstr(DeviceSample("hal_device_stalls_total", 0)));
}

TEST_F(MetricsExporterTest, ValuesAreReadAtScrapeTime) {
  auto exporter = Start("127.0.0.1:0");
  ASSERT_TRUE(exporter.ok()) << exporter.status();
  auto buffer = a_->device()->Allocate(64 << 10);
  ASSERT_TRUE(buffer.ok()) << buffer.status();
  EXPECT_FALSE(a_->device()->Allocate(1 << 20).ok());
  std::shared_ptr<SessionCounters> session = sessions_.Register("unix pid 1 uid 1");
  session->SetVirtualDevice("a");
  session->SetRegisteredSharedMemory(16 << 20);
  // A virtual device added later (a SIGHUP reload) has its series at once.
  auto b = MakeVirtualDevice(*pool_, "b", 2 << 20, 0.5);
  ASSERT_NE(b, nullptr);

  const std::string response = Scrape((*exporter)->port());
  EXPECT_THAT(response, HasSubstr(VdSample("hal_vd_memory_used_bytes", "a", a_->memory_used())));
  EXPECT_GE(a_->memory_used(), 64u << 10);
  EXPECT_THAT(response, HasSubstr(VdSample("hal_vd_quota_refusals_total", "a", 1)));
  EXPECT_THAT(response, HasSubstr(VdSample("hal_vd_sessions", "a", 1)));
  EXPECT_THAT(response,
              HasSubstr(VdSample("hal_vd_registered_shared_memory_bytes", "a", 16 << 20)));
  EXPECT_THAT(response, HasSubstr(VdSample("hal_vd_memory_quota_bytes", "b", 2 << 20)));
  EXPECT_THAT(response, HasSubstr(VdSample("hal_vd_sessions", "b", 0)));
  EXPECT_THAT(response, HasSubstr(DeviceSample("hal_device_resident_bytes", a_->memory_used())));

  sessions_.Unregister(session->id());
  buffer->reset();
  const std::string later = Scrape((*exporter)->port());
  EXPECT_THAT(later, HasSubstr(VdSample("hal_vd_memory_used_bytes", "a", 0)));
  EXPECT_THAT(later, HasSubstr(VdSample("hal_vd_sessions", "a", 0)));
  EXPECT_THAT(later, HasSubstr(VdSample("hal_vd_registered_shared_memory_bytes", "a", 0)));
  EXPECT_THAT(later, Not(HasSubstr(VdSample("hal_vd_sessions", "a", 1))));
}

// Virtual devices an admin request creates and destroys: their series come
// and go with them, and hal_vd_info names their owner.
TEST_F(MetricsExporterTest, SeriesFollowCreatedAndDestroyedVirtualDevicesWithTheirOwners) {
  std::map<std::string, std::string> owners;
  std::mutex owners_mu;
  auto exporter = MetricsExporter::Start("127.0.0.1:0", *pool_, sessions_, [&] {
    std::lock_guard<std::mutex> lock(owners_mu);
    return owners;
  });
  ASSERT_TRUE(exporter.ok()) << exporter.status();
  ASSERT_NE(MakeVirtualDevice(*pool_, "job", 2 << 20, 0.25), nullptr);
  {
    std::lock_guard<std::mutex> lock(owners_mu);
    owners["job"] = "slurm job 42.0";
  }
  const std::string created = Scrape((*exporter)->port());
  EXPECT_THAT(created, HasSubstr("# TYPE hal_vd_info gauge\n"));
  EXPECT_THAT(created, HasSubstr(VdSample("hal_vd_memory_quota_bytes", "job", 2 << 20)));
  EXPECT_THAT(created, HasSubstr("hal_vd_info{virtual_device=\"job\",device=\"cpu:0\",owner="
                                 "\"slurm job 42.0\"} 1\n"));
  EXPECT_THAT(created,
              HasSubstr("hal_vd_info{virtual_device=\"a\",device=\"cpu:0\",owner=\"\"} 1\n"));

  ASSERT_TRUE(pool_->DestroyVirtualDevice("job").ok());
  {
    std::lock_guard<std::mutex> lock(owners_mu);
    owners.clear();
  }
  const std::string destroyed = Scrape((*exporter)->port());
  EXPECT_THAT(destroyed, Not(HasSubstr("virtual_device=\"job\"")));
  EXPECT_THAT(destroyed, HasSubstr(VdSample("hal_vd_memory_quota_bytes", "a", 1 << 20)));
}

TEST_F(MetricsExporterTest, AnAddressThatIsNotHostAndPortIsInvalidArgument) {
  for (const char* address : {"", "9464", ":9464", "127.0.0.1:", "127.0.0.1:65536", "127.0.0.1:94x",
                              "127.0.0.1:-1", "127.0.0.1:1,127.0.0.1:2", "127.0.0.1:9464s"}) {
    auto exporter = Start(address);
    EXPECT_EQ(exporter.status().code(), absl::StatusCode::kInvalidArgument) << address;
    EXPECT_THAT(exporter.status().message(), HasSubstr("is not HOST:PORT")) << address;
  }
}

TEST_F(MetricsExporterTest, APortInUseIsUnavailable) {
  auto first = Start("127.0.0.1:0");
  ASSERT_TRUE(first.ok()) << first.status();
  const std::string taken = absl::StrCat("127.0.0.1:", (*first)->port());
  auto second = Start(taken);
  EXPECT_EQ(second.status().code(), absl::StatusCode::kUnavailable) << second.status();
  EXPECT_THAT(second.status().message(), HasSubstr(taken));
  EXPECT_THAT(Scrape((*first)->port()), HasSubstr("200 OK"));  // undisturbed
}

}  // namespace
}  // namespace hal::daemon
