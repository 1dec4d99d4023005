#include "tests/fake_cuda/cubin_params.h"

#include <elf.h>

#include <cstring>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace hal::fake::cuda {
namespace {

constexpr uint8_t kFormatValue = 0x04;  // EIFMT_SVAL: a u16 size, then that many bytes
constexpr uint8_t kAttrMaxThreads = 0x05;  // __launch_bounds__: x, y, z
constexpr uint8_t kAttrParamCbank = 0x0a;
constexpr uint8_t kAttrKparamInfo = 0x17;
constexpr absl::string_view kInfoPrefix = ".nv.info.";

template <typename T>
T Read(const uint8_t* bytes) {
  T value;
  std::memcpy(&value, bytes, sizeof(T));
  return value;
}

absl::Status Malformed(absl::string_view what) {
  return absl::InvalidArgumentError(absl::StrCat("malformed cubin: ", what));
}

absl::StatusOr<Elf64_Ehdr> ReadHeader(absl::Span<const uint8_t> cubin) {
  if (cubin.size() < sizeof(Elf64_Ehdr) || !LooksLikeElf(cubin.data())) {
    return Malformed("no ELF header");
  }
  const auto header = Read<Elf64_Ehdr>(cubin.data());
  if (header.e_ident[EI_CLASS] != ELFCLASS64 || header.e_ident[EI_DATA] != ELFDATA2LSB) {
    return Malformed("not a 64-bit little-endian ELF");
  }
  if (header.e_shentsize != sizeof(Elf64_Shdr)) return Malformed("unexpected section header size");
  return header;
}

// The section name table and headers, each bounds-checked against the image.
struct Sections {
  std::vector<Elf64_Shdr> headers;
  absl::Span<const uint8_t> names;
};

absl::StatusOr<absl::Span<const uint8_t>> SectionBytes(absl::Span<const uint8_t> cubin,
                                                       const Elf64_Shdr& section) {
  if (section.sh_type == SHT_NOBITS) return absl::Span<const uint8_t>();
  if (section.sh_offset > cubin.size() || section.sh_size > cubin.size() - section.sh_offset) {
    return Malformed(absl::StrCat("a section of ", section.sh_size, " bytes at offset ",
                                  section.sh_offset, " lies beyond the ", cubin.size(),
                                  "-byte image"));
  }
  return cubin.subspan(section.sh_offset, section.sh_size);
}

absl::StatusOr<Sections> ReadSections(absl::Span<const uint8_t> cubin) {
  absl::StatusOr<Elf64_Ehdr> header = ReadHeader(cubin);
  if (!header.ok()) return header.status();
  const uint64_t table_size = uint64_t{header->e_shnum} * sizeof(Elf64_Shdr);
  if (header->e_shoff > cubin.size() || table_size > cubin.size() - header->e_shoff) {
    return Malformed("the section header table lies beyond the image");
  }
  const uint64_t program_size = uint64_t{header->e_phnum} * header->e_phentsize;
  if (header->e_phoff > cubin.size() || program_size > cubin.size() - header->e_phoff) {
    return Malformed("the program header table lies beyond the image");
  }
  if (header->e_shstrndx >= header->e_shnum) return Malformed("no section name table");
  Sections sections;
  for (uint16_t i = 0; i < header->e_shnum; ++i) {
    sections.headers.push_back(
        Read<Elf64_Shdr>(cubin.data() + header->e_shoff + i * sizeof(Elf64_Shdr)));
  }
  absl::StatusOr<absl::Span<const uint8_t>> names =
      SectionBytes(cubin, sections.headers[header->e_shstrndx]);
  if (!names.ok()) return names.status();
  sections.names = *names;
  return sections;
}

absl::StatusOr<absl::string_view> SectionName(const Sections& sections, const Elf64_Shdr& section) {
  if (section.sh_name >= sections.names.size()) return Malformed("a section name out of range");
  const auto* start = reinterpret_cast<const char*>(sections.names.data()) + section.sh_name;
  const size_t room = sections.names.size() - section.sh_name;
  const size_t length = strnlen(start, room);
  if (length == room) return Malformed("an unterminated section name");
  return absl::string_view(start, length);
}

absl::StatusOr<KernelParamLayout> ReadKernelInfo(absl::string_view kernel,
                                                 absl::Span<const uint8_t> info) {
  std::map<uint32_t, KernelParam> by_ordinal;
  bool has_total = false;
  KernelParamLayout layout;
  size_t offset = 0;
  while (offset < info.size()) {
    if (info.size() - offset < 4) return Malformed(absl::StrCat(kernel, ": a truncated attribute"));
    const uint8_t format = info[offset];
    const uint8_t attribute = info[offset + 1];
    if (format < 0x01 || format > kFormatValue) {
      return Malformed(absl::StrCat(kernel, ": attribute format ", format, " at offset ", offset));
    }
    if (format != kFormatValue) {  // EIFMT_NVAL/BVAL/HVAL: 4 bytes in all
      offset += 4;
      continue;
    }
    const uint16_t size = Read<uint16_t>(info.data() + offset + 2);
    if (size > info.size() - offset - 4) {
      return Malformed(absl::StrCat(kernel, ": an attribute of ", size, " bytes at offset ",
                                    offset, " runs past its section"));
    }
    const uint8_t* value = info.data() + offset + 4;
    if (attribute == kAttrKparamInfo) {
      if (size < 12) return Malformed(absl::StrCat(kernel, ": a short EIATTR_KPARAM_INFO"));
      const uint32_t ordinal = Read<uint16_t>(value + 4);
      const KernelParam param{Read<uint16_t>(value + 6), (Read<uint32_t>(value + 8) >> 18) & 0x3fff};
      if (!by_ordinal.emplace(ordinal, param).second) {
        return Malformed(absl::StrCat(kernel, ": parameter ", ordinal, " declared twice"));
      }
    } else if (attribute == kAttrMaxThreads) {
      if (size < 12) return Malformed(absl::StrCat(kernel, ": a short EIATTR_MAX_THREADS"));
      const uint64_t threads = uint64_t{Read<uint32_t>(value)} * Read<uint32_t>(value + 4) *
                               Read<uint32_t>(value + 8);
      if (threads == 0 || threads > 1024) {
        return Malformed(absl::StrCat(kernel, ": EIATTR_MAX_THREADS of ", threads, " threads"));
      }
      layout.max_threads_per_block = static_cast<uint32_t>(threads);
    } else if (attribute == kAttrParamCbank) {
      if (size < 8) return Malformed(absl::StrCat(kernel, ": a short EIATTR_PARAM_CBANK"));
      layout.total_size = Read<uint16_t>(value + 6);
      has_total = true;
    }
    offset += 4 + size;
  }
  if (!by_ordinal.empty() && !has_total) {
    return Malformed(absl::StrCat(kernel, ": parameters without EIATTR_PARAM_CBANK"));
  }
  for (const auto& [ordinal, param] : by_ordinal) {
    if (ordinal != layout.params.size()) {
      return Malformed(absl::StrCat(kernel, ": parameter ", layout.params.size(), " is missing"));
    }
    if (param.offset + param.size > layout.total_size) {
      return Malformed(absl::StrCat(kernel, ": parameter ", ordinal, " ends past the ",
                                    layout.total_size, "-byte parameter block"));
    }
    layout.params.push_back(param);
  }
  return layout;
}

}  // namespace

bool LooksLikeElf(const void* image) { return std::memcmp(image, ELFMAG, SELFMAG) == 0; }

absl::StatusOr<size_t> ElfImageSize(const uint8_t* image, size_t limit) {
  const auto header = Read<Elf64_Ehdr>(image);
  if (header.e_ident[EI_CLASS] != ELFCLASS64 || header.e_shentsize != sizeof(Elf64_Shdr)) {
    return Malformed("not a 64-bit ELF with standard section headers");
  }
  const uint64_t table_size = uint64_t{header.e_shnum} * sizeof(Elf64_Shdr);
  if (header.e_shoff > limit || table_size > limit - header.e_shoff) {
    return Malformed("the section header table lies beyond any plausible image");
  }
  uint64_t end = std::max<uint64_t>(sizeof(Elf64_Ehdr), header.e_shoff + table_size);
  if (header.e_phnum > 0) {
    const uint64_t program_size = uint64_t{header.e_phnum} * header.e_phentsize;
    if (header.e_phoff > limit || program_size > limit - header.e_phoff) {
      return Malformed("the program header table lies beyond any plausible image");
    }
    end = std::max(end, header.e_phoff + program_size);
  }
  for (uint16_t i = 0; i < header.e_shnum; ++i) {
    const auto section = Read<Elf64_Shdr>(image + header.e_shoff + i * sizeof(Elf64_Shdr));
    if (section.sh_type == SHT_NOBITS) continue;
    if (section.sh_offset > limit || section.sh_size > limit - section.sh_offset) {
      return Malformed("a section lies beyond any plausible image");
    }
    end = std::max(end, section.sh_offset + section.sh_size);
  }
  return static_cast<size_t>(end);
}

absl::StatusOr<int> CubinSmVersion(absl::Span<const uint8_t> cubin) {
  absl::StatusOr<Elf64_Ehdr> header = ReadHeader(cubin);
  if (!header.ok()) return header.status();
  return static_cast<int>((header->e_flags >> 8) & 0xff);
}

absl::StatusOr<std::map<std::string, KernelParamLayout>> ReadCubinParams(
    absl::Span<const uint8_t> cubin) {
  absl::StatusOr<Sections> sections = ReadSections(cubin);
  if (!sections.ok()) return sections.status();
  std::map<std::string, KernelParamLayout> kernels;
  for (const Elf64_Shdr& section : sections->headers) {
    absl::StatusOr<absl::string_view> name = SectionName(*sections, section);
    if (!name.ok()) return name.status();
    if (!absl::StartsWith(*name, kInfoPrefix) || name->size() == kInfoPrefix.size()) continue;
    const std::string kernel(name->substr(kInfoPrefix.size()));
    absl::StatusOr<absl::Span<const uint8_t>> bytes = SectionBytes(cubin, section);
    if (!bytes.ok()) return bytes.status();
    absl::StatusOr<KernelParamLayout> layout = ReadKernelInfo(kernel, *bytes);
    if (!layout.ok()) return layout.status();
    kernels.emplace(kernel, *std::move(layout));
  }
  if (kernels.empty()) return Malformed("no kernel (.nv.info.<kernel> section)");
  return kernels;
}

}  // namespace hal::fake::cuda
