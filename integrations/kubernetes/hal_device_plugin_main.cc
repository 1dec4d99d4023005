// hal-device-plugin: the kubelet device plugin that hands out slices of
// hald's devices as virtual devices (README.md). Flags, signals and the
// loop; PluginRunner does the work.
#include <signal.h>

#include <cerrno>
#include <cstdio>
#include <ctime>

#include "CLI/CLI.hpp"
#include "backends/remote/protocol/token_file.h"
#include "integrations/kubernetes/plugin_runner.h"

int main(int argc, char** argv) {
  hal::kubernetes::PluginOptions options;
  uint64_t slice_mib = options.slices.slice_bytes >> 20;
  double interval_seconds = 5;
  double grace_seconds = absl::ToDoubleSeconds(options.reclaim_grace);
  std::string token_file;

  CLI::App app{"hal-device-plugin: slices of hald's devices as Kubernetes extended resources"};
  app.add_option("--hald-socket", options.access.host_socket, "hald's Unix socket on the node")
      ->capture_default_str();
  app.add_option("--container-socket", options.access.container_socket,
                 "where containers see hald's socket")
      ->capture_default_str();
  app.add_option("--hald-endpoint", options.hald_endpoint,
                 "how the plugin reaches hald (default: unix:<--hald-socket>)");
  app.add_option("--hald-token-file", token_file,
                 "file holding a token of a pool-file rule granting \"admin\" (not needed as "
                 "root or hald's user)");
  app.add_option("--slice-mib", slice_mib, "memory quota of one slice, MiB")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  app.add_option("--slice-share", options.slices.slice_share,
                 "compute share of one slice (0: the device split evenly)")
      ->check(CLI::Range(0.0, 1.0))
      ->capture_default_str();
  app.add_option("--max-slices", options.slices.max_slices,
                 "at most this many slices per device (0: as memory allows, at most 128)")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  app.add_option("--resource-domain", options.slices.resource_domain,
                 "resource names are <domain>/<device>, CDI kind <domain>/vd")
      ->capture_default_str();
  app.add_option("--kubelet-dir", options.kubelet_folder, "the kubelet's device-plugin folder")
      ->capture_default_str();
  app.add_option("--pod-resources-socket", options.pod_resources_socket,
                 "the kubelet's pod-resources socket")
      ->capture_default_str();
  app.add_option("--cdi-dir", options.cdi_folder, "where to write the CDI spec (\"\": none)")
      ->capture_default_str();
  app.add_option("--interval", interval_seconds,
                 "seconds between health, registration and reclaim rounds")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  app.add_option("--reclaim-grace", grace_seconds,
                 "seconds a new virtual device is kept before the kubelet must list it")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  CLI11_PARSE(app, argc, argv);

  options.slices.slice_bytes = slice_mib << 20;
  options.reclaim_grace = absl::Seconds(grace_seconds);
  if (!token_file.empty()) {
    absl::StatusOr<std::string> token = hal::remote::ReadTokenFile(token_file);
    if (!token.ok()) {
      std::fprintf(stderr, "hal-device-plugin: --hald-token-file: %s\n",
                   std::string(token.status().message()).c_str());
      return 2;
    }
    options.hald_token = *std::move(token);
  }

  // SIGTERM and SIGINT end the loop; blocked before any thread starts so
  // that gRPC's threads never take them.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  auto runner = hal::kubernetes::PluginRunner::Start(options);
  if (!runner.ok()) {
    std::fprintf(stderr, "hal-device-plugin: %s\n", runner.status().ToString().c_str());
    return 1;
  }
  const timespec interval = absl::ToTimespec(absl::Seconds(interval_seconds));
  while (true) {
    const int signal_number = sigtimedwait(&signals, nullptr, &interval);
    if (signal_number == SIGTERM || signal_number == SIGINT) break;
    if (signal_number < 0 && errno != EAGAIN && errno != EINTR) break;
    (*runner)->Tick();
  }
  std::fprintf(stderr, "hal-device-plugin: stopping; virtual devices stay for their containers\n");
  return 0;
}
