#include "backends/common/memory_shared_object.h"

#include <dlfcn.h>
#include <elf.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

namespace hal::driver_support {
namespace {

// Closes a descriptor unless released.
class ScopedFd {
 public:
  explicit ScopedFd(int fd) : fd_(fd) {}
  ~ScopedFd() {
    if (fd_ >= 0) close(fd_);
  }
  ScopedFd(const ScopedFd&) = delete;
  ScopedFd& operator=(const ScopedFd&) = delete;
  int get() const { return fd_; }
  int release() { return std::exchange(fd_, -1); }

 private:
  int fd_;
};

bool WriteAll(int fd, const std::byte* data, size_t size) {
  while (size > 0) {
    const ssize_t written = write(fd, data, size);
    if (written < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    data += written;
    size -= static_cast<size_t>(written);
  }
  return true;
}

// What makes a 64-bit ELF image shorter than its own headers say ("" when
// nothing does). The dynamic loader maps each segment from the file and reads
// the dynamic section through that mapping: a segment ending past the end of
// the file is a SIGBUS inside dlopen, not an error it returns. Other ELF
// classes and non-ELF bytes are left to dlopen, which refuses them itself.
std::string TruncationOf(const std::byte* image, size_t size) {
  Elf64_Ehdr header;
  if (size < sizeof(header)) return "";
  std::memcpy(&header, image, sizeof(header));
  if (std::memcmp(header.e_ident, ELFMAG, SELFMAG) != 0 || header.e_ident[EI_CLASS] != ELFCLASS64) {
    return "";
  }
  if (header.e_phnum > 0 && header.e_phentsize != sizeof(Elf64_Phdr)) {
    return "its program headers are " + std::to_string(header.e_phentsize) + " bytes each, not " +
           std::to_string(sizeof(Elf64_Phdr));
  }
  const uint64_t table_size = uint64_t{header.e_phnum} * sizeof(Elf64_Phdr);
  if (header.e_phoff > size || table_size > size - header.e_phoff) {
    return "its " + std::to_string(header.e_phnum) + " program headers at byte " +
           std::to_string(header.e_phoff) + " end past its " + std::to_string(size) + " bytes";
  }
  for (uint16_t i = 0; i < header.e_phnum; ++i) {
    Elf64_Phdr segment;
    std::memcpy(&segment, image + header.e_phoff + i * sizeof(Elf64_Phdr), sizeof(segment));
    if (segment.p_offset > size || segment.p_filesz > size - segment.p_offset) {
      return "segment " + std::to_string(i) + " (" + std::to_string(segment.p_filesz) +
             " bytes at byte " + std::to_string(segment.p_offset) + ") ends past its " +
             std::to_string(size) + " bytes";
    }
  }
  return "";
}

}  // namespace

std::unique_ptr<MemorySharedObject> MemorySharedObject::Load(const void* image, size_t image_size,
                                                             const char* memfd_name,
                                                             LoadError* error) {
  if (std::string truncation = TruncationOf(static_cast<const std::byte*>(image), image_size);
      !truncation.empty()) {
    *error = {Step::kDlopen, "the ELF image is truncated: " + truncation};
    return nullptr;
  }
  ScopedFd memfd(memfd_create(memfd_name, MFD_CLOEXEC));
  if (memfd.get() < 0) {
    *error = {Step::kMemfdCreate, std::strerror(errno)};
    return nullptr;
  }
  if (!WriteAll(memfd.get(), static_cast<const std::byte*>(image), image_size)) {
    *error = {Step::kWrite, std::strerror(errno)};
    return nullptr;
  }
  std::string path = "/proc/self/fd/" + std::to_string(memfd.get());
  void* handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (handle == nullptr) {
    const char* why = dlerror();
    *error = {Step::kDlopen, why != nullptr ? why : "unknown error"};
    return nullptr;
  }
  return std::unique_ptr<MemorySharedObject>(
      new MemorySharedObject(memfd.release(), std::move(path), handle));
}

MemorySharedObject::MemorySharedObject(int memfd, std::string path, void* handle)
    : memfd_(memfd), path_(std::move(path)), handle_(handle) {}

MemorySharedObject::~MemorySharedObject() {
  dlclose(handle_);
  // The dynamic loader recognizes an object by its path before it looks at
  // the file. dlclose may keep an object loaded (GNU unique symbols, -z
  // nodelete); closing its memfd would then let a later image get the same
  // descriptor number and path, and dlopen would return this stale object.
  // Such an object keeps its descriptor for the life of the process.
  if (void* still_loaded = dlopen(path_.c_str(), RTLD_NOW | RTLD_NOLOAD)) {
    dlclose(still_loaded);
    return;
  }
  close(memfd_);
}

void* MemorySharedObject::Symbol(const char* name) const { return dlsym(handle_, name); }

}  // namespace hal::driver_support
