#include "backends/gpu_core/hsaco.h"

#include <cstring>
#include <set>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "backends/gpu_core/elf_image.h"
#include "backends/gpu_core/msgpack.h"

namespace hal::gpu {
namespace {

constexpr absl::string_view kBundleMagic = "__CLANG_OFFLOAD_BUNDLE__";
constexpr uint64_t kMaxBundleEntries = 256;
constexpr uint64_t kMaxTripleSize = 1024;
constexpr uint32_t kNoteAmdgpuMetadata = 32;  // NT_AMDGPU_METADATA
constexpr uint64_t kKernelDescriptorSize = 64;
constexpr size_t kKernargSizeOffset = 8;  // in the kernel descriptor
constexpr absl::string_view kAmdhsaTriple = "amdgcn-amd-amdhsa-";

absl::Status MalformedBundle(absl::string_view what) {
  return absl::InvalidArgumentError(absl::StrCat("malformed offload bundle: ", what));
}

// The target ID after "amdgcn-amd-amdhsa-<environment>-" in an offload entry's
// or amdhsa.target's triple, or "" when the triple is not amdhsa's.
absl::string_view TargetId(absl::string_view triple) {
  const size_t at = triple.find(kAmdhsaTriple);
  if (at == absl::string_view::npos) return "";
  absl::string_view rest = triple.substr(at + kAmdhsaTriple.size());
  const size_t dash = rest.find('-');
  return dash == absl::string_view::npos ? "" : rest.substr(dash + 1);
}

// One bundle walk for both OffloadBundleSize (read in place, `limit` the
// most the image may span) and ReadOffloadBundle (`limit` the bundle's
// size): every read and every entry's extent is checked against `limit`.
absl::StatusOr<std::vector<OffloadEntry>> WalkBundle(const uint8_t* bundle, size_t limit,
                                                     bool bytes_known, size_t* extent) {
  const uint64_t header_size = kBundleMagic.size() + sizeof(uint64_t);
  if (limit < header_size ||
      std::memcmp(bundle, kBundleMagic.data(), kBundleMagic.size()) != 0) {
    return MalformedBundle("no __CLANG_OFFLOAD_BUNDLE__ header");
  }
  const auto count = ReadUnaligned<uint64_t>(bundle + kBundleMagic.size());
  if (count == 0 || count > kMaxBundleEntries) {
    return MalformedBundle(absl::StrCat(count, " entries"));
  }
  std::vector<OffloadEntry> entries;
  uint64_t offset = header_size;
  uint64_t end = offset;
  for (uint64_t i = 0; i < count; ++i) {
    if (limit - offset < 3 * sizeof(uint64_t)) {
      return MalformedBundle(absl::StrCat("entry ", i, " is truncated"));
    }
    const auto entry_offset = ReadUnaligned<uint64_t>(bundle + offset);
    const auto entry_size = ReadUnaligned<uint64_t>(bundle + offset + 8);
    const auto triple_size = ReadUnaligned<uint64_t>(bundle + offset + 16);
    offset += 3 * sizeof(uint64_t);
    if (triple_size > kMaxTripleSize || triple_size > limit - offset) {
      return MalformedBundle(absl::StrCat("entry ", i, "'s triple of ", triple_size, " bytes"));
    }
    OffloadEntry entry;
    entry.triple.assign(reinterpret_cast<const char*>(bundle + offset), triple_size);
    offset += triple_size;
    if (entry_offset > limit || entry_size > limit - entry_offset) {
      return MalformedBundle(absl::StrCat("entry ", entry.triple, " (", entry_size,
                                          " bytes at offset ", entry_offset,
                                          ") lies beyond the ", limit, "-byte bundle"));
    }
    if (bytes_known) entry.bytes = absl::MakeConstSpan(bundle + entry_offset, entry_size);
    end = std::max({end, offset, entry_offset + entry_size});
    entries.push_back(std::move(entry));
  }
  *extent = end;
  return entries;
}

// `key` of `map` as a string / a non-negative integer, or why not.
absl::StatusOr<std::string> StringField(const MsgpackValue& map, absl::string_view key,
                                        absl::string_view where) {
  const MsgpackValue* value = map.Find(key);
  if (value == nullptr || value->kind != MsgpackValue::Kind::kString) {
    return absl::InvalidArgumentError(
        absl::StrCat("malformed hsaco metadata: ", where, " has no string ", key));
  }
  return value->string;
}
absl::StatusOr<uint32_t> SizeField(const MsgpackValue& map, absl::string_view key,
                                   absl::string_view where) {
  const MsgpackValue* value = map.Find(key);
  if (value == nullptr || value->kind != MsgpackValue::Kind::kInt || value->integer < 0 ||
      value->integer > UINT32_MAX) {
    return absl::InvalidArgumentError(
        absl::StrCat("malformed hsaco metadata: ", where, " has no size ", key));
  }
  return static_cast<uint32_t>(value->integer);
}

absl::StatusOr<KernelParamLayout> ReadKernelArgs(const MsgpackValue& kernel,
                                                 absl::string_view name,
                                                 uint32_t kernarg_size) {
  KernelParamLayout layout;
  if (const MsgpackValue* threads = kernel.Find(".max_flat_workgroup_size")) {
    if (threads->kind != MsgpackValue::Kind::kInt || threads->integer <= 0 ||
        threads->integer > 1024) {
      return absl::InvalidArgumentError(absl::StrCat(
          "malformed hsaco metadata: kernel ", name, "'s .max_flat_workgroup_size"));
    }
    layout.max_threads_per_block = static_cast<uint32_t>(threads->integer);
  }
  const MsgpackValue* args = kernel.Find(".args");
  if (args == nullptr) return layout;  // a kernel without arguments may omit them
  if (args->kind != MsgpackValue::Kind::kArray) {
    return absl::InvalidArgumentError(
        absl::StrCat("malformed hsaco metadata: kernel ", name, "'s .args is not an array"));
  }
  uint32_t next_free = 0;
  for (size_t i = 0; i < args->array.size(); ++i) {
    const MsgpackValue& arg = args->array[i];
    const std::string where = absl::StrCat("kernel ", name, "'s argument ", i);
    absl::StatusOr<std::string> kind = StringField(arg, ".value_kind", where);
    absl::StatusOr<uint32_t> offset = SizeField(arg, ".offset", where);
    absl::StatusOr<uint32_t> size = SizeField(arg, ".size", where);
    if (!kind.ok()) return kind.status();
    if (!offset.ok()) return offset.status();
    if (!size.ok()) return size.status();
    if (*size == 0 || *offset < next_free || *size > kernarg_size ||
        *offset > kernarg_size - *size) {
      return absl::InvalidArgumentError(absl::StrCat(
          "malformed hsaco metadata: ", where, " (", *size, " bytes at offset ", *offset,
          ") overlaps the one before or ends past the ", kernarg_size, "-byte kernarg segment"));
    }
    next_free = *offset + *size;
    if (absl::StartsWith(*kind, "hidden_")) continue;  // filled in by the runtime
    layout.params.push_back({*offset, *size});
    layout.total_size = next_free;
  }
  return layout;
}

// The descriptor of `symbol` must exist and declare the kernarg size the
// metadata does.
absl::Status CheckDescriptor(const ElfImage& elf,
                             const std::map<absl::string_view, ElfSymbol>& symbols,
                             absl::string_view symbol, uint32_t kernarg_size) {
  const auto found = symbols.find(symbol);
  if (found == symbols.end() || found->second.type != STT_OBJECT ||
      found->second.size != kKernelDescriptorSize) {
    return elf.Malformed(absl::StrCat("no 64-byte kernel descriptor ", symbol));
  }
  absl::StatusOr<absl::Span<const uint8_t>> descriptor =
      elf.BytesAt(found->second.value, kKernelDescriptorSize);
  if (!descriptor.ok()) return descriptor.status();
  const auto declared = ReadUnaligned<uint32_t>(descriptor->data() + kKernargSizeOffset);
  if (declared != kernarg_size) {
    return elf.Malformed(absl::StrCat("kernel descriptor ", symbol, " declares ", declared,
                                      " kernarg bytes, the metadata ", kernarg_size));
  }
  return absl::OkStatus();
}

absl::StatusOr<absl::Span<const uint8_t>> MetadataNote(const ElfImage& elf) {
  for (const Elf64_Shdr& section : elf.sections()) {
    if (section.sh_type != SHT_NOTE) continue;
    absl::StatusOr<absl::Span<const uint8_t>> notes = elf.SectionBytes(section);
    if (!notes.ok()) return notes.status();
    size_t offset = 0;
    while (notes->size() - offset >= sizeof(Elf64_Nhdr)) {
      const auto note = ReadUnaligned<Elf64_Nhdr>(notes->data() + offset);
      offset += sizeof(Elf64_Nhdr);
      const uint64_t name_room = (uint64_t{note.n_namesz} + 3) / 4 * 4;
      const uint64_t desc_room = (uint64_t{note.n_descsz} + 3) / 4 * 4;
      if (name_room > notes->size() - offset || note.n_descsz > notes->size() - offset - name_room) {
        return elf.Malformed("a note runs past its section");
      }
      const auto* name = reinterpret_cast<const char*>(notes->data() + offset);
      const bool amdgpu = note.n_namesz == 7 && std::memcmp(name, "AMDGPU", 7) == 0;
      if (amdgpu && note.n_type == kNoteAmdgpuMetadata) {
        return notes->subspan(offset + name_room, note.n_descsz);
      }
      offset += name_room + std::min<uint64_t>(desc_room, notes->size() - offset - name_room);
    }
  }
  return elf.Malformed("no NT_AMDGPU_METADATA note");
}

}  // namespace

bool LooksLikeOffloadBundle(const void* image) {
  // Byte by byte, stopping at the first difference: the image's size is
  // unknown, and a short one (8 zero bytes) must not be read past.
  const auto* bytes = static_cast<const uint8_t*>(image);
  for (size_t i = 0; i < kBundleMagic.size(); ++i) {
    if (bytes[i] != static_cast<uint8_t>(kBundleMagic[i])) return false;
  }
  return true;
}

absl::StatusOr<size_t> OffloadBundleSize(const uint8_t* image, size_t limit) {
  size_t extent = 0;
  absl::StatusOr<std::vector<OffloadEntry>> entries =
      WalkBundle(image, limit, /*bytes_known=*/false, &extent);
  if (!entries.ok()) return entries.status();
  return extent;
}

absl::StatusOr<std::vector<OffloadEntry>> ReadOffloadBundle(absl::Span<const uint8_t> bundle) {
  size_t extent = 0;
  return WalkBundle(bundle.data(), bundle.size(), /*bytes_known=*/true, &extent);
}

bool TargetRunsOn(absl::string_view target, absl::string_view device) {
  const std::vector<absl::string_view> wanted = absl::StrSplit(target, ':');
  const std::vector<absl::string_view> has = absl::StrSplit(device, ':');
  if (wanted[0].empty() || wanted[0] != has[0]) return false;
  for (size_t i = 1; i < wanted.size(); ++i) {
    bool matched = false;
    for (size_t j = 1; j < has.size(); ++j) matched |= has[j] == wanted[i];
    if (!matched) return false;
  }
  return true;
}

absl::StatusOr<absl::Span<const uint8_t>> CodeObjectFor(absl::Span<const uint8_t> image,
                                                        absl::string_view device) {
  if (image.size() >= SELFMAG && LooksLikeElf(image.data())) {
    absl::StatusOr<CodeObjectMetadata> metadata = ReadCodeObject(image);
    if (!metadata.ok()) return metadata.status();
    if (!TargetRunsOn(metadata->target, device)) {
      return absl::NotFoundError(absl::StrCat("a code object for ", metadata->target,
                                              " on a device of ", device));
    }
    return image;
  }
  absl::StatusOr<std::vector<OffloadEntry>> entries = ReadOffloadBundle(image);
  if (!entries.ok()) return entries.status();
  std::vector<std::string> targets;
  for (const OffloadEntry& entry : *entries) {
    if (!absl::StartsWith(entry.triple, "hip")) continue;
    const absl::string_view target = TargetId(entry.triple);
    if (TargetRunsOn(target, device)) return entry.bytes;
    targets.emplace_back(target);
  }
  return absl::NotFoundError(absl::StrCat("no code object of the bundle (",
                                          absl::StrJoin(targets, ", "), ") runs on ", device));
}

absl::StatusOr<CodeObjectMetadata> ReadCodeObject(absl::Span<const uint8_t> code_object) {
  absl::StatusOr<ElfImage> elf = ElfImage::Parse(code_object, "hsaco");
  if (!elf.ok()) return elf.status();
  if (elf->header().e_machine != EM_AMDGPU) return elf->Malformed("not an AMDGPU ELF");
  absl::StatusOr<absl::Span<const uint8_t>> note = MetadataNote(*elf);
  if (!note.ok()) return note.status();
  absl::StatusOr<MsgpackValue> root = ParseMsgpack(*note);
  if (!root.ok()) return root.status();
  absl::StatusOr<std::string> triple = StringField(*root, "amdhsa.target", "the code object");
  if (!triple.ok()) return triple.status();
  CodeObjectMetadata metadata;
  metadata.target = std::string(TargetId(*triple));
  if (metadata.target.empty()) return elf->Malformed(absl::StrCat("target ", *triple));
  const MsgpackValue* kernels = root->Find("amdhsa.kernels");
  if (kernels == nullptr || kernels->kind != MsgpackValue::Kind::kArray) {
    return elf->Malformed("no amdhsa.kernels in the metadata");
  }
  absl::StatusOr<std::vector<ElfSymbol>> symbol_list = elf->Symbols();
  if (!symbol_list.ok()) return symbol_list.status();
  std::map<absl::string_view, ElfSymbol> symbols;
  for (const ElfSymbol& symbol : *symbol_list) symbols.emplace(symbol.name, symbol);
  std::set<std::string, std::less<>> described;
  for (const MsgpackValue& kernel : kernels->array) {
    absl::StatusOr<std::string> name = StringField(kernel, ".name", "a kernel");
    if (!name.ok()) return name.status();
    absl::StatusOr<std::string> symbol = StringField(kernel, ".symbol", *name);
    if (!symbol.ok()) return symbol.status();
    absl::StatusOr<uint32_t> kernarg_size = SizeField(kernel, ".kernarg_segment_size", *name);
    if (!kernarg_size.ok()) return kernarg_size.status();
    if (absl::Status status = CheckDescriptor(*elf, symbols, *symbol, *kernarg_size);
        !status.ok()) {
      return status;
    }
    absl::StatusOr<KernelParamLayout> layout = ReadKernelArgs(kernel, *name, *kernarg_size);
    if (!layout.ok()) return layout.status();
    if (!metadata.kernels.emplace(*name, *std::move(layout)).second) {
      return elf->Malformed(absl::StrCat("kernel ", *name, " described twice"));
    }
    described.insert(*symbol);
  }
  for (const auto& [name, symbol] : symbols) {
    if (symbol.type == STT_OBJECT && absl::EndsWith(name, ".kd") && !described.contains(name)) {
      return elf->Malformed(absl::StrCat("kernel descriptor ", name, " has no metadata"));
    }
  }
  if (metadata.kernels.empty()) return elf->Malformed("no kernel");
  return metadata;
}

}  // namespace hal::gpu
