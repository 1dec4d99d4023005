// Folders of the hal install (or build tree, which mirrors it), found
// relative to libhal itself so an install can be moved anywhere.
#ifndef HAL_RUNTIME_INSTALL_PATHS_H_
#define HAL_RUNTIME_INSTALL_PATHS_H_

#include <string>

namespace hal::internal {

// <prefix>/share/hal, or "" if libhal cannot locate itself.
std::string HalDataDir();

}  // namespace hal::internal

#endif  // HAL_RUNTIME_INSTALL_PATHS_H_
