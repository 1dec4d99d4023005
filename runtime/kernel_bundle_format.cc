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

// Reads what the table entries of a file point at (strings and image data),
// once the header and the tables themselves were bounds-checked.
class EntryReader {
 public:
  EntryReader(absl::Span<const uint8_t> file, uint32_t strings_offset, uint32_t strings_size)
      : file_(file),
        strings_offset_(strings_offset),
        strings_(file.subspan(strings_offset, strings_size)),
        copy_budget_(file.size()) {}

  // The string named by the (u32 offset, u32 length) pair at byte
  // `field_offset` of the file; offsets are into the string table.
  absl::StatusOr<std::string> String(uint64_t field_offset, absl::string_view what) {
    const uint32_t offset = Load32(file_.data() + field_offset);
    const uint32_t size = Load32(file_.data() + field_offset + 4);
    if (!Fits(offset, size, strings_.size())) {
      return Malformed(field_offset,
                       absl::StrCat(what, " (string offset ", offset, ", length ", size,
                                    ") runs past the end of the string table (", strings_.size(),
                                    " bytes at offset ", strings_offset_, ")"));
    }
    if (absl::Status status = Spend(field_offset, size, what); !status.ok()) return status;
    return std::string(reinterpret_cast<const char*>(strings_.data() + offset), size);
  }

  // The bytes named by the (u64 offset, u64 size) pair at byte `field_offset`
  // of the file; offsets are from the start of the file.
  absl::StatusOr<std::vector<uint8_t>> Data(uint64_t field_offset, absl::string_view what) {
    const uint64_t offset = Load64(file_.data() + field_offset);
    const uint64_t size = Load64(file_.data() + field_offset + 8);
    if (!Fits(offset, size, file_.size())) {
      return Malformed(field_offset,
                       absl::StrCat(what, " (offset ", offset, ", size ", size,
                                    ") runs past the end of the file (", file_.size(), " bytes)"));
    }
    if (absl::Status status = Spend(field_offset, size, what); !status.ok()) return status;
    return std::vector<uint8_t>(file_.begin() + offset, file_.begin() + offset + size);
  }

 private:
  // Entries may point at the same bytes, so a small hostile file could make
  // the decoder copy them over and over; everything decoded together may not
  // exceed the file.
  absl::Status Spend(uint64_t field_offset, uint64_t size, absl::string_view what) {
    if (size > copy_budget_) {
      return Malformed(field_offset, absl::StrCat(what, " (", size,
                                                  " bytes) brings the strings and images "
                                                  "decoded to more than the file's ",
                                                  file_.size(), " bytes: entries overlap"));
    }
    copy_budget_ -= size;
    return absl::OkStatus();
  }

  absl::Span<const uint8_t> file_;
  uint32_t strings_offset_;
  absl::Span<const uint8_t> strings_;
  uint64_t copy_budget_;
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
  const uint16_t major = Load16(p + field::kMajor);
  const uint16_t minor = Load16(p + field::kMinor);
  if (major != kBundleMajor) {
    return Malformed(field::kMajor,
                     absl::StrCat("format version ", major, ".", minor,
                                  " is not supported; this runtime reads ", kBundleMajor, ".x"));
  }
  const uint32_t kernel_count = Load32(p + field::kKernelCount);
  const uint32_t image_count = Load32(p + field::kImageCount);
  const uint32_t strings_offset = Load32(p + field::kStringsOffset);
  const uint32_t strings_size = Load32(p + field::kStringsSize);
  const uint64_t declared_size = Load64(p + field::kFileSize);
  if (declared_size != bytes.size()) {
    return Malformed(field::kFileSize,
                     absl::StrCat("the header says the bundle has ", declared_size, " bytes, but ",
                                  bytes.size(), " are present"));
  }
  // Counts are bounded by the bytes their tables take, so a huge count in a
  // small file is rejected before anything is allocated for it. 64-bit
  // arithmetic on 32-bit counts cannot overflow.
  if (KernelEntryOffset(kernel_count) > bytes.size()) {
    return Malformed(field::kKernelCount, absl::StrCat("the kernel table (", kernel_count,
                                                       " entries) runs past the end of the file (",
                                                       bytes.size(), " bytes)"));
  }
  if (ImageEntryOffset(kernel_count, image_count) > bytes.size()) {
    return Malformed(field::kImageCount, absl::StrCat("the image table (", image_count,
                                                      " entries) runs past the end of the file (",
                                                      bytes.size(), " bytes)"));
  }
  if (!Fits(strings_offset, strings_size, bytes.size())) {
    return Malformed(
        field::kStringsOffset,
        absl::StrCat("the string table (offset ", strings_offset, ", ", strings_size,
                     " bytes) runs past the end of the file (", bytes.size(), " bytes)"));
  }
  EntryReader reader(bytes, strings_offset, strings_size);

  BundleContents contents;
  contents.kernels.reserve(kernel_count);
  for (uint32_t i = 0; i < kernel_count; ++i) {
    const uint64_t at = KernelEntryOffset(i);
    const uint8_t* entry = p + at;
    KernelInfo kernel;
    auto name = reader.String(at + field::kKernelName, absl::StrCat("kernel ", i, " name"));
    if (!name.ok()) return name.status();
    kernel.name = *std::move(name);
    kernel.binding_count = Load32(entry + field::kKernelBindingCount);
    kernel.push_constant_size = Load32(entry + field::kKernelPushConstantSize);
    for (int d = 0; d < 3; ++d) {
      kernel.workgroup_size[d] = Load32(entry + field::kKernelWorkgroupSize + 4 * d);
    }
    contents.kernels.push_back(std::move(kernel));
  }
  contents.images.reserve(image_count);
  for (uint32_t i = 0; i < image_count; ++i) {
    const uint64_t at = ImageEntryOffset(kernel_count, i);
    KernelImage image;
    auto format = reader.String(at + field::kImageFormat, absl::StrCat("image ", i, " format"));
    if (!format.ok()) return format.status();
    image.format = *std::move(format);
    auto kernel_name =
        reader.String(at + field::kImageKernelName, absl::StrCat("image ", i, " kernel name"));
    if (!kernel_name.ok()) return kernel_name.status();
    image.kernel_name = *std::move(kernel_name);
    auto data = reader.Data(at + field::kImageDataOffset, absl::StrCat("image ", i, " data"));
    if (!data.ok()) return data.status();
    image.data = *std::move(data);
    contents.images.push_back(std::move(image));
  }
  return contents;
}

absl::Status ValidateBundle(absl::Span<const KernelInfo> kernels,
                            absl::Span<const KernelImage> images, BundleSource source) {
  // `offset`: where the field would be in the file; named only for a file.
  auto invalid = [source](uint64_t offset, absl::string_view what) {
    if (source == BundleSource::kFile) return Malformed(offset, what);
    return absl::InvalidArgumentError(absl::StrCat("kernel bundle: ", what));
  };
  if (kernels.empty()) return invalid(field::kKernelCount, "it declares no kernels");
  absl::flat_hash_set<std::string> names;
  for (size_t i = 0; i < kernels.size(); ++i) {
    const KernelInfo& k = kernels[i];
    const uint64_t at = KernelEntryOffset(i);
    const std::string who = absl::StrCat("kernel ", i, " (\"", k.name, "\")");
    if (!IsPrintableName(k.name)) {
      return invalid(at + field::kKernelName,
                     absl::StrCat("kernel ", i, " has an empty or unprintable name"));
    }
    if (!names.insert(k.name).second) {
      return invalid(at + field::kKernelName, absl::StrCat(who, " is declared twice"));
    }
    if (k.binding_count > kMaxBindings) {
      return invalid(at + field::kKernelBindingCount,
                     absl::StrCat(who, " declares ", k.binding_count, " bindings; at most ",
                                  kMaxBindings, " are allowed"));
    }
    if (k.push_constant_size > kMaxPushConstantSize || k.push_constant_size % 4 != 0) {
      return invalid(at + field::kKernelPushConstantSize,
                     absl::StrCat(who, " declares ", k.push_constant_size,
                                  " bytes of push constants; it must be a multiple of 4 and "
                                  "at most ",
                                  kMaxPushConstantSize));
    }
    for (int d = 0; d < 3; ++d) {
      if (k.workgroup_size[d] == 0) {
        return invalid(at + field::kKernelWorkgroupSize + 4 * d,
                       absl::StrCat(who, " declares a workgroup size of 0 in dimension ", d));
      }
    }
  }
  // The runtime takes the first image of a (format, kernel) pair, so a second
  // one could never be loaded: it is a packing mistake.
  absl::flat_hash_set<std::pair<std::string, std::string>> image_keys;
  for (size_t i = 0; i < images.size(); ++i) {
    const KernelImage& image = images[i];
    const uint64_t at = ImageEntryOffset(kernels.size(), i);
    if (!IsPrintableName(image.format)) {
      return invalid(at + field::kImageFormat,
                     absl::StrCat("image ", i, " has an empty or unprintable format"));
    }
    if (!image.kernel_name.empty() && !names.contains(image.kernel_name)) {
      return invalid(at + field::kImageKernelName,
                     absl::StrCat("image ", i, " (", image.format, ") is for kernel \"",
                                  image.kernel_name, "\", which the bundle does not declare"));
    }
    if (!image_keys.emplace(image.format, image.kernel_name).second) {
      return invalid(
          at + field::kImageFormat,
          absl::StrCat("image ", i, " repeats an earlier image of format ", image.format, " for ",
                       image.kernel_name.empty()
                           ? std::string("every kernel")
                           : absl::StrCat("kernel \"", image.kernel_name, "\"")));
    }
    if (image.data.empty()) {
      return invalid(at + field::kImageDataSize,
                     absl::StrCat("image ", i, " (", image.format, ") is empty"));
    }
  }
  return absl::OkStatus();
}

std::vector<uint8_t> EncodeBundle(absl::Span<const KernelInfo> kernels,
                                  absl::Span<const KernelImage> images) {
  const uint64_t strings_offset = ImageEntryOffset(kernels.size(), images.size());
  std::vector<uint8_t> out(strings_offset, 0);
  std::string strings;
  // Appends `text` to the string table and stores its (offset, length) at `at`.
  auto store_string = [&out, &strings](size_t at, const std::string& text) {
    Store32(out, at, static_cast<uint32_t>(strings.size()));
    Store32(out, at + 4, static_cast<uint32_t>(text.size()));
    strings += text;
  };
  for (size_t i = 0; i < kernels.size(); ++i) {
    const KernelInfo& k = kernels[i];
    const size_t at = KernelEntryOffset(i);
    store_string(at + field::kKernelName, k.name);
    Store32(out, at + field::kKernelBindingCount, k.binding_count);
    Store32(out, at + field::kKernelPushConstantSize, k.push_constant_size);
    for (int d = 0; d < 3; ++d) {
      Store32(out, at + field::kKernelWorkgroupSize + 4 * d, k.workgroup_size[d]);
    }
  }
  for (size_t i = 0; i < images.size(); ++i) {
    const size_t at = ImageEntryOffset(kernels.size(), i);
    store_string(at + field::kImageFormat, images[i].format);
    store_string(at + field::kImageKernelName, images[i].kernel_name);
  }
  out.insert(out.end(), strings.begin(), strings.end());
  for (size_t i = 0; i < images.size(); ++i) {
    while (out.size() % kBundleImageAlignment != 0) out.push_back(0);
    const std::vector<uint8_t>& data = images[i].data;
    const size_t at = ImageEntryOffset(kernels.size(), i);
    Store64(out, at + field::kImageDataOffset, out.size());
    Store64(out, at + field::kImageDataSize, data.size());
    out.insert(out.end(), data.begin(), data.end());
  }
  std::memcpy(out.data(), kBundleMagic, 4);
  Store16(out, field::kMajor, kBundleMajor);
  Store16(out, field::kMinor, kBundleMinor);
  Store32(out, field::kKernelCount, static_cast<uint32_t>(kernels.size()));
  Store32(out, field::kImageCount, static_cast<uint32_t>(images.size()));
  Store32(out, field::kStringsOffset, static_cast<uint32_t>(strings_offset));
  Store32(out, field::kStringsSize, static_cast<uint32_t>(strings.size()));
  Store64(out, field::kFileSize, out.size());
  return out;
}

}  // namespace hal::internal
