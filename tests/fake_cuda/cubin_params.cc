#include "tests/fake_cuda/cubin_params.h"

#include <cstring>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "backends/gpu_core/elf_image.h"

namespace hal::fake::cuda {
namespace {

using gpu::ElfImage;
using gpu::ReadUnaligned;

constexpr uint8_t kFormatValue = 0x04;  // EIFMT_SVAL: a u16 size, then that many bytes
constexpr uint8_t kAttrMaxThreads = 0x05;  // __launch_bounds__: x, y, z
constexpr uint8_t kAttrParamCbank = 0x0a;
constexpr uint8_t kAttrKparamInfo = 0x17;
constexpr absl::string_view kInfoPrefix = ".nv.info.";

absl::Status Malformed(absl::string_view what) {
  return absl::InvalidArgumentError(absl::StrCat("malformed cubin: ", what));
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
    const uint16_t size = ReadUnaligned<uint16_t>(info.data() + offset + 2);
    if (size > info.size() - offset - 4) {
      return Malformed(absl::StrCat(kernel, ": an attribute of ", size, " bytes at offset ",
                                    offset, " runs past its section"));
    }
    const uint8_t* value = info.data() + offset + 4;
    if (attribute == kAttrKparamInfo) {
      if (size < 12) return Malformed(absl::StrCat(kernel, ": a short EIATTR_KPARAM_INFO"));
      const uint32_t ordinal = ReadUnaligned<uint16_t>(value + 4);
      const KernelParam param{ReadUnaligned<uint16_t>(value + 6), (ReadUnaligned<uint32_t>(value + 8) >> 18) & 0x3fff};
      if (!by_ordinal.emplace(ordinal, param).second) {
        return Malformed(absl::StrCat(kernel, ": parameter ", ordinal, " declared twice"));
      }
    } else if (attribute == kAttrMaxThreads) {
      if (size < 12) return Malformed(absl::StrCat(kernel, ": a short EIATTR_MAX_THREADS"));
      const uint64_t threads = uint64_t{ReadUnaligned<uint32_t>(value)} * ReadUnaligned<uint32_t>(value + 4) *
                               ReadUnaligned<uint32_t>(value + 8);
      if (threads == 0 || threads > 1024) {
        return Malformed(absl::StrCat(kernel, ": EIATTR_MAX_THREADS of ", threads, " threads"));
      }
      layout.max_threads_per_block = static_cast<uint32_t>(threads);
    } else if (attribute == kAttrParamCbank) {
      if (size < 8) return Malformed(absl::StrCat(kernel, ": a short EIATTR_PARAM_CBANK"));
      layout.total_size = ReadUnaligned<uint16_t>(value + 6);
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

absl::StatusOr<int> CubinSmVersion(absl::Span<const uint8_t> cubin) {
  absl::StatusOr<ElfImage> image = ElfImage::Parse(cubin, "cubin");
  if (!image.ok()) return image.status();
  return static_cast<int>((image->header().e_flags >> 8) & 0xff);
}

absl::StatusOr<std::map<std::string, KernelParamLayout>> ReadCubinParams(
    absl::Span<const uint8_t> cubin) {
  absl::StatusOr<ElfImage> image = ElfImage::Parse(cubin, "cubin");
  if (!image.ok()) return image.status();
  std::map<std::string, KernelParamLayout> kernels;
  for (const Elf64_Shdr& section : image->sections()) {
    absl::StatusOr<absl::string_view> name = image->SectionName(section);
    if (!name.ok()) return name.status();
    if (!absl::StartsWith(*name, kInfoPrefix) || name->size() == kInfoPrefix.size()) continue;
    const std::string kernel(name->substr(kInfoPrefix.size()));
    absl::StatusOr<absl::Span<const uint8_t>> bytes = image->SectionBytes(section);
    if (!bytes.ok()) return bytes.status();
    absl::StatusOr<KernelParamLayout> layout = ReadKernelInfo(kernel, *bytes);
    if (!layout.ok()) return layout.status();
    kernels.emplace(kernel, *std::move(layout));
  }
  if (kernels.empty()) return Malformed("no kernel (.nv.info.<kernel> section)");
  return kernels;
}

}  // namespace hal::fake::cuda
