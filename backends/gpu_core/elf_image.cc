#include "backends/gpu_core/elf_image.h"

#include <algorithm>
#include <cstring>

#include "absl/strings/str_cat.h"

namespace hal::gpu {
namespace {

constexpr uint64_t kSharedSymbolNameBytes = uint64_t{1} << 20;

absl::Status MalformedElf(absl::string_view what) {
  return absl::InvalidArgumentError(absl::StrCat("malformed ELF image: ", what));
}

}  // namespace

bool LooksLikeElf(const void* image) {
  // Byte by byte, stopping at the first difference, as the image's size is unknown.
  const auto* bytes = static_cast<const uint8_t*>(image);
  for (size_t i = 0; i < SELFMAG; ++i) {
    if (bytes[i] != static_cast<uint8_t>(ELFMAG[i])) return false;
  }
  return true;
}

absl::StatusOr<size_t> ElfImageSize(const uint8_t* image, size_t limit) {
  const auto header = ReadUnaligned<Elf64_Ehdr>(image);
  if (header.e_ident[EI_CLASS] != ELFCLASS64 || header.e_shentsize != sizeof(Elf64_Shdr)) {
    return MalformedElf("not a 64-bit ELF with standard section headers");
  }
  const uint64_t table_size = uint64_t{header.e_shnum} * sizeof(Elf64_Shdr);
  if (header.e_shoff > limit || table_size > limit - header.e_shoff) {
    return MalformedElf("the section header table lies beyond any plausible image");
  }
  uint64_t end = std::max<uint64_t>(sizeof(Elf64_Ehdr), header.e_shoff + table_size);
  if (header.e_phnum > 0) {
    const uint64_t program_size = uint64_t{header.e_phnum} * header.e_phentsize;
    if (header.e_phoff > limit || program_size > limit - header.e_phoff) {
      return MalformedElf("the program header table lies beyond any plausible image");
    }
    end = std::max(end, header.e_phoff + program_size);
  }
  for (uint16_t i = 0; i < header.e_shnum; ++i) {
    const auto section = ReadUnaligned<Elf64_Shdr>(image + header.e_shoff + i * sizeof(Elf64_Shdr));
    if (section.sh_type == SHT_NOBITS) continue;
    if (section.sh_offset > limit || section.sh_size > limit - section.sh_offset) {
      return MalformedElf("a section lies beyond any plausible image");
    }
    end = std::max(end, section.sh_offset + section.sh_size);
  }
  return static_cast<size_t>(end);
}

absl::Status ElfImage::Malformed(absl::string_view what) const {
  return absl::InvalidArgumentError(absl::StrCat("malformed ", kind_, ": ", what));
}

absl::StatusOr<ElfImage> ElfImage::Parse(absl::Span<const uint8_t> bytes, absl::string_view kind) {
  ElfImage image(bytes, std::string(kind));
  if (bytes.size() < sizeof(Elf64_Ehdr) || !LooksLikeElf(bytes.data())) {
    return image.Malformed("no ELF header");
  }
  image.header_ = ReadUnaligned<Elf64_Ehdr>(bytes.data());
  const Elf64_Ehdr& header = image.header_;
  if (header.e_ident[EI_CLASS] != ELFCLASS64 || header.e_ident[EI_DATA] != ELFDATA2LSB) {
    return image.Malformed("not a 64-bit little-endian ELF");
  }
  if (header.e_shentsize != sizeof(Elf64_Shdr)) {
    return image.Malformed("unexpected section header size");
  }
  const uint64_t table_size = uint64_t{header.e_shnum} * sizeof(Elf64_Shdr);
  if (header.e_shoff > bytes.size() || table_size > bytes.size() - header.e_shoff) {
    return image.Malformed("the section header table lies beyond the image");
  }
  const uint64_t program_size = uint64_t{header.e_phnum} * header.e_phentsize;
  if (header.e_phoff > bytes.size() || program_size > bytes.size() - header.e_phoff) {
    return image.Malformed("the program header table lies beyond the image");
  }
  if (header.e_shstrndx >= header.e_shnum) return image.Malformed("no section name table");
  for (uint16_t i = 0; i < header.e_shnum; ++i) {
    image.sections_.push_back(
        ReadUnaligned<Elf64_Shdr>(bytes.data() + header.e_shoff + i * sizeof(Elf64_Shdr)));
  }
  absl::StatusOr<absl::Span<const uint8_t>> names =
      image.SectionBytes(image.sections_[header.e_shstrndx]);
  if (!names.ok()) return names.status();
  image.section_names_ = *names;
  return image;
}

absl::StatusOr<absl::Span<const uint8_t>> ElfImage::SectionBytes(const Elf64_Shdr& section) const {
  if (section.sh_type == SHT_NOBITS) return absl::Span<const uint8_t>();
  if (section.sh_offset > bytes_.size() || section.sh_size > bytes_.size() - section.sh_offset) {
    return Malformed(absl::StrCat("a section of ", section.sh_size, " bytes at offset ",
                                  section.sh_offset, " lies beyond the ", bytes_.size(),
                                  "-byte image"));
  }
  return bytes_.subspan(section.sh_offset, section.sh_size);
}

absl::StatusOr<absl::string_view> ElfImage::StringAt(absl::Span<const uint8_t> table,
                                                     uint64_t offset,
                                                     absl::string_view what) const {
  if (offset >= table.size()) return Malformed(absl::StrCat("a ", what, " out of range"));
  const auto* start = reinterpret_cast<const char*>(table.data()) + offset;
  const size_t room = table.size() - offset;
  const size_t length = strnlen(start, room);
  if (length == room) return Malformed(absl::StrCat("an unterminated ", what));
  return absl::string_view(start, length);
}

absl::StatusOr<absl::string_view> ElfImage::SectionName(const Elf64_Shdr& section) const {
  return StringAt(section_names_, section.sh_name, "section name");
}

absl::StatusOr<std::vector<ElfSymbol>> ElfImage::Symbols() const {
  std::vector<ElfSymbol> symbols;
  const uint64_t name_budget = bytes_.size() + kSharedSymbolNameBytes;
  uint64_t name_bytes = 0;
  for (const Elf64_Shdr& section : sections_) {
    if (section.sh_type != SHT_SYMTAB && section.sh_type != SHT_DYNSYM) continue;
    if (section.sh_link >= sections_.size()) {
      return Malformed("a symbol table whose string table does not exist");
    }
    absl::StatusOr<absl::Span<const uint8_t>> table = SectionBytes(section);
    if (!table.ok()) return table.status();
    absl::StatusOr<absl::Span<const uint8_t>> strings = SectionBytes(sections_[section.sh_link]);
    if (!strings.ok()) return strings.status();
    for (size_t offset = 0; offset + sizeof(Elf64_Sym) <= table->size();
         offset += sizeof(Elf64_Sym)) {
      const auto symbol = ReadUnaligned<Elf64_Sym>(table->data() + offset);
      if (symbol.st_name == 0) continue;
      absl::StatusOr<absl::string_view> name = StringAt(*strings, symbol.st_name, "symbol name");
      if (!name.ok()) return name.status();
      name_bytes += name->size();
      if (name_bytes > name_budget) {
        return Malformed(absl::StrCat("symbol names of more than ", name_budget,
                                      " bytes together"));
      }
      symbols.push_back({*name, static_cast<uint8_t>(ELF64_ST_TYPE(symbol.st_info)),
                         symbol.st_value, symbol.st_size});
    }
  }
  return symbols;
}

absl::StatusOr<absl::Span<const uint8_t>> ElfImage::BytesAt(uint64_t address, uint64_t size) const {
  for (const Elf64_Shdr& section : sections_) {
    if ((section.sh_flags & SHF_ALLOC) == 0 || section.sh_type == SHT_NOBITS) continue;
    if (address < section.sh_addr || address - section.sh_addr > section.sh_size ||
        size > section.sh_size - (address - section.sh_addr)) {
      continue;
    }
    absl::StatusOr<absl::Span<const uint8_t>> bytes = SectionBytes(section);
    if (!bytes.ok()) return bytes.status();
    return bytes->subspan(address - section.sh_addr, size);
  }
  return Malformed(absl::StrCat(size, " bytes at address 0x", absl::Hex(address),
                                " lie in no section of the image"));
}

}  // namespace hal::gpu
