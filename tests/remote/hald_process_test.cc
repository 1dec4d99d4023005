// The process helpers of the remote tests, against /bin/cat, /bin/sh and
// shell scripts standing in for hald (so they run whatever state hald is in).
#include "tests/remote/hald_process.h"

#include <signal.h>
#include <sys/stat.h>

#include "gmock/gmock.h"
#include "tests/remote/child_process.h"
#include "tests/test_folder.h"

namespace hal::testing {
namespace {

using ::testing::HasSubstr;

// GCC 12 warns about designated initializers that leave members out.
ChildProcess::Options Program(std::vector<std::string> argv, bool talk = false) {
  ChildProcess::Options options;
  options.argv = std::move(argv);
  options.talk = talk;
  return options;
}

std::unique_ptr<ChildProcess> MustStart(const ChildProcess::Options& options) {
  auto child = ChildProcess::Start(options);
  EXPECT_TRUE(child.ok()) << child.status();
  return child.ok() ? *std::move(child) : nullptr;
}

TEST(ChildProcessTest, TalksLineByLine) {
  auto cat = MustStart(Program({"/bin/cat"}, true));
  ASSERT_NE(cat, nullptr);
  EXPECT_GT(cat->pid(), 0);
  ASSERT_TRUE(cat->WriteLine("first").ok());
  ASSERT_TRUE(cat->WriteLine("second").ok());
  EXPECT_EQ(cat->ReadLine(absl::Seconds(10)).value_or("?"), "first");
  EXPECT_EQ(cat->ReadLine(absl::Seconds(10)).value_or("?"), "second");
  EXPECT_EQ(cat->ReadLine(absl::Milliseconds(50)).status().code(),
            absl::StatusCode::kDeadlineExceeded);
}

TEST(ChildProcessTest, ReportsHowItEnded) {
  auto exits = MustStart(Program({"/bin/sh", "-c", "exit 3"}));
  ASSERT_NE(exits, nullptr);
  auto status = exits->Wait(absl::Seconds(10));
  ASSERT_TRUE(status.ok()) << status.status();
  EXPECT_TRUE(status->exited);
  EXPECT_EQ(status->code, 3);
  EXPECT_EQ(status->ToString(), "exit status 3");
  EXPECT_FALSE(exits->Running());
  EXPECT_EQ(exits->Signal(SIGTERM).code(), absl::StatusCode::kFailedPrecondition);

  auto sleeps = MustStart(Program({"/bin/sleep", "30"}));
  ASSERT_NE(sleeps, nullptr);
  EXPECT_TRUE(sleeps->Running());
  EXPECT_EQ(sleeps->Wait(absl::Milliseconds(20)).status().code(),
            absl::StatusCode::kDeadlineExceeded);
  ASSERT_TRUE(sleeps->Signal(SIGKILL).ok());
  status = sleeps->Wait(absl::Seconds(10));
  ASSERT_TRUE(status.ok()) << status.status();
  EXPECT_FALSE(status->exited);
  EXPECT_EQ(status->signal, SIGKILL);
  EXPECT_THAT(status->ToString(), HasSubstr("killed by signal 9"));
}

TEST(ChildProcessTest, SetsTheEnvironmentAndWritesTheOutputFile) {
  TestFolder folder;
  const std::string output = folder.path() + "/out.log";
  ChildProcess::Options options =
      Program({"/bin/sh", "-c", "echo \"$HAL_TEST_VALUE\"; echo err >&2"});
  options.environment = {{"HAL_TEST_VALUE", "forty-two"}};
  options.output_file = output;
  auto child = MustStart(options);
  ASSERT_NE(child, nullptr);
  ASSERT_TRUE(child->Wait(absl::Seconds(10)).ok());
  std::ifstream file(output);
  std::string contents((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
  EXPECT_EQ(contents, "forty-two\nerr\n");
}

TEST(ChildProcessTest, ErrorsOfAMissingProgramAndOfAClosedPipe) {
  auto missing = MustStart(Program({"/nonexistent/program"}, true));
  ASSERT_NE(missing, nullptr);
  auto status = missing->Wait(absl::Seconds(10));
  ASSERT_TRUE(status.ok());
  EXPECT_EQ(status->code, 127);
  EXPECT_EQ(missing->ReadLine(absl::Seconds(10)).status().code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(missing->WriteLine("anyone?").code(), absl::StatusCode::kUnavailable);

  auto silent = MustStart(Program({"/bin/true"}));
  ASSERT_NE(silent, nullptr);
  EXPECT_EQ(silent->WriteLine("x").code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(silent->ReadLine(absl::Seconds(1)).status().code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(ChildProcess::Start({}).status().code(), absl::StatusCode::kInvalidArgument);
}

// A script in `folder` standing in for hald.
std::string FakeHald(const TestFolder& folder, const std::string& body) {
  const std::string path = folder.Write("fake-hald", "#!/bin/sh\n" + body + "\n");
  chmod(path.c_str(), 0755);
  return path;
}

HaldProcess::Options Serve(const std::string& hald, const std::string& pool_json) {
  HaldProcess::Options options;
  options.hald = hald;
  options.pool_json = pool_json;
  return options;
}

// Prints the listening lines hald prints for its arguments (the TCP port made
// up), then waits for SIGTERM and exits with `status`.
std::string ListeningFakeHald(const TestFolder& folder, int status) {
  return FakeHald(folder, R"(
while [ $# -gt 0 ]; do
  case "$1" in
    --pool) cat "$2" >&2; shift 2 ;;
    --listen) case "$2" in tcp://*) echo "hald: listening on tcp://127.0.0.1:4242" >&2 ;;
                           *) echo "hald: listening on $2" >&2 ;; esac; shift 2 ;;
    *) echo "argument $1" >&2; shift ;;
  esac
done
trap "echo stopping >&2; exit )" +
                              std::to_string(status) + R"(" TERM
while true; do sleep 0.01; done)");
}

TEST(HaldProcessTest, StartsListeningAndStopsCleanly) {
  TestFolder scripts;
  HaldProcess::Options options = Serve(ListeningFakeHald(scripts, 0), "{\"pool\": 1}");
  options.listen_tcp = true;
  options.extra_arguments = {"--metrics"};
  auto hald = HaldProcess::Start(options);
  ASSERT_TRUE(hald.ok()) << hald.status();
  HaldProcess& daemon = **hald;
  EXPECT_EQ(daemon.unix_endpoint(), "unix:" + daemon.folder() + "/hald.sock");
  EXPECT_EQ(daemon.tcp_endpoint(), "tcp://127.0.0.1:4242");
  EXPECT_EQ(daemon.pool_path(), daemon.folder() + "/pool.json");
  EXPECT_GT(daemon.pid(), 0);
  EXPECT_TRUE(daemon.Running());
  EXPECT_THAT(daemon.log(), HasSubstr("{\"pool\": 1}"));
  EXPECT_THAT(daemon.log(), HasSubstr("argument --metrics"));
  ASSERT_TRUE(daemon.RewritePool("{}").ok());
  EXPECT_TRUE(daemon.StopCleanly().ok());
  EXPECT_THAT(daemon.log(), HasSubstr("stopping"));
  EXPECT_FALSE(daemon.Running());
}

TEST(HaldProcessTest, ListensOnTheUnixSocketAlone) {
  TestFolder scripts;
  auto hald = HaldProcess::Start(Serve(ListeningFakeHald(scripts, 0), "{}"));
  ASSERT_TRUE(hald.ok()) << hald.status();
  EXPECT_EQ((*hald)->tcp_endpoint(), "");
  auto ended = (*hald)->Stop();
  ASSERT_TRUE(ended.ok()) << ended.status();
  EXPECT_TRUE(ended->exited);
  EXPECT_EQ(ended->code, 0);
}

TEST(HaldProcessTest, AFailingExitOnSigtermIsReported) {
  TestFolder scripts;
  auto hald = HaldProcess::Start(Serve(ListeningFakeHald(scripts, 3), "{}"));
  ASSERT_TRUE(hald.ok()) << hald.status();
  const absl::Status stopped = (*hald)->StopCleanly();
  EXPECT_EQ(stopped.code(), absl::StatusCode::kInternal);
  EXPECT_THAT(stopped.message(), HasSubstr("exit status 3"));
  EXPECT_THAT(stopped.message(), HasSubstr("stopping"));
}

TEST(HaldProcessTest, AHaldIgnoringSigtermIsKilled) {
  TestFolder scripts;
  const std::string stubborn = FakeHald(scripts, R"(
echo "hald: listening on $4" >&2
trap "" TERM
while true; do sleep 0.01; done)");
  auto hald = HaldProcess::Start(Serve(stubborn, "{}"));
  ASSERT_TRUE(hald.ok()) << hald.status();
  EXPECT_EQ((*hald)->StopCleanly(absl::Milliseconds(200)).code(),
            absl::StatusCode::kDeadlineExceeded);
  EXPECT_FALSE((*hald)->Running());
}

TEST(HaldProcessTest, AHaldThatEndsOrNeverListensIsAnError) {
  TestFolder scripts;
  auto ends =
      HaldProcess::Start(Serve(FakeHald(scripts, "echo 'hald: bad pool file' >&2; exit 2"), "{}"));
  EXPECT_EQ(ends.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(ends.status().message(), HasSubstr("exit status 2"));
  EXPECT_THAT(ends.status().message(), HasSubstr("hald: bad pool file"));

  TestFolder other;
  HaldProcess::Options options = Serve(FakeHald(other, "sleep 30"), "{}");
  options.ready_timeout = absl::Milliseconds(100);
  auto silent = HaldProcess::Start(options);
  EXPECT_EQ(silent.status().code(), absl::StatusCode::kDeadlineExceeded);
  EXPECT_THAT(silent.status().message(), HasSubstr("hald: listening on"));
}

}  // namespace
}  // namespace hal::testing
