// fork() after Runtime::Create: the child's copies of the parent's contexts
// refuse every call with Unavailable instead of waiting forever for driver
// threads that were not copied; exec and a new Runtime work in the child
// (include/hal/runtime.h). Each child must exit within a deadline.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "tests/cpu_device_fixture.h"

namespace hal {
namespace {

using ForkTest = testing::CpuDeviceTest;

// What a child reports through its exit code.
enum ChildExit : int {
  kChildOk = 0,
  kInheritedQueueNotRefused = 10,
  kInheritedDeviceNotRefused,
  kNewRuntimeFailed,
  kNewDeviceWrong,
  kExecFailed,
};

// The child's exit code, or -1 when it did not exit on its own within 30 s
// (it is then killed): a hang is a failure, not a stuck test.
int WaitForChild(pid_t child) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (std::chrono::steady_clock::now() < deadline) {
    int status = 0;
    const pid_t done = waitpid(child, &status, WNOHANG);
    if (done == child) return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    if (done < 0) return -1;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  kill(child, SIGKILL);
  waitpid(child, nullptr, 0);
  return -1;
}

bool IsForkRefusal(const absl::Status& status) {
  return status.code() == absl::StatusCode::kUnavailable &&
         absl::StrContains(status.message(), "forked");
}

// Runs in the child; only _exit, never returning into GoogleTest.
int UseTheRuntimeInTheChild(Device& inherited, Queue& inherited_queue, const Buffer& buffer) {
  if (!IsForkRefusal(inherited_queue.Fill(buffer, 0, 64, 0u)) ||
      !IsForkRefusal(inherited_queue.Synchronize()) || !IsForkRefusal(buffer.Map().status())) {
    return kInheritedQueueNotRefused;
  }
  if (!IsForkRefusal(inherited.Allocate(64).status()) ||
      !IsForkRefusal(inherited.CreateQueue().status())) {
    return kInheritedDeviceNotRefused;
  }
  auto runtime = testing::BuildTreeRuntime("cpu:0");
  if (!runtime.ok() || (*runtime)->devices().empty()) return kNewRuntimeFailed;
  auto device = (*runtime)->devices()[0]->Open();
  if (!device.ok()) return kNewRuntimeFailed;
  auto queue = (*device)->CreateQueue();
  auto fresh = (*device)->Allocate(1024);
  if (!queue.ok() || !fresh.ok()) return kNewRuntimeFailed;
  std::vector<uint32_t> back(256, 0);
  if (!(*queue)->Fill(**fresh, 0, 1024, 7u).ok() ||
      !(*queue)->CopyDeviceToHost(**fresh, 0, back.data(), 1024).ok() ||
      !(*queue)->Synchronize().ok()) {
    return kNewRuntimeFailed;
  }
  return back == std::vector<uint32_t>(256, 7u) ? kChildOk : kNewDeviceWrong;
}

TEST_F(ForkTest, ChildRefusesInheritedContextsAndCanCreateANewRuntime) {
  // Work in flight on the parent's threads while it forks.
  auto buffer = MustAllocate(16 << 20);
  ASSERT_NE(buffer, nullptr);
  ASSERT_TRUE(queue_->Fill(*buffer, 0, buffer->size(), 1u).ok());
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) _exit(UseTheRuntimeInTheChild(*device_, *queue_, *buffer));
  EXPECT_EQ(WaitForChild(child), kChildOk);
  // The parent's objects are unaffected.
  EXPECT_TRUE(queue_->Synchronize().ok());
  EXPECT_TRUE(device_->Allocate(64).ok());
}

TEST_F(ForkTest, ChildCanExec) {
  auto buffer = MustAllocate(16 << 20);
  ASSERT_NE(buffer, nullptr);
  ASSERT_TRUE(queue_->Fill(*buffer, 0, buffer->size(), 1u).ok());
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    execl("/bin/sh", "sh", "-c", "exit 0", static_cast<char*>(nullptr));
    _exit(kExecFailed);
  }
  EXPECT_EQ(WaitForChild(child), kChildOk);
  EXPECT_TRUE(queue_->Synchronize().ok());
}

}  // namespace
}  // namespace hal
