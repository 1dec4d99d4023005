// hal_slurm_probe: what a Slurm job step sees of the virtual device hal_spank
// gave it (slurm_cluster_test.sh runs it as the job). It opens the first
// device the runtime selects (remote:0 under the plugin's
// HAL_DEVICE_SELECTOR), allocates all its memory, then one byte more, and
// prints one line per fact:
//   device remote:0 name "slurm-42.0 on cpu:0 ..." memory 67108864
//   quota-alloc OK
//   past-quota RESOURCE_EXHAUSTED
// then, with --hold-seconds N, "holding", and keeps the allocation N seconds
// (so the test can watch its charge, and cancel it). Exit 0 once every line is
// printed, 1 when the runtime or the device cannot be opened.
#include <unistd.h>

#include <cstdlib>
#include <iostream>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/numbers.h"
#include "hal/hal.h"

namespace {

int Fail(const absl::Status& status) {
  std::cout << "error " << status << std::endl;
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  int hold_seconds = 0;
  const bool hold_given = argc == 3 && std::string(argv[1]) == "--hold-seconds";
  if ((!hold_given && argc != 1) ||
      (hold_given && (!absl::SimpleAtoi(argv[2], &hold_seconds) || hold_seconds < 0))) {
    std::cerr << "usage: hal_slurm_probe [--hold-seconds N]\n";
    return 2;
  }
  absl::StatusOr<std::unique_ptr<hal::Runtime>> runtime = hal::Runtime::Create();
  if (!runtime.ok()) return Fail(runtime.status());
  if ((*runtime)->devices().empty()) return Fail(absl::NotFoundError("no device selected"));
  const hal::PhysicalDevice* physical = (*runtime)->devices().front();
  const uint64_t memory = physical->properties().memory_bytes;
  std::cout << "device " << physical->id() << " name \"" << physical->properties().name
            << "\" memory " << memory << std::endl;
  absl::StatusOr<std::shared_ptr<hal::Device>> device = physical->Open();
  if (!device.ok()) return Fail(device.status());
  absl::StatusOr<std::shared_ptr<hal::Buffer>> all = (*device)->Allocate(memory);
  std::cout << "quota-alloc " << absl::StatusCodeToString(all.status().code()) << std::endl;
  absl::StatusOr<std::shared_ptr<hal::Buffer>> more = (*device)->Allocate(1);
  std::cout << "past-quota " << absl::StatusCodeToString(more.status().code()) << std::endl;
  if (hold_seconds > 0) {
    std::cout << "holding" << std::endl;
    sleep(static_cast<unsigned>(hold_seconds));
  }
  return 0;
}
