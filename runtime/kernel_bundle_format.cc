#include "runtime/kernel_bundle_format.h"

#include <cstring>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "hal/types.h"

namespace hal::internal {
namespace {

absl::Status Malformed(uint64_t offset, absl::string_view what) {
  return absl::InvalidArgumentError(
      absl::StrCat("kernel bundle: at byte offset ", offset, ": ", what));
}

// Little-endian reads from a span whose bounds the caller checked.
uint16_t Load16(const uint8_t* p) { return static_cast<uint16_t>(p[0] | (p[1] << 8)); }
uint32_t Load32(const uint8_t* p) {
  return static_cast<uint32_t>(p[0]) | (static_cast<uint32_t>(p[1]) << 8) |
         (static_cast<uint32_t>(p[2]) << 16) | (static_cast<uint32_t>(p[3]) << 24);
}
uint64_t Load64(const uint8_t* p) {
  return static_cast<uint64_t>(Load32(p)) | (static_cast<uint64_t>(Load32(p + 4)) << 32);
}

void Store16(std::vector<uint8_t>& out, size_t at, uint16_t v) {
  out[at] = static_cast<uint8_t>(v);
  out[at + 1] = static_cast<uint8_t>(v >> 8);
}
void Store32(std::vector<uint8_t>& out, size_t at, uint32_t v) {
  for (int i = 0; i < 4; ++i) out[at + i] = static_cast<uint8_t>(v >> (8 * i));
}
void Store64(std::vector<uint8_t>& out, size_t at, uint64_t v) {
  Store32(out, at, static_cast<uint32_t>(v));
  Store32(out, at + 4, static_cast<uint32_t>(v >> 32));
}

// [offset, offset + size) lies inside a region of `limit` bytes.
bool Fits(uint64_t offset, uint64_t size, uint64_t limit) {
  return offset <= limit && size <= limit - offset;
}

class StringTable {
 public:
  StringTable(absl::Span<const uint8_t> bytes, uint64_t base) : bytes_(bytes), base_(base) {}
  absl::StatusOr<std::string> Read(uint64_t field_offset, uint32_t offset, uint32_t size,
                                   absl::string_view what) const {
    if (!Fits(offset, size, bytes_.size())) {
      return Malformed(field_offset, absl::StrCat(what, " (string offset ", offset, ", length ",
                                                  size, ") runs past the end of the string table (",
                                                  bytes_.size(), " bytes at offset ", base_, ")"));
    }
    return std::string(reinterpret_cast<const char*>(bytes_.data() + offset), size);
  }

 private:
  absl::Span<const uint8_t> bytes_;
  uint64_t base_;
};

bool IsPrintableName(absl::string_view text) {
  for (char c : text) {
    if (c < 0x21 || c > 0x7e) return false;
  }
  return !text.empty();
}

}  // namespace

absl::StatusOr<BundleContents> DecodeBundle(absl::Span<const uint8_t> bytes) {
  if (bytes.size() < kBundleHeaderSize) {
    return Malformed(0, absl::StrCat("the file has ", bytes.size(),
                                     " bytes, fewer than the header's ", kBundleHeaderSize));
  }
  const uint8_t* p = bytes.data();
  if (std::memcmp(p, kBundleMagic, 4) != 0) {
    return Malformed(0, "the magic is not \"HALB\": not a kernel bundle");
  }
  const uint16_t major = Load16(p + 4);
  const uint16_t minor = Load16(p + 6);
  if (major != kBundleMajor) {
    return Malformed(4, absl::StrCat("format version ", major, ".", minor,
                                     " is not supported; this runtime reads ", kBundleMajor, ".x"));
  }
  const uint32_t kernel_count = Load32(p + 8);
  const uint32_t image_count = Load32(p + 12);
  const uint32_t strings_offset = Load32(p + 16);
  const uint32_t strings_size = Load32(p + 20);
  const uint64_t declared_size = Load64(p + 24);
  if (declared_size != bytes.size()) {
    return Malformed(24, absl::StrCat("the header says the bundle has ", declared_size,
                                      " bytes, but ", bytes.size(), " are present"));
  }
  // Counts are bounded by the bytes their tables take, so a huge count in a
  // small file is rejected before anything is allocated for it.
  const uint64_t kernels_offset = kBundleHeaderSize;
  const uint64_t kernels_size = uint64_t{kernel_count} * kBundleKernelEntrySize;
  if (!Fits(kernels_offset, kernels_size, bytes.size())) {
    return Malformed(
        8, absl::StrCat("the kernel table (", kernel_count,
                        " entries) runs past the end of the file (", bytes.size(), " bytes)"));
  }
  const uint64_t images_offset = kernels_offset + kernels_size;
  const uint64_t images_size = uint64_t{image_count} * kBundleImageEntrySize;
  if (!Fits(images_offset, images_size, bytes.size())) {
    return Malformed(
        12, absl::StrCat("the image table (", image_count,
                         " entries) runs past the end of the file (", bytes.size(), " bytes)"));
  }
  if (!Fits(strings_offset, strings_size, bytes.size())) {
    return Malformed(
        16, absl::StrCat("the string table (offset ", strings_offset, ", ", strings_size,
                         " bytes) runs past the end of the file (", bytes.size(), " bytes)"));
  }
  const StringTable strings(bytes.subspan(strings_offset, strings_size), strings_offset);

  BundleContents contents;
  contents.kernels.reserve(kernel_count);
  for (uint32_t i = 0; i < kernel_count; ++i) {
    const uint64_t at = kernels_offset + uint64_t{i} * kBundleKernelEntrySize;
    const uint8_t* entry = p + at;
    KernelInfo kernel;
    auto name =
        strings.Read(at, Load32(entry), Load32(entry + 4), absl::StrCat("kernel ", i, " name"));
    if (!name.ok()) return name.status();
    kernel.name = *std::move(name);
    kernel.binding_count = Load32(entry + 8);
    kernel.push_constant_size = Load32(entry + 12);
    for (int d = 0; d < 3; ++d) kernel.workgroup_size[d] = Load32(entry + 16 + 4 * d);
    contents.kernels.push_back(std::move(kernel));
  }
  contents.images.reserve(image_count);
  for (uint32_t i = 0; i < image_count; ++i) {
    const uint64_t at = images_offset + uint64_t{i} * kBundleImageEntrySize;
    const uint8_t* entry = p + at;
    KernelImage image;
    auto format =
        strings.Read(at, Load32(entry), Load32(entry + 4), absl::StrCat("image ", i, " format"));
    if (!format.ok()) return format.status();
    image.format = *std::move(format);
    auto kernel_name = strings.Read(at + 8, Load32(entry + 8), Load32(entry + 12),
                                    absl::StrCat("image ", i, " kernel name"));
    if (!kernel_name.ok()) return kernel_name.status();
    image.kernel_name = *std::move(kernel_name);
    const uint64_t data_offset = Load64(entry + 16);
    const uint64_t data_size = Load64(entry + 24);
    if (!Fits(data_offset, data_size, bytes.size())) {
      return Malformed(
          at + 16, absl::StrCat("image ", i, " data (offset ", data_offset, ", size ", data_size,
                                ") runs past the end of the file (", bytes.size(), " bytes)"));
    }
    image.data.assign(p + data_offset, p + data_offset + data_size);
    contents.images.push_back(std::move(image));
  }
  return contents;
}

absl::Status ValidateBundle(const BundleContents& contents) {
  auto invalid = [](absl::string_view what) {
    return absl::InvalidArgumentError(absl::StrCat("kernel bundle: ", what));
  };
  if (contents.kernels.empty()) return invalid("it declares no kernels");
  absl::flat_hash_set<std::string> names;
  for (size_t i = 0; i < contents.kernels.size(); ++i) {
    const KernelInfo& k = contents.kernels[i];
    const std::string who = absl::StrCat("kernel ", i, " (\"", k.name, "\")");
    if (!IsPrintableName(k.name)) {
      return invalid(absl::StrCat("kernel ", i, " has an empty or unprintable name"));
    }
    if (!names.insert(k.name).second) return invalid(absl::StrCat(who, " is declared twice"));
    if (k.binding_count > kMaxBindings) {
      return invalid(absl::StrCat(who, " declares ", k.binding_count, " bindings; at most ",
                                  kMaxBindings, " are allowed"));
    }
    if (k.push_constant_size > kMaxPushConstantSize || k.push_constant_size % 4 != 0) {
      return invalid(absl::StrCat(who, " declares ", k.push_constant_size,
                                  " bytes of push constants; it must be a multiple of 4 and "
                                  "at most ",
                                  kMaxPushConstantSize));
    }
    for (int d = 0; d < 3; ++d) {
      if (k.workgroup_size[d] == 0) {
        return invalid(absl::StrCat(who, " declares a workgroup size of 0 in dimension ", d));
      }
    }
  }
  for (size_t i = 0; i < contents.images.size(); ++i) {
    const KernelImage& image = contents.images[i];
    if (!IsPrintableName(image.format)) {
      return invalid(absl::StrCat("image ", i, " has an empty or unprintable format"));
    }
    if (!image.kernel_name.empty() && !names.contains(image.kernel_name)) {
      return invalid(absl::StrCat("image ", i, " (", image.format, ") is for kernel \"",
                                  image.kernel_name, "\", which the bundle does not declare"));
    }
    if (image.data.empty()) {
      return invalid(absl::StrCat("image ", i, " (", image.format, ") is empty"));
    }
  }
  return absl::OkStatus();
}

std::vector<uint8_t> EncodeBundle(const BundleContents& contents) {
  std::string strings;
  auto intern = [&strings](const std::string& text) {
    const uint32_t offset = static_cast<uint32_t>(strings.size());
    strings += text;
    return std::pair<uint32_t, uint32_t>(offset, static_cast<uint32_t>(text.size()));
  };
  const uint64_t kernels_offset = kBundleHeaderSize;
  const uint64_t images_offset =
      kernels_offset + contents.kernels.size() * uint64_t{kBundleKernelEntrySize};
  const uint64_t strings_offset =
      images_offset + contents.images.size() * uint64_t{kBundleImageEntrySize};

  std::vector<uint8_t> out(strings_offset, 0);
  for (size_t i = 0; i < contents.kernels.size(); ++i) {
    const KernelInfo& k = contents.kernels[i];
    const size_t at = kernels_offset + i * kBundleKernelEntrySize;
    auto [name_offset, name_size] = intern(k.name);
    Store32(out, at, name_offset);
    Store32(out, at + 4, name_size);
    Store32(out, at + 8, k.binding_count);
    Store32(out, at + 12, k.push_constant_size);
    for (int d = 0; d < 3; ++d) Store32(out, at + 16 + 4 * d, k.workgroup_size[d]);
  }
  std::vector<std::pair<uint32_t, uint32_t>> formats, kernel_names;
  for (const KernelImage& image : contents.images) {
    formats.push_back(intern(image.format));
    kernel_names.push_back(intern(image.kernel_name));
  }
  out.insert(out.end(), strings.begin(), strings.end());
  for (size_t i = 0; i < contents.images.size(); ++i) {
    while (out.size() % kBundleImageAlignment != 0) out.push_back(0);
    const KernelImage& image = contents.images[i];
    const size_t at = images_offset + i * kBundleImageEntrySize;
    Store32(out, at, formats[i].first);
    Store32(out, at + 4, formats[i].second);
    Store32(out, at + 8, kernel_names[i].first);
    Store32(out, at + 12, kernel_names[i].second);
    Store64(out, at + 16, out.size());
    Store64(out, at + 24, image.data.size());
    out.insert(out.end(), image.data.begin(), image.data.end());
  }
  std::memcpy(out.data(), kBundleMagic, 4);
  Store16(out, 4, kBundleMajor);
  Store16(out, 6, kBundleMinor);
  Store32(out, 8, static_cast<uint32_t>(contents.kernels.size()));
  Store32(out, 12, static_cast<uint32_t>(contents.images.size()));
  Store32(out, 16, static_cast<uint32_t>(strings_offset));
  Store32(out, 20, static_cast<uint32_t>(strings.size()));
  Store64(out, 24, out.size());
  return out;
}

}  // namespace hal::internal
