// Paths that are not regular files, or are too large, for the tests of every
// place the project reads a file the user names: a directory, a FIFO (which
// blocks a naive reader forever), /dev/zero (endless) and a sparse file one
// byte over a limit (cheap to make, refused before it is read).
#ifndef HAL_TESTS_HOSTILE_FILES_H_
#define HAL_TESTS_HOSTILE_FILES_H_

#include <sys/stat.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "tests/test_folder.h"

namespace hal::testing {

struct HostileFile {
  std::string kind;  // what the test names
  std::string path;
  std::string refusal;  // a part of the message that must name the problem
};

// Each is called `name` (plus a suffix) inside `folder`, so that a reader
// filtering by extension (*.json) still meets it.
inline std::vector<HostileFile> MakeHostileFiles(const TestFolder& folder, const std::string& name,
                                                 uint64_t limit_bytes) {
  const std::string stem = folder.path() + "/";
  std::vector<HostileFile> files = {
      {"directory", stem + "dir-" + name, "is a directory, not a regular file"},
      {"FIFO", stem + "fifo-" + name, "is a FIFO, not a regular file"},
      {"/dev/zero", "/dev/zero", "is a character device, not a regular file"},
      {"over-limit file", stem + "huge-" + name,
       "is " + std::to_string(limit_bytes + 1) + " bytes; at most " + std::to_string(limit_bytes)}};
  if (!std::filesystem::create_directory(files[0].path) ||
      mkfifo(files[1].path.c_str(), 0600) != 0 ||
      truncate(folder.Write("huge-" + name, "").c_str(), static_cast<off_t>(limit_bytes + 1)) !=
          0) {
    std::abort();
  }
  return files;
}

}  // namespace hal::testing

#endif  // HAL_TESTS_HOSTILE_FILES_H_
