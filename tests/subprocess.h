// Runs a command line through the shell, capturing stdout and stderr
// together, for tests of the project's programs as a user runs them.
#ifndef HAL_TESTS_SUBPROCESS_H_
#define HAL_TESTS_SUBPROCESS_H_

#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <string>

namespace hal::testing {

struct CommandResult {
  int exit_code = -1;  // -1 when the command did not exit normally
  std::string output;
};

inline CommandResult RunCommand(const std::string& command_line) {
  CommandResult result;
  FILE* pipe = popen((command_line + " 2>&1").c_str(), "r");
  if (pipe == nullptr) return result;
  std::array<char, 4096> chunk;
  size_t n;
  while ((n = fread(chunk.data(), 1, chunk.size(), pipe)) > 0) result.output.append(chunk.data(), n);
  const int status = pclose(pipe);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

// A program of the build tree: HAL_TEST_BINARY_DIR/bin/<name>.
inline std::string BuiltProgram(const std::string& name) {
  return std::string(HAL_TEST_BINARY_DIR) + "/bin/" + name;
}

}  // namespace hal::testing

#endif  // HAL_TESTS_SUBPROCESS_H_
