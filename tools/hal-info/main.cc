// hal-info: what accelerators this machine has, through which drivers, and
// why the missing ones are missing. docs/hal-info.md documents the output,
// the JSON schema and the exit codes.
#include <iostream>

#include "CLI/CLI.hpp"
#include "hal/runtime.h"
#include "hal/virtual_device.h"
#include "tools/hal-info/daemon_status.h"
#include "tools/hal-info/machine_report.h"
#include "tools/hal-info/outputs.h"

int main(int argc, char** argv) {
  CLI::App app{
      "hal-info: list hal drivers (loaded, or unavailable and why) and the devices they "
      "provide.\n"
      "Exit codes: 0 a usable device was found (with --pool and no FILE: the daemon answered); "
      "1 usage or runtime error; 2 drivers were found but no device is usable or selected; 3 no "
      "driver was found; 4 no daemon answered at the endpoint; 5 the daemon refused (access, "
      "protocol version)."};
  bool json = false;
  bool verbose = false;
  std::string selector;
  std::vector<std::string> driver_paths;
  bool driver_path_only = false;
  std::string pool_file;
  std::string endpoint = hal::info::DefaultDaemonEndpoint();
  app.add_flag("--json", json, "Print one JSON object (schema in docs/hal-info.md)");
  app.add_flag("-v,--verbose", verbose, "Show every property, manifests and search paths");
  app.add_option("--selector", selector,
                 "Device selector, overriding HAL_DEVICE_SELECTOR (e.g. \"cpu:0\", \"!cpu\")")
      ->type_name("SEL");
  CLI::Option* pool_option =
      app.add_option("--pool", pool_file,
                     "Pool description file (JSON, docs/virtual-devices.md): show the pool, its "
                     "virtual devices' placement, quotas, use and compute enforcement. Without "
                     "FILE: ask the running hald at --endpoint for its pool, virtual devices and "
                     "sessions, live")
          ->type_name("[FILE]")
          ->expected(0, 1);
  app.add_option("--endpoint", endpoint,
                 "The hald to ask with --pool (default: HAL_REMOTE_ENDPOINT, else "
                 "unix:/run/hal/hald.sock)")
      ->type_name("E")
      ->needs(pool_option);
  // An explicit folder that does not exist is a typo, not an empty search
  // path as it is in HAL_DRIVER_PATH.
  app.add_option("--driver-path", driver_paths,
                 "Extra folder of driver manifests, searched first; repeatable")
      ->type_name("DIR")
      ->check(CLI::Validator(CLI::ExistingDirectory).description(""));  // help: "DIR", once
  app.add_flag("--driver-path-only", driver_path_only,
               "Search only the --driver-path folders, not HAL_DRIVER_PATH nor the install's "
               "drivers.d (to try a driver alone)");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    const int code = app.exit(error);
    return code == 0 ? 0 : hal::info::kExitError;
  }
  if (pool_option->count() > 0 && pool_file.empty()) {
    return hal::info::ShowDaemonStatus(endpoint, json);
  }
  if (app.count("--endpoint") > 0) {
    std::cerr << "hal-info: --endpoint asks a daemon; it does not go with --pool FILE\n";
    return hal::info::kExitError;
  }

  hal::RuntimeOptions options;
  options.driver_paths = driver_paths;
  options.use_driver_path_env = !driver_path_only;
  options.use_default_driver_path = !driver_path_only;
  if (app.count("--selector") > 0) options.selector = selector;
  auto runtime = hal::Runtime::Create(options);
  if (!runtime.ok()) {
    std::cerr << "hal-info: " << runtime.status().message() << "\n";
    return hal::info::kExitError;
  }
  hal::info::MachineReport report = hal::info::CollectReport(**runtime);
  std::unique_ptr<hal::Pool> pool;  // outlives the report's rendering
  if (!pool_file.empty()) {
    auto loaded = hal::Pool::FromFile(**runtime, pool_file);
    if (!loaded.ok()) {
      std::cerr << "hal-info: " << loaded.status().message() << "\n";
      return hal::info::kExitError;
    }
    pool = *std::move(loaded);
    report.pool = hal::info::CollectPoolReport(*pool);
  }
  std::cout << (json ? hal::info::RenderJson(report) : hal::info::RenderTable(report, verbose));
  return hal::info::ExitCodeFor(report);
}
