#include "backends/common/derived_uuid.h"

#include <fstream>
#include <string>

namespace hal::driver_support {
namespace {

uint64_t Fnv1a64(std::string_view text, uint64_t basis) {
  uint64_t hash = basis;
  for (const char c : text) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 0x100000001b3;
  }
  return hash;
}

// The first line of the first of the machine-id files that has one.
std::string MachineId() {
  for (const char* path : {"/etc/machine-id", "/var/lib/dbus/machine-id"}) {
    std::ifstream file(path);
    std::string line;
    if (std::getline(file, line) && !line.empty()) return line;
  }
  return "";
}

}  // namespace

void DeriveUuid(std::string_view identity, uint8_t uuid[16]) {
  const std::string seed = MachineId() + "\n" + std::string(identity);
  const uint64_t halves[2] = {Fnv1a64(seed, 0xcbf29ce484222325), Fnv1a64(seed, 0x84222325cbf29ce4)};
  for (int i = 0; i < 16; ++i) uuid[i] = static_cast<uint8_t>(halves[i / 8] >> (8 * (i % 8)));
  uuid[6] = static_cast<uint8_t>((uuid[6] & 0x0f) | 0x80);  // version 8
  uuid[8] = static_cast<uint8_t>((uuid[8] & 0x3f) | 0x80);  // RFC 9562 variant
}

}  // namespace hal::driver_support
