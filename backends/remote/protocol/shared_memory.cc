#include "backends/remote/protocol/shared_memory.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <limits>
#include <utility>

#include "absl/strings/str_cat.h"

namespace hal::remote {
namespace {

absl::Status ErrnoError(absl::StatusCode code, absl::string_view what, int error) {
  return absl::Status(code, absl::StrCat(what, ": ", std::strerror(error)));
}

absl::StatusOr<uint8_t*> MapShared(int fd, uint64_t size) {
  void* data = mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  if (data == MAP_FAILED) {
    return ErrnoError(absl::StatusCode::kResourceExhausted,
                      absl::StrCat("shared memory: mmap of ", size, " bytes"), errno);
  }
  return static_cast<uint8_t*>(data);
}

}  // namespace

void SharedMemory::PopulateHere() const {
  if (data_ != nullptr) madvise(data_, size_, MADV_POPULATE_WRITE);
}

absl::StatusOr<SharedMemory> SharedMemory::Create(uint64_t size, const char* name) {
  if (size == 0) return absl::InvalidArgumentError("shared memory: size 0");
  UniqueFd fd(memfd_create(name, MFD_CLOEXEC | MFD_ALLOW_SEALING));
  if (!fd.valid()) {
    return ErrnoError(absl::StatusCode::kResourceExhausted,
                      absl::StrCat("shared memory: memfd_create(", name, ")"), errno);
  }
  if (size > static_cast<uint64_t>(std::numeric_limits<off_t>::max()) ||
      ftruncate(fd.get(), static_cast<off_t>(size)) != 0) {
    return ErrnoError(absl::StatusCode::kResourceExhausted,
                      absl::StrCat("shared memory: ftruncate to ", size, " bytes"), errno);
  }
  if (fcntl(fd.get(), F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL) != 0) {
    return ErrnoError(absl::StatusCode::kInternal, "shared memory: sealing", errno);
  }
  absl::StatusOr<uint8_t*> data = MapShared(fd.get(), size);
  if (!data.ok()) return data.status();
  return SharedMemory(std::move(fd), *data, size);
}

absl::StatusOr<SharedMemory> SharedMemory::Map(UniqueFd fd, uint64_t expected_size) {
  struct stat st {};
  if (fstat(fd.get(), &st) != 0) {
    return ErrnoError(absl::StatusCode::kInvalidArgument, "shared memory: fstat", errno);
  }
  if (!S_ISREG(st.st_mode)) {
    return absl::InvalidArgumentError("shared memory: the descriptor is not a memfd");
  }
  if (expected_size == 0 || static_cast<uint64_t>(st.st_size) != expected_size) {
    return absl::InvalidArgumentError(absl::StrCat("shared memory: the memfd is ", st.st_size,
                                                   " bytes, the peer said ", expected_size));
  }
  const int seals = fcntl(fd.get(), F_GET_SEALS);
  if (seals < 0 || (seals & F_SEAL_SHRINK) == 0) {
    return absl::InvalidArgumentError(
        "shared memory: the memfd is not sealed against shrinking (F_SEAL_SHRINK)");
  }
  absl::StatusOr<uint8_t*> data = MapShared(fd.get(), expected_size);
  if (!data.ok()) return absl::InvalidArgumentError(data.status().message());
  return SharedMemory(std::move(fd), *data, expected_size);
}

SharedMemory::SharedMemory(SharedMemory&& other) noexcept
    : fd_(std::move(other.fd_)),
      data_(std::exchange(other.data_, nullptr)),
      size_(std::exchange(other.size_, 0)) {}

SharedMemory& SharedMemory::operator=(SharedMemory&& other) noexcept {
  if (this != &other) {
    Unmap();
    fd_ = std::move(other.fd_);
    data_ = std::exchange(other.data_, nullptr);
    size_ = std::exchange(other.size_, 0);
  }
  return *this;
}

SharedMemory::~SharedMemory() { Unmap(); }

void SharedMemory::Unmap() {
  if (data_ != nullptr) munmap(data_, size_);
  data_ = nullptr;
  size_ = 0;
}

absl::StatusOr<absl::Span<uint8_t>> SharedMemory::Range(const ShmRange& range) const {
  // offset <= size first, so size - offset cannot wrap.
  if (range.offset() > size_ || range.size() > size_ - range.offset()) {
    return absl::InvalidArgumentError(absl::StrCat("shared memory range [", range.offset(), ", +",
                                                   range.size(), ") lies outside its ", size_,
                                                   " bytes"));
  }
  return absl::Span<uint8_t>(data_ + range.offset(), range.size());
}

}  // namespace hal::remote
