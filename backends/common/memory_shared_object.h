// A shared object loaded from bytes in memory, with no file on disk: written
// to a memfd and dlopened by its /proc/self/fd path (the CPU driver's kernel
// images, the fake vendor libraries' CPU twins).
#ifndef HAL_BACKENDS_COMMON_MEMORY_SHARED_OBJECT_H_
#define HAL_BACKENDS_COMMON_MEMORY_SHARED_OBJECT_H_

#include <cstddef>
#include <memory>
#include <string>

namespace hal::driver_support {

class MemorySharedObject {
 public:
  // Which step of loading failed, for the caller's own message and code.
  // kDlopen: the image cannot be loaded, refused by dlopen or, before it, an
  // ELF image shorter than its segments (dlopen would fault reading them).
  enum class Step { kMemfdCreate, kWrite, kDlopen };
  struct LoadError {
    Step step;
    std::string reason;  // strerror(errno), or dlerror()'s message
  };

  // Copies `image` into a memfd named `memfd_name` and dlopens it
  // (RTLD_NOW | RTLD_LOCAL), so unresolved symbols fail here rather than at
  // first use. nullptr and `*error` set on failure.
  static std::unique_ptr<MemorySharedObject> Load(const void* image, size_t image_size,
                                                  const char* memfd_name, LoadError* error);

  ~MemorySharedObject();
  MemorySharedObject(const MemorySharedObject&) = delete;
  MemorySharedObject& operator=(const MemorySharedObject&) = delete;

  // dlsym in this object alone; nullptr if it exports no `name`.
  void* Symbol(const char* name) const;

 private:
  MemorySharedObject(int memfd, std::string path, void* handle);

  int memfd_;
  std::string path_;  // "/proc/self/fd/<memfd_>", the name dlopen knows it by
  void* handle_;
};

}  // namespace hal::driver_support

#endif  // HAL_BACKENDS_COMMON_MEMORY_SHARED_OBJECT_H_
