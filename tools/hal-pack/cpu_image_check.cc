#include "tools/hal-pack/cpu_image_check.h"

#include <elf.h>

#include <algorithm>
#include <bit>
#include <cstring>
#include <map>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/types/span.h"
#include "hal/driver/hal_cpu_kernel.h"

namespace hal::pack {
namespace {

// The ELF structures are read by copying file bytes into <elf.h>'s structs.
static_assert(std::endian::native == std::endian::little,
              "hal-pack reads little-endian ELF files as native structs");

// Bounds-checked reads of the file's bytes.
class Bytes {
 public:
  explicit Bytes(absl::Span<const uint8_t> data) : data_(data) {}

  template <typename T>
  bool Read(uint64_t offset, T* out) const {
    if (offset > data_.size() || sizeof(T) > data_.size() - offset) return false;
    std::memcpy(out, data_.data() + offset, sizeof(T));
    return true;
  }

  // The NUL-terminated string at `offset` of the `size` bytes at `base`.
  bool ReadString(uint64_t base, uint64_t size, uint64_t offset, std::string* out) const {
    if (base > data_.size() || size > data_.size() - base || offset >= size) return false;
    const auto* begin = reinterpret_cast<const char*>(data_.data() + base + offset);
    const void* end = std::memchr(begin, '\0', size - offset);
    if (end == nullptr) return false;
    out->assign(begin, static_cast<const char*>(end));
    return true;
  }

 private:
  absl::Span<const uint8_t> data_;
};

// The symbols an image exports (defined, global or weak, not hidden), by
// name, with the image's sections to find their bytes.
struct Exports {
  std::vector<Elf64_Shdr> sections;
  std::map<std::string, Elf64_Sym> symbols;
};

absl::StatusOr<Exports> ReadExports(const Bytes& bytes, const std::string& what) {
  const auto malformed = [&](absl::string_view why) {
    return absl::InvalidArgumentError(
        absl::StrCat(what, ": not a valid ELF shared object (", why, "); a cpu-elf image is one"));
  };
  Elf64_Ehdr header;
  if (!bytes.Read(0, &header) || std::memcmp(header.e_ident, ELFMAG, SELFMAG) != 0) {
    return malformed("no ELF header");
  }
  if (header.e_ident[EI_CLASS] != ELFCLASS64 || header.e_ident[EI_DATA] != ELFDATA2LSB) {
    return absl::InvalidArgumentError(
        absl::StrCat(what, ": hal-pack checks 64-bit little-endian ELF images only"));
  }
  if (header.e_shentsize != sizeof(Elf64_Shdr)) return malformed("section header size");
  Exports exports;
  exports.sections.resize(header.e_shnum);
  for (uint16_t i = 0; i < header.e_shnum; ++i) {
    if (!bytes.Read(header.e_shoff + uint64_t{i} * sizeof(Elf64_Shdr), &exports.sections[i])) {
      return malformed("section headers past the end of the file");
    }
  }
  for (const Elf64_Shdr& table : exports.sections) {
    if (table.sh_type != SHT_DYNSYM) continue;
    if (table.sh_link >= exports.sections.size()) return malformed("symbol string table");
    const Elf64_Shdr& names = exports.sections[table.sh_link];
    for (uint64_t at = 0; at + sizeof(Elf64_Sym) <= table.sh_size; at += sizeof(Elf64_Sym)) {
      Elf64_Sym symbol;
      std::string name;
      if (!bytes.Read(table.sh_offset + at, &symbol) ||
          !bytes.ReadString(names.sh_offset, names.sh_size, symbol.st_name, &name)) {
        return malformed("dynamic symbols past the end of the file");
      }
      const unsigned binding = ELF64_ST_BIND(symbol.st_info);
      const bool exported = symbol.st_shndx != SHN_UNDEF &&
                            (binding == STB_GLOBAL || binding == STB_WEAK) &&
                            ELF64_ST_VISIBILITY(symbol.st_other) != STV_HIDDEN;
      if (exported) exports.symbols.emplace(std::move(name), symbol);
    }
  }
  return exports;
}

// The bytes of a signature symbol, from the section that holds it.
bool ReadSignature(const Bytes& bytes, const Exports& exports, const Elf64_Sym& symbol,
                   hal_cpu_kernel_signature* out) {
  if (symbol.st_size < sizeof(*out) || symbol.st_shndx >= exports.sections.size()) return false;
  const Elf64_Shdr& section = exports.sections[symbol.st_shndx];
  if (section.sh_type == SHT_NOBITS || symbol.st_value < section.sh_addr ||
      symbol.st_value - section.sh_addr > section.sh_size ||
      section.sh_size - (symbol.st_value - section.sh_addr) < sizeof(*out)) {
    return false;
  }
  return bytes.Read(section.sh_offset + (symbol.st_value - section.sh_addr), out);
}

std::string Describe(uint32_t bindings, uint32_t push_constant_size, const uint32_t* size) {
  return absl::StrCat(bindings, " bindings, ", push_constant_size,
                      " push-constant bytes, workgroup size ",
                      absl::StrJoin(absl::MakeConstSpan(size, 3), "x"));
}

absl::Status CheckKernel(const Bytes& bytes, const Exports& exports, const KernelInfo& kernel,
                         const std::string& what) {
  const std::string prefix = absl::StrCat(what, ": kernel \"", kernel.name, "\"");
  if (!exports.symbols.contains(kernel.name)) {
    return absl::InvalidArgumentError(
        absl::StrCat(prefix, " is not exported (declare it with HAL_CPU_KERNEL)"));
  }
  const std::string signature_name = HAL_CPU_KERNEL_SIGNATURE_PREFIX + kernel.name;
  const auto signature_symbol = exports.symbols.find(signature_name);
  if (signature_symbol == exports.symbols.end()) {
    return absl::InvalidArgumentError(
        absl::StrCat(prefix, " has no signature (symbol ", signature_name,
                     "); declare it with HAL_CPU_KERNEL_SIGNATURE (hal/driver/hal_cpu_kernel.h)"));
  }
  hal_cpu_kernel_signature declared;
  if (!ReadSignature(bytes, exports, signature_symbol->second, &declared) ||
      declared.struct_size < sizeof(declared)) {
    return absl::InvalidArgumentError(absl::StrCat(prefix, ": its signature symbol ",
                                                   signature_name,
                                                   " does not hold a hal_cpu_kernel_signature"));
  }
  const bool same = declared.binding_count == kernel.binding_count &&
                    declared.push_constant_size == kernel.push_constant_size &&
                    std::equal(declared.workgroup_size, declared.workgroup_size + 3,
                               kernel.workgroup_size.begin());
  if (same) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrCat(
      prefix, ": the manifest declares ",
      Describe(kernel.binding_count, kernel.push_constant_size, kernel.workgroup_size.data()),
      ", but the image declares ",
      Describe(declared.binding_count, declared.push_constant_size, declared.workgroup_size)));
}

}  // namespace

absl::Status CheckCpuImage(const KernelImage& image, const std::vector<KernelInfo>& kernels) {
  const std::string what = absl::StrCat("image ", image.format,
                                        image.kernel_name.empty() ? "" : "@" + image.kernel_name);
  const Bytes bytes(image.data);
  absl::StatusOr<Exports> exports = ReadExports(bytes, what);
  if (!exports.ok()) return exports.status();
  for (const KernelInfo& kernel : kernels) {
    if (!image.kernel_name.empty() && kernel.name != image.kernel_name) continue;
    if (absl::Status status = CheckKernel(bytes, *exports, kernel, what); !status.ok()) {
      return status;
    }
  }
  return absl::OkStatus();
}

}  // namespace hal::pack
