// Reading the Linux text files that describe the host: /proc/cpuinfo,
// /proc/meminfo, /etc/machine-id and sysfs's cache description.
#ifndef HAL_BACKENDS_COMMON_PROC_FILES_H_
#define HAL_BACKENDS_COMMON_PROC_FILES_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace hal::driver_support {

// The value of the first "key : value" line of `path` whose key is `key`,
// trimmed of blanks; nullopt if the file or the key is missing.
std::optional<std::string> ReadKeyValueField(const char* path, std::string_view key);

// A /proc/meminfo quantity ("MemTotal", "MemAvailable") in bytes.
std::optional<uint64_t> ReadMemInfoBytes(std::string_view key);

// The first line of `path` without its newline; nullopt if missing or empty.
std::optional<std::string> ReadFirstLine(const char* path);

// A cache size as sysfs writes it ("2048K", "32M", "512"), in
// bytes; nullopt when it is not a number with an optional K/M/G suffix.
std::optional<uint64_t> ParseCacheSize(std::string_view text);

// The size of CPU 0's level-2 cache from /sys/devices/system/cpu/cpu0/cache;
// nullopt where sysfs does not say.
std::optional<uint64_t> ReadL2CacheBytes();

// The size of CPU 0's last-level cache (the highest level sysfs lists: L3 on
// most x86 servers, shared by the CPUs of its complex); nullopt where sysfs
// does not say.
std::optional<uint64_t> ReadLastLevelCacheBytes();

}  // namespace hal::driver_support

#endif  // HAL_BACKENDS_COMMON_PROC_FILES_H_
