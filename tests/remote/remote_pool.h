// Pool files for the hald the remote tests start: the pool and its virtual
// devices (docs/virtual-devices.md) plus the "hald" object
// (docs/operator-guide.md) that lets the test's tenants in.
#ifndef HAL_TESTS_REMOTE_REMOTE_POOL_H_
#define HAL_TESTS_REMOTE_REMOTE_POOL_H_

#include <cstdint>
#include <string>
#include <vector>

#include "nlohmann/json.hpp"

namespace hal::testing {

// The token of TCP tenants (HAL_REMOTE_TOKEN) and its SHA-256, which the pool
// file names (printf %s hal-remote-test-token | sha256sum).
inline constexpr char kRemoteTestToken[] = "hal-remote-test-token";
inline constexpr char kRemoteTestTokenSha256[] =
    "15eac837be777d94966951ad2baeaf55ff862ebe57fe4620bfeacefb4c06667c";

struct ServedVirtualDevice {
  std::string name;
  uint64_t memory_quota = 0;
  double compute_share = 1.0;
};

// A pool of `devices` (selector terms) with `pool_options` added to its
// "pool" object, serving `virtual_devices`. The tenants of the tests are
// trusted: every virtual device takes native (cpu-elf) kernels, so the CPU
// driver can run behind hald, and the token holder may attach to every
// virtual device and read status (TCP peers have nothing else). Peers of the
// test's own uid on the Unix socket need no rule.
inline std::string RemotePoolJson(const std::vector<std::string>& devices,
                                  const std::vector<ServedVirtualDevice>& virtual_devices,
                                  nlohmann::json pool_options = nlohmann::json::object()) {
  nlohmann::json pool = std::move(pool_options);
  pool["devices"] = devices;
  nlohmann::json served = nlohmann::json::array();
  for (const ServedVirtualDevice& vd : virtual_devices) {
    served.push_back({{"name", vd.name},
                      {"memory_quota", vd.memory_quota},
                      {"compute_share", vd.compute_share}});
  }
  nlohmann::json hald = {
      {"access",
       {{{"virtual_devices", "*"}, {"tokens_sha256", {kRemoteTestTokenSha256}}, {"status", true}}}},
      {"native_kernels", "*"}};
  return nlohmann::json{{"pool", pool}, {"virtual_devices", served}, {"hald", hald}}.dump(2);
}

}  // namespace hal::testing

#endif  // HAL_TESTS_REMOTE_REMOTE_POOL_H_
