// Reading a 64-bit little-endian ELF device image (a cubin, an AMDGPU code
// object) from its bytes: sections, their names and bytes, symbols, and the
// bytes at a virtual address. The image is hostile input: every read is
// bounds-checked, and anything malformed is InvalidArgument "malformed
// <kind>: <what>", <kind> naming the image ("cubin", "hsaco").
#ifndef HAL_BACKENDS_GPU_CORE_ELF_IMAGE_H_
#define HAL_BACKENDS_GPU_CORE_ELF_IMAGE_H_

#include <elf.h>

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"

namespace hal::gpu {

// A T from possibly unaligned bytes of an image (the caller checked the bounds).
template <typename T>
T ReadUnaligned(const uint8_t* bytes) {
  T value;
  std::memcpy(&value, bytes, sizeof(T));
  return value;
}

bool LooksLikeElf(const void* image);

// The extent of an ELF image known only by its start (a module load gets no
// size): the end of its furthest header table or section. Reads the headers
// in place, so the caller vouches that they are readable; refuses tables or
// extents beyond `limit`.
absl::StatusOr<size_t> ElfImageSize(const uint8_t* image, size_t limit);

struct ElfSymbol {
  // Points into the image's string table: copies would let a small image
  // (symbols all naming one long string) ask for gigabytes.
  absl::string_view name;
  uint8_t type = STT_NOTYPE;
  uint64_t value = 0;
  uint64_t size = 0;
};

class ElfImage {
 public:
  // Checks the header and the section header table; `bytes` must outlive
  // the ElfImage.
  static absl::StatusOr<ElfImage> Parse(absl::Span<const uint8_t> bytes, absl::string_view kind);

  const Elf64_Ehdr& header() const { return header_; }
  const std::vector<Elf64_Shdr>& sections() const { return sections_; }
  absl::StatusOr<absl::string_view> SectionName(const Elf64_Shdr& section) const;
  // Empty for SHT_NOBITS.
  absl::StatusOr<absl::Span<const uint8_t>> SectionBytes(const Elf64_Shdr& section) const;
  // Every symbol of every SHT_SYMTAB and SHT_DYNSYM section. Refuses names
  // that together exceed the image's size plus 1 MiB (room for names that
  // share bytes): symbols naming one long string over and over would make
  // every reader of the names (a lookup by name) take time quadratic in the
  // image's size.
  absl::StatusOr<std::vector<ElfSymbol>> Symbols() const;
  // `size` bytes at virtual address `address`, inside one allocated section.
  absl::StatusOr<absl::Span<const uint8_t>> BytesAt(uint64_t address, uint64_t size) const;

  // InvalidArgument "malformed <kind>: <what>".
  absl::Status Malformed(absl::string_view what) const;

 private:
  ElfImage(absl::Span<const uint8_t> bytes, std::string kind) : bytes_(bytes), kind_(std::move(kind)) {}
  absl::StatusOr<absl::string_view> StringAt(absl::Span<const uint8_t> table, uint64_t offset,
                                             absl::string_view what) const;

  absl::Span<const uint8_t> bytes_;
  std::string kind_;
  Elf64_Ehdr header_{};
  std::vector<Elf64_Shdr> sections_;
  absl::Span<const uint8_t> section_names_;
};

}  // namespace hal::gpu

#endif  // HAL_BACKENDS_GPU_CORE_ELF_IMAGE_H_
