#include "backends/common/proc_files.h"

#include <charconv>
#include <cstdint>
#include <fstream>

namespace hal::driver_support {
namespace {

constexpr std::string_view kBlanks = " \t";

std::string_view Trim(std::string_view text) {
  const size_t begin = text.find_first_not_of(kBlanks);
  if (begin == std::string_view::npos) return {};
  const size_t end = text.find_last_not_of(kBlanks);
  return text.substr(begin, end - begin + 1);
}

}  // namespace

std::optional<std::string> ReadKeyValueField(const char* path, std::string_view key) {
  std::ifstream file(path);
  std::string line;
  while (std::getline(file, line)) {
    const std::string_view view = line;
    const size_t colon = view.find(':');
    if (colon == std::string_view::npos) continue;
    if (Trim(view.substr(0, colon)) == key) return std::string(Trim(view.substr(colon + 1)));
  }
  return std::nullopt;
}

std::optional<uint64_t> ReadMemInfoBytes(std::string_view key) {
  // Lines read "MemTotal:       16318460 kB"; the unit is always kB.
  const std::optional<std::string> field = ReadKeyValueField("/proc/meminfo", key);
  if (!field) return std::nullopt;
  uint64_t kibibytes = 0;
  const char* const begin = field->data();
  if (std::from_chars(begin, begin + field->size(), kibibytes).ec != std::errc()) {
    return std::nullopt;
  }
  return kibibytes * 1024;
}

std::optional<std::string> ReadFirstLine(const char* path) {
  std::ifstream file(path);
  std::string line;
  if (!std::getline(file, line) || line.empty()) return std::nullopt;
  return line;
}

std::optional<uint64_t> ParseCacheSize(std::string_view text) {
  uint64_t value = 0;
  const char* const end = text.data() + text.size();
  const auto [rest, error] = std::from_chars(text.data(), end, value);
  if (error != std::errc() || rest == text.data()) return std::nullopt;
  const std::string_view suffix(rest, end - rest);
  uint64_t scale = 1;
  if (suffix == "K") {
    scale = uint64_t{1} << 10;
  } else if (suffix == "M") {
    scale = uint64_t{1} << 20;
  } else if (suffix == "G") {
    scale = uint64_t{1} << 30;
  } else if (!suffix.empty()) {
    return std::nullopt;
  }
  if (value > UINT64_MAX / scale) return std::nullopt;
  return value * scale;
}

namespace {

// The size of the cache CPU 0 sees at `level` (its data or unified cache: the
// first sysfs lists); nullopt where sysfs names none.
std::optional<uint64_t> ReadCacheBytes(int level) {
  // index0..indexN describe the caches CPU 0 sees, each with its level.
  const std::string wanted = std::to_string(level);
  for (int index = 0; index < 16; ++index) {
    const std::string folder =
        "/sys/devices/system/cpu/cpu0/cache/index" + std::to_string(index) + "/";
    const std::optional<std::string> text = ReadFirstLine((folder + "level").c_str());
    if (!text) return std::nullopt;  // no more caches
    if (*text != wanted) continue;
    const std::optional<std::string> size = ReadFirstLine((folder + "size").c_str());
    return size ? ParseCacheSize(*size) : std::nullopt;
  }
  return std::nullopt;
}

}  // namespace

std::optional<uint64_t> ReadL2CacheBytes() { return ReadCacheBytes(2); }

std::optional<uint64_t> ReadLastLevelCacheBytes() {
  for (int level = 4; level >= 1; --level) {
    if (std::optional<uint64_t> bytes = ReadCacheBytes(level)) return bytes;
  }
  return std::nullopt;
}

}  // namespace hal::driver_support
