// libFuzzer target for the device images the CUDA and HIP drivers read from a
// tenant (backends/gpu_core: elf_image, hsaco, msgpack). Every input goes
// through every entry point; each refuses a foreign magic in a few bytes, so
// no dispatch byte is needed and a mutation that turns one kind of input into
// another is followed. Any input must be accepted or refused with
// InvalidArgument (NotFound where a code object names another target), and
// nothing may be read outside the input: it stands for all the memory there
// is, so OffloadBundleSize and ElfImageSize get its size as their limit.
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>

#include "backends/gpu_core/elf_image.h"
#include "backends/gpu_core/hsaco.h"
#include "backends/gpu_core/msgpack.h"

namespace {

using hal::gpu::ElfImage;

void Require(bool condition) {
  if (!condition) std::abort();
}

void RequireRefusal(const absl::Status& status) {
  Require(status.code() == absl::StatusCode::kInvalidArgument);
}

// Everything an ElfImage offers, on every section and symbol it lists.
void ExerciseElf(absl::Span<const uint8_t> bytes) {
  absl::StatusOr<ElfImage> elf = ElfImage::Parse(bytes, "fuzz");
  if (!elf.ok()) return RequireRefusal(elf.status());
  for (const Elf64_Shdr& section : elf->sections()) {
    if (absl::StatusOr<absl::string_view> name = elf->SectionName(section); !name.ok()) {
      RequireRefusal(name.status());
    }
    if (auto contents = elf->SectionBytes(section); !contents.ok()) RequireRefusal(contents.status());
  }
  absl::StatusOr<std::vector<hal::gpu::ElfSymbol>> symbols = elf->Symbols();
  if (!symbols.ok()) return RequireRefusal(symbols.status());
  for (const hal::gpu::ElfSymbol& symbol : *symbols) {
    absl::StatusOr<absl::Span<const uint8_t>> at = elf->BytesAt(symbol.value, symbol.size);
    if (!at.ok()) {
      RequireRefusal(at.status());
    } else {
      Require(at->size() == symbol.size && at->data() >= bytes.data() &&
              at->data() + at->size() <= bytes.data() + bytes.size());
    }
  }
}

// A code object's metadata, as the HIP driver reads it after CodeObjectFor.
void ExerciseCodeObject(absl::Span<const uint8_t> bytes) {
  absl::StatusOr<hal::gpu::CodeObjectMetadata> metadata = hal::gpu::ReadCodeObject(bytes);
  if (!metadata.ok()) return RequireRefusal(metadata.status());
  Require(!metadata->target.empty() && !metadata->kernels.empty());
  for (const auto& [name, layout] : metadata->kernels) {
    uint32_t next_free = 0;
    for (const auto& param : layout.params) {
      Require(param.size > 0 && param.offset >= next_free);
      next_free = param.offset + param.size;
    }
  }
}

void ExerciseBundle(absl::Span<const uint8_t> bytes) {
  if (absl::StatusOr<std::vector<hal::gpu::OffloadEntry>> entries =
          hal::gpu::ReadOffloadBundle(bytes);
      !entries.ok()) {
    RequireRefusal(entries.status());
  }
  // The sizeless path (hipModuleLoadData) vouches only for the header
  // (magic and entry count).
  if (bytes.size() >= 32 && hal::gpu::LooksLikeOffloadBundle(bytes.data())) {
    absl::StatusOr<size_t> extent = hal::gpu::OffloadBundleSize(bytes.data(), bytes.size());
    if (!extent.ok()) {
      RequireRefusal(extent.status());
    } else {
      Require(*extent <= bytes.size());
    }
  }
  for (const char* device : {"gfx90a:sramecc+:xnack-", "gfx1030"}) {
    absl::StatusOr<absl::Span<const uint8_t>> object = hal::gpu::CodeObjectFor(bytes, device);
    if (!object.ok()) {
      Require(object.status().code() == absl::StatusCode::kInvalidArgument ||
              object.status().code() == absl::StatusCode::kNotFound);
      continue;
    }
    Require(object->data() >= bytes.data() &&
            object->data() + object->size() <= bytes.data() + bytes.size());
    if (object->data() != bytes.data()) ExerciseCodeObject(*object);  // a bundle's entry
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const absl::Span<const uint8_t> bytes(data, size);
  ExerciseElf(bytes);
  if (bytes.size() >= sizeof(Elf64_Ehdr) && hal::gpu::LooksLikeElf(bytes.data())) {
    // The sizeless path (cuModuleLoadData) vouches for the header only.
    absl::StatusOr<size_t> extent = hal::gpu::ElfImageSize(bytes.data(), bytes.size());
    if (!extent.ok()) {
      RequireRefusal(extent.status());
    } else {
      Require(*extent <= bytes.size());
    }
  }
  ExerciseCodeObject(bytes);
  ExerciseBundle(bytes);
  if (absl::StatusOr<hal::gpu::MsgpackValue> value = hal::gpu::ParseMsgpack(bytes); !value.ok()) {
    RequireRefusal(value.status());
  }
  // Target IDs: the input split at its first NUL into target and device.
  const std::string text(reinterpret_cast<const char*>(data), size);
  const size_t nul = text.find('\0');
  if (nul != std::string::npos) {
    hal::gpu::TargetRunsOn(absl::string_view(text).substr(0, nul),
                           absl::string_view(text).substr(nul + 1));
  }
  return 0;
}
