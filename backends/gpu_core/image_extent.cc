#include "backends/gpu_core/image_extent.h"

#include <elf.h>

#include <cstring>
#include <string_view>

namespace hal::gpu {
namespace {

// clang-offload-bundler's binary format: the magic, a 64-bit entry count,
// then per entry its 64-bit offset, size and triple length, and the triple.
constexpr std::string_view kOffloadBundleMagic = "__CLANG_OFFLOAD_BUNDLE__";

bool Within(uint64_t size, uint64_t offset, uint64_t length) {
  return offset <= size && length <= size - offset;
}

uint64_t Read64(const uint8_t* image, uint64_t offset) {
  uint64_t value;
  std::memcpy(&value, image + offset, sizeof(value));
  return value;
}

bool ElfWithin(const uint8_t* image, uint64_t size) {
  if (size < sizeof(Elf64_Ehdr)) return false;
  Elf64_Ehdr header;
  std::memcpy(&header, image, sizeof(header));
  if (header.e_ident[EI_CLASS] != ELFCLASS64 || header.e_shentsize != sizeof(Elf64_Shdr)) {
    return false;
  }
  if (!Within(size, header.e_shoff, uint64_t{header.e_shnum} * sizeof(Elf64_Shdr)) ||
      !Within(size, header.e_phoff, uint64_t{header.e_phnum} * header.e_phentsize)) {
    return false;
  }
  for (uint16_t i = 0; i < header.e_shnum; ++i) {
    Elf64_Shdr section;
    std::memcpy(&section, image + header.e_shoff + i * sizeof(Elf64_Shdr), sizeof(section));
    if (section.sh_type != SHT_NOBITS && !Within(size, section.sh_offset, section.sh_size)) {
      return false;
    }
  }
  return true;
}

bool OffloadBundleWithin(const uint8_t* image, uint64_t size) {
  uint64_t cursor = kOffloadBundleMagic.size();
  if (!Within(size, cursor, 8)) return false;
  const uint64_t entries = Read64(image, cursor);
  cursor += 8;
  for (uint64_t i = 0; i < entries; ++i) {
    if (!Within(size, cursor, 24)) return false;
    const uint64_t offset = Read64(image, cursor);
    const uint64_t length = Read64(image, cursor + 8);
    const uint64_t triple_size = Read64(image, cursor + 16);
    cursor += 24;
    if (!Within(size, cursor, triple_size) || !Within(size, offset, length)) return false;
    cursor += triple_size;
  }
  return true;
}

}  // namespace

ImageContainer ContainerOf(const uint8_t* image, uint64_t size) {
  if (size >= sizeof(Elf64_Ehdr) && std::memcmp(image, ELFMAG, SELFMAG) == 0) {
    return ImageContainer::kElf;
  }
  if (size >= kOffloadBundleMagic.size() + sizeof(uint64_t) &&
      std::memcmp(image, kOffloadBundleMagic.data(), kOffloadBundleMagic.size()) == 0) {
    return ImageContainer::kOffloadBundle;
  }
  return ImageContainer::kOther;
}

bool ImageExtentWithin(const uint8_t* image, uint64_t size) {
  // An ELF's or a bundle's magic on too few bytes for its header is refused;
  // any other image has no extent to check.
  if (size >= SELFMAG && std::memcmp(image, ELFMAG, SELFMAG) == 0) return ElfWithin(image, size);
  if (size >= kOffloadBundleMagic.size() &&
      std::memcmp(image, kOffloadBundleMagic.data(), kOffloadBundleMagic.size()) == 0) {
    return OffloadBundleWithin(image, size);
  }
  return true;
}

}  // namespace hal::gpu
