// hal_remote_cts_launcher: runs a program (hal-cts) against a hald of the
// build tree, for ctest's hal-cts runs on remote:0. It starts hald serving one
// virtual device on --device, on a temporary Unix socket and TCP loopback,
// runs the program with HAL_REMOTE_ENDPOINT naming the one --transport asks
// for (and HAL_REMOTE_TOKEN, which the pool file lets in), then stops hald
// with SIGTERM. Exit status: the program's when it failed, 1 when hald did not
// start or did not stop cleanly (exit status 0 on SIGTERM) or its log lacks
// an --expect-log line, 0 otherwise.
//
//   hal_remote_cts_launcher --hald build/bin/hald --device cpu:0 --transport tcp
//       -- build/bin/hal-cts --device remote:0 --jobs 2
#include <iostream>
#include <string>
#include <vector>

#include "CLI/CLI.hpp"
#include "tests/remote/child_process.h"
#include "tests/remote/hald_process.h"
#include "tests/remote/remote_pool.h"

int main(int argc, char** argv) {
  CLI::App app{"Runs a program (hal-cts) against a hald of the build tree (tests/remote)."};
  std::string hald_path;
  std::string device;
  std::string transport = "unix";
  uint64_t quota = 512ull << 20;
  std::string expected_log;
  std::vector<std::string> program;
  app.add_option("--hald", hald_path, "The hald program")->required();
  app.add_option("--device", device, "The device hald serves the virtual device on")->required();
  app.add_option("--transport", transport, "How the program reaches hald")
      ->check(CLI::IsMember({"unix", "tcp"}));
  app.add_option("--quota", quota, "The virtual device's memory quota in bytes")
      ->capture_default_str();
  app.add_option("--expect-log", expected_log,
                 "Text hald's log must hold once the program ended (proof that a path ran)");
  app.add_option("program", program, "The program and its arguments (after --)")->required();
  CLI11_PARSE(app, argc, argv);

  // hald takes cpu-elf kernels of this virtual device (remote_pool.h), so
  // the CPU driver can serve it.
  hal::testing::HaldProcess::Options serve;
  serve.hald = hald_path;
  serve.pool_json = hal::testing::RemotePoolJson({device}, {{"cts", quota}});
  serve.listen_tcp = true;
  auto hald = hal::testing::HaldProcess::Start(serve);
  if (!hald.ok()) {
    std::cerr << "hal_remote_cts_launcher: " << hald.status() << "\n";
    return 1;
  }
  const std::string endpoint =
      transport == "tcp" ? (*hald)->tcp_endpoint() : (*hald)->unix_endpoint();
  std::cerr << "hal_remote_cts_launcher: hald (pid " << (*hald)->pid() << ") serves " << device
            << " at " << endpoint << "\n";
  hal::testing::ChildProcess::Options run;
  run.argv = program;
  run.environment = {{"HAL_REMOTE_ENDPOINT", endpoint},
                     {"HAL_REMOTE_TOKEN", hal::testing::kRemoteTestToken}};
  auto child = hal::testing::ChildProcess::Start(run);
  if (!child.ok()) {
    std::cerr << "hal_remote_cts_launcher: " << child.status() << "\n";
    return 1;
  }
  // ctest's timeout bounds the program.
  const auto ended = (*child)->Wait(absl::InfiniteDuration());
  const absl::Status stopped = (*hald)->StopCleanly();
  int exit_code = 0;
  if (!ended.ok() || !ended->exited || ended->code != 0) {
    std::cerr << "hal_remote_cts_launcher: " << program[0] << " ended with "
              << (ended.ok() ? ended->ToString() : ended.status().ToString()) << "\n";
    exit_code = ended.ok() && ended->exited ? ended->code : 1;
    std::cerr << "hal_remote_cts_launcher: the end of hald's log:\n" << (*hald)->LogTail() << "\n";
  }
  if (!stopped.ok()) {
    std::cerr << "hal_remote_cts_launcher: " << stopped << "\n";
    if (exit_code == 0) exit_code = 1;
  }
  if (!expected_log.empty() && (*hald)->log().find(expected_log) == std::string::npos) {
    std::cerr << "hal_remote_cts_launcher: hald's log lacks \"" << expected_log
              << "\"; its end:\n"
              << (*hald)->LogTail() << "\n";
    if (exit_code == 0) exit_code = 1;
  }
  return exit_code;
}
