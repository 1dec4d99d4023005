// Offsets and sizes a well-behaved driver never sends: past the end of a
// buffer, wrapping around 2^64, inline bytes that disagree with the stated
// size, allocations past the quota, and kernels the daemon must not run. Each
// is refused with its status; nothing is read or written outside the buffer.
#include <cstdint>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "gtest/gtest.h"
#include "hal/status_macros.h"
#include "tests/remote_hostile/hostile_daemon_test.h"

namespace hal::testing {
namespace {

using remote::v1::ClientMessage;
using RangesTest = HostileDaemonTest;

constexpr uint64_t kBufferBytes = 4096;  // OpenTenant's buffer 1
constexpr uint64_t kNearWrap = std::numeric_limits<uint64_t>::max() - 15;

// Each command goes to a stream of its own: a stream keeps its first failure.
ClientMessage Upload(uint64_t offset, uint64_t size, uint64_t inline_bytes) {
  ClientMessage m = CopyToDevice(0, 1, offset, size);
  m.mutable_copy_host_to_device()->set_inline_data(std::string(inline_bytes, 'u'));
  return m;
}

ClientMessage Download(uint64_t offset, uint64_t size) {
  return CopyToHost(0, 1, offset, size, 77);
}

ClientMessage CopyBuffer(uint64_t src_offset, uint64_t dst_offset, uint64_t size) {
  ClientMessage m;
  remote::v1::CopyBuffer& copy = *m.mutable_copy_buffer();
  copy.set_src(1);
  copy.set_dst(1);
  copy.set_src_offset(src_offset);
  copy.set_dst_offset(dst_offset);
  copy.set_size(size);
  return m;
}

ClientMessage Fill(uint64_t offset, uint64_t size) {
  ClientMessage m;
  remote::v1::Fill& fill = *m.mutable_fill();
  fill.set_dst(1);
  fill.set_offset(offset);
  fill.set_size(size);
  fill.set_pattern(0xdeadbeef);
  return m;
}

std::vector<std::pair<std::string, ClientMessage>> OutOfRangeCommands() {
  return {
      {"upload past the end", Upload(kBufferBytes - 8, 16, 16)},
      {"upload wrapping around 2^64", Upload(kNearWrap, 32, 32)},
      {"upload stating more bytes than it carries", Upload(0, 1024, 16)},
      {"upload stating fewer bytes than it carries", Upload(0, 16, 1024)},
      {"download past the end", Download(kBufferBytes - 8, 16)},
      {"download wrapping around 2^64", Download(kNearWrap, 32)},
      {"download of a terabyte", Download(0, 1ull << 40)},
      {"copy from past the end", CopyBuffer(kBufferBytes, 0, 1)},
      {"copy to past the end", CopyBuffer(0, kBufferBytes - 1, 2)},
      {"copy wrapping around 2^64", CopyBuffer(0, kNearWrap, 32)},
      {"fill past the end", Fill(kBufferBytes - 4, 8)},
      {"fill wrapping around 2^64", Fill(kNearWrap, 32)},
  };
}

void SetStream(ClientMessage& command, uint64_t stream) {
  switch (command.body_case()) {
    case ClientMessage::kCopyHostToDevice:
      command.mutable_copy_host_to_device()->set_stream(stream);
      break;
    case ClientMessage::kCopyDeviceToHost:
      command.mutable_copy_device_to_host()->set_stream(stream);
      break;
    case ClientMessage::kCopyBuffer:
      command.mutable_copy_buffer()->set_stream(stream);
      break;
    default:
      command.mutable_fill()->set_stream(stream);
  }
}

TEST_F(RangesTest, OutOfRangeCommandsAreInvalidArgumentAndTouchNothing) {
  std::unique_ptr<RawSession> session = OpenTenant(kDeviceB, kBufferBytes);
  ASSERT_NE(session, nullptr);
  const std::string contents = Pattern(kBufferBytes, 11);
  ASSERT_TRUE(session->Upload(1, 1, 0, contents).ok());
  ASSERT_TRUE(session->Synchronize(1).ok());
  uint64_t stream = 1;
  for (auto& [name, command] : OutOfRangeCommands()) {
    SCOPED_TRACE(name);
    ASSERT_TRUE(session->CreateStream(++stream).ok());
    SetStream(command, stream);
    ASSERT_TRUE(session->Send(command).ok());
    EXPECT_EQ(session->Synchronize(stream).code(), absl::StatusCode::kInvalidArgument);
    // Stream 1 still reads what was written.
    absl::StatusOr<std::string> read = session->Download(1, 1, 0, kBufferBytes);
    ASSERT_TRUE(read.ok()) << read.status();
    EXPECT_TRUE(*read == contents) << "a refused command changed the buffer";
  }
}

TEST_F(RangesTest, AllocationsPastTheQuotaAreResourceExhausted) {
  std::unique_ptr<RawSession> session = OpenTenant(kDeviceB);
  ASSERT_NE(session, nullptr);
  EXPECT_EQ(session->Allocate(2, kQuotaBytes + 1).code(), absl::StatusCode::kResourceExhausted);
  const absl::Status huge = session->Allocate(3, std::numeric_limits<uint64_t>::max());
  EXPECT_TRUE(huge.code() == absl::StatusCode::kResourceExhausted ||
              huge.code() == absl::StatusCode::kInvalidArgument)
      << huge;
  // Refusals take no charge: the rest of the quota is still there.
  EXPECT_TRUE(session->Allocate(4, kQuotaBytes / 2).ok());
}

// Loads `image` as module 1 and gets kernel `name` of it (one binding-less
// workgroup of one): the first refusal, or OK when both were served.
absl::Status LoadKernel(RawSession& session, const std::string& format, const std::string& image,
                        const std::string& name) {
  ClientMessage load;
  load.mutable_module_load()->set_module(1);
  load.mutable_module_load()->set_format(format);
  load.mutable_module_load()->set_image(image);
  HAL_RETURN_IF_ERROR(session.Request(load));
  ClientMessage get;
  remote::v1::KernelGet& kernel = *get.mutable_kernel_get();
  kernel.set_kernel(1);
  kernel.set_module(1);
  kernel.set_name(name);
  for (int i = 0; i < 3; ++i) kernel.mutable_signature()->add_workgroup_size(1);
  return session.Request(get);
}

TEST_F(RangesTest, ANativeCpuImageIsPermissionDenied) {
  // The pool file allows no native kernels: a CPU image would run in the
  // daemon's own process. Refused at the load or at the kernel, whichever
  // first sees the image.
  std::unique_ptr<RawSession> session = OpenTenant(kDeviceB);
  ASSERT_NE(session, nullptr);
  const std::string elf = std::string(
                              "\x7f"
                              "ELF",
                              4) +
                          std::string(60, '\0');
  const absl::Status refusal = LoadKernel(*session, "cpu-elf:x86_64", elf, "noop");
  EXPECT_EQ(refusal.code(), absl::StatusCode::kPermissionDenied) << refusal;
}

TEST_F(RangesTest, AGarbageImageIsRefused) {
  std::unique_ptr<RawSession> session = OpenTenant(kDeviceB);
  ASSERT_NE(session, nullptr);
  EXPECT_FALSE(LoadKernel(*session, "spirv-vulkan", Pattern(4096, 5), "main").ok())
      << "hald accepted a garbage image";
}

}  // namespace
}  // namespace hal::testing
