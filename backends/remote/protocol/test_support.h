#ifndef HAL_BACKENDS_REMOTE_PROTOCOL_TEST_SUPPORT_H_
#define HAL_BACKENDS_REMOTE_PROTOCOL_TEST_SUPPORT_H_

// Helpers of the remote protocol's and driver's tests only.

#include <stdlib.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdint>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "backends/remote/protocol/frame_codec.h"
#include "backends/remote/protocol/shared_memory.h"
#include "backends/remote/protocol/unique_fd.h"
#include "gtest/gtest.h"

namespace hal::remote::testing {

// How many of the mapping's pages are in memory (mincore).
inline uint64_t ResidentPages(const SharedMemory& memory) {
  const uint64_t page = static_cast<uint64_t>(sysconf(_SC_PAGESIZE));
  std::vector<unsigned char> resident((memory.size() + page - 1) / page);
  if (mincore(memory.data(), memory.size(), resident.data()) != 0) return 0;
  uint64_t count = 0;
  for (unsigned char flags : resident) count += flags & 1;
  return count;
}

// Whether this kernel has MADV_POPULATE_WRITE (Linux 5.14), which
// SharedMemory::PopulateHere needs.
inline bool KernelPopulatesOnAdvice() {
  void* probe = mmap(nullptr, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (probe == MAP_FAILED) return false;
  const bool supported = madvise(probe, 4096, MADV_POPULATE_WRITE) == 0;
  munmap(probe, 4096);
  return supported;
}

// An admin request to create a virtual device that passes the decoder's
// checks, with every kind of field set.
inline ClientMessage ValidVirtualDeviceCreate() {
  ClientMessage message;
  message.set_request_id(4);
  v1::VirtualDeviceCreate* create = message.mutable_virtual_device_create();
  create->set_name("job-42");
  create->set_memory_quota(1 << 20);
  create->set_compute_share(0.5);
  create->set_require_vendor("NVIDIA");
  create->set_owner("slurm job 42.0");
  create->add_attach_uids(1000);
  create->set_lease(true);
  return message;
}

// A fresh directory under /tmp (short: Unix socket paths hold 107 bytes),
// removed with its contents on destruction.
class TempDir {
 public:
  TempDir() {
    std::string pattern = "/tmp/hal-proto-XXXXXX";
    if (mkdtemp(pattern.data()) != nullptr) path_ = pattern;
    EXPECT_FALSE(path_.empty()) << "mkdtemp failed";
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  std::string File(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

// A connected pair of Unix stream sockets.
inline std::pair<UniqueFd, UniqueFd> SocketPair() {
  int fds[2] = {-1, -1};
  EXPECT_EQ(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds), 0);
  return {UniqueFd(fds[0]), UniqueFd(fds[1])};
}

}  // namespace hal::remote::testing

#endif  // HAL_BACKENDS_REMOTE_PROTOCOL_TEST_SUPPORT_H_
