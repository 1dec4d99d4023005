#include "runtime/install_paths.h"

#include <dlfcn.h>

#include <filesystem>

namespace hal::internal {

std::string HalDataDir() {
  Dl_info self{};
  if (dladdr(reinterpret_cast<const void*>(&HalDataDir), &self) == 0 ||
      self.dli_fname == nullptr) {
    return "";
  }
  std::filesystem::path library_dir =
      std::filesystem::weakly_canonical(self.dli_fname).parent_path();
  return (library_dir / HAL_DATADIR_FROM_LIBDIR).lexically_normal().string();
}

}  // namespace hal::internal
