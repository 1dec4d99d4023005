// The hsaco reader on real hipcc output (the standard bundle's hsaco images)
// and on truncated and corrupted copies of it.
#include "backends/gpu_core/hsaco.h"

#include <algorithm>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "backends/gpu_core/elf_image.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "hal/kernel_bundle.h"

namespace hal::gpu {
namespace {

using ::testing::HasSubstr;

// The gcnArchName a device of `arch` reports (features as ROCm lists them).
std::string DeviceName(absl::string_view arch) {
  return absl::StartsWith(arch, "gfx9") ? absl::StrCat(arch, ":sramecc+:xnack-")
                                        : std::string(arch);
}

class HsacoTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!HAL_GPU_CORE_TEST_HAVE_HIPCC) GTEST_SKIP() << "hipcc was not found at build time";
    absl::StatusOr<KernelBundle> bundle = KernelBundle::ReadFile(HAL_GPU_CORE_TEST_STANDARD_BUNDLE);
    ASSERT_TRUE(bundle.ok()) << bundle.status();
    for (const KernelImage& image : bundle->images()) {
      if (absl::StartsWith(image.format, "hsaco:")) {
        images_.emplace_back(image.format.substr(6), image.data);
      }
    }
    ASSERT_FALSE(images_.empty()) << "the standard bundle has no hsaco image";
  }

  // The gfx90a image and its code object (a copy, for corrupting).
  std::vector<uint8_t> Gfx90aBundle() const {
    for (const auto& [arch, bytes] : images_) {
      if (arch == "gfx90a") return bytes;
    }
    ADD_FAILURE() << "no hsaco:gfx90a image";
    return {};
  }
  std::vector<uint8_t> Gfx90aCodeObject() const {
    const std::vector<uint8_t> bundle = Gfx90aBundle();
    absl::StatusOr<absl::Span<const uint8_t>> object = CodeObjectFor(bundle, "gfx90a");
    EXPECT_TRUE(object.ok()) << object.status();
    return object.ok() ? std::vector<uint8_t>(object->begin(), object->end())
                       : std::vector<uint8_t>();
  }

  std::vector<std::pair<std::string, std::vector<uint8_t>>> images_;
};

TEST_F(HsacoTest, EveryArchitectureDeclaresTheKernelAbiOfTheStandardSet) {
  for (const auto& [arch, bytes] : images_) {
    SCOPED_TRACE(arch);
    absl::StatusOr<absl::Span<const uint8_t>> object = CodeObjectFor(bytes, DeviceName(arch));
    ASSERT_TRUE(object.ok()) << object.status();
    absl::StatusOr<CodeObjectMetadata> metadata = ReadCodeObject(*object);
    ASSERT_TRUE(metadata.ok()) << metadata.status();
    EXPECT_EQ(metadata->target, arch);
    ASSERT_EQ(metadata->kernels.size(), 6u);
    const KernelParamLayout& gemm = metadata->kernels.at("gemm_f32");
    ASSERT_EQ(gemm.params.size(), 4u);  // A, B, C, then the 20-byte push constants
    for (uint32_t i = 0; i < 3; ++i) {
      EXPECT_EQ(gemm.params[i].offset, 8 * i);
      EXPECT_EQ(gemm.params[i].size, 8u);
    }
    EXPECT_EQ(gemm.params[3].offset, 24u);
    EXPECT_EQ(gemm.params[3].size, 20u);
    EXPECT_EQ(gemm.total_size, 44u);
    EXPECT_EQ(gemm.max_threads_per_block, 256u);
    const KernelParamLayout& fill = metadata->kernels.at("fill_f32");
    ASSERT_EQ(fill.params.size(), 2u);
    EXPECT_EQ(fill.params[1].offset, 8u);
    EXPECT_EQ(fill.params[1].size, 8u);
    EXPECT_EQ(metadata->kernels.at("vector_add_i32").params.back().size, 4u);
    EXPECT_TRUE(metadata->kernels.at("noop").params.empty());
    EXPECT_EQ(metadata->kernels.at("noop").max_threads_per_block, 1u);
  }
}

TEST_F(HsacoTest, ABundleWithoutTheDevicesTargetIsNotFound) {
  const std::vector<uint8_t> bundle = Gfx90aBundle();
  absl::StatusOr<absl::Span<const uint8_t>> object = CodeObjectFor(bundle, "gfx1030");
  EXPECT_EQ(object.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(object.status().message(), HasSubstr("(gfx90a) runs on gfx1030"));
}

TEST_F(HsacoTest, ABareCodeObjectLoadsOnItsTargetOnly) {
  const std::vector<uint8_t> object = Gfx90aCodeObject();
  ASSERT_TRUE(LooksLikeElf(object.data()));
  EXPECT_TRUE(CodeObjectFor(object, "gfx90a:sramecc-:xnack+").ok());
  EXPECT_EQ(CodeObjectFor(object, "gfx908").status().code(), absl::StatusCode::kNotFound);
}

TEST_F(HsacoTest, TheExtentOfABundleFromItsHeader) {
  for (const auto& [arch, bytes] : images_) {
    ASSERT_TRUE(LooksLikeOffloadBundle(bytes.data())) << arch;
    absl::StatusOr<size_t> size = OffloadBundleSize(bytes.data(), bytes.size());
    ASSERT_TRUE(size.ok()) << size.status();
    EXPECT_EQ(*size, bytes.size()) << arch;
    EXPECT_FALSE(OffloadBundleSize(bytes.data(), bytes.size() - 1).ok()) << arch;
  }
}

// An ELF of `count` symbols that all name one string of `name_size` bytes:
// its sections are the null one, .symtab, .strtab (the string) and .shstrtab.
std::vector<uint8_t> ElfOfSymbolsSharingOneName(size_t count, size_t name_size) {
  std::string strings(name_size + 2, 'k');
  strings.front() = strings.back() = '\0';
  const std::string section_names = std::string("\0.symtab\0.strtab\0.shstrtab\0", 27);
  std::vector<Elf64_Sym> symbols(count + 1);
  for (size_t i = 1; i <= count; ++i) {
    symbols[i].st_name = 1;
    symbols[i].st_info = ELF64_ST_INFO(STB_GLOBAL, STT_OBJECT);
  }
  std::vector<uint8_t> image(sizeof(Elf64_Ehdr));
  std::vector<Elf64_Shdr> sections(4);
  auto add = [&](Elf64_Shdr& section, uint32_t name, uint32_t type, const void* bytes, size_t size) {
    section.sh_name = name;
    section.sh_type = type;
    section.sh_offset = image.size();
    section.sh_size = size;
    image.insert(image.end(), static_cast<const uint8_t*>(bytes),
                 static_cast<const uint8_t*>(bytes) + size);
  };
  add(sections[1], 1, SHT_SYMTAB, symbols.data(), symbols.size() * sizeof(Elf64_Sym));
  sections[1].sh_link = 2;
  add(sections[2], 9, SHT_STRTAB, strings.data(), strings.size());
  add(sections[3], 17, SHT_STRTAB, section_names.data(), section_names.size());
  Elf64_Ehdr header{};
  std::memcpy(header.e_ident, ELFMAG, SELFMAG);
  header.e_ident[EI_CLASS] = ELFCLASS64;
  header.e_ident[EI_DATA] = ELFDATA2LSB;
  header.e_machine = EM_AMDGPU;
  header.e_shoff = image.size();
  header.e_shentsize = sizeof(Elf64_Shdr);
  header.e_shnum = 4;
  header.e_shstrndx = 3;
  std::memcpy(image.data(), &header, sizeof(header));
  const auto* table = reinterpret_cast<const uint8_t*>(sections.data());
  image.insert(image.end(), table, table + sections.size() * sizeof(Elf64_Shdr));
  return image;
}

// Symbols' names were copies, so 1 MiB of symbols that all name one 0.5 MiB
// string asked for 11 GB (seen writing hal_fuzz_gpu_image, shown to it by a
// crafted input: out-of-memory). They are views into the image.
TEST(ElfImageTest, SymbolsNamingOneStringShareItsBytes) {
  const std::vector<uint8_t> image = ElfOfSymbolsSharingOneName(20, 32 << 10);
  absl::StatusOr<ElfImage> elf = ElfImage::Parse(image, "hsaco");
  ASSERT_TRUE(elf.ok()) << elf.status();
  absl::StatusOr<std::vector<ElfSymbol>> symbols = elf->Symbols();
  ASSERT_TRUE(symbols.ok()) << symbols.status();
  ASSERT_EQ(symbols->size(), 20u);
  const uint8_t* string = image.data() + elf->sections()[2].sh_offset + 1;
  for (const ElfSymbol& symbol : *symbols) {
    ASSERT_EQ(symbol.name.size(), size_t{32} << 10);
    ASSERT_EQ(reinterpret_cast<const uint8_t*>(symbol.name.data()), string);
  }
  // A code object without the metadata note is refused before its symbols.
  EXPECT_EQ(ReadCodeObject(image).status().code(), absl::StatusCode::kInvalidArgument);
}

// Even as views, 2000 symbols naming one 32 KiB string would make
// ReadCodeObject's lookup by name compare 64 MiB of names over and over (a
// crafted 4 MiB code object took 3 minutes): names beyond the image's size
// plus 1 MiB are refused.
TEST(ElfImageTest, SymbolNamesTogetherFarBeyondTheImageAreRefused) {
  const std::vector<uint8_t> image = ElfOfSymbolsSharingOneName(2000, 32 << 10);
  absl::StatusOr<ElfImage> elf = ElfImage::Parse(image, "hsaco");
  ASSERT_TRUE(elf.ok()) << elf.status();
  absl::StatusOr<std::vector<ElfSymbol>> symbols = elf->Symbols();
  EXPECT_EQ(symbols.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(symbols.status().message(), HasSubstr("malformed hsaco: symbol names of more than"));
}

// Found by hal_fuzz_gpu_image: the sizeless walk read an entry's header and
// triple past `limit` (here the triple's 100 bytes, where 4 are left), and
// so answered an extent beyond it.
TEST(OffloadBundleSizeTest, AnEntryPastTheLimitIsRefusedUnread) {
  std::vector<uint8_t> bytes(200, 0);
  const absl::string_view magic = "__CLANG_OFFLOAD_BUNDLE__";
  std::copy(magic.begin(), magic.end(), bytes.begin());
  const uint64_t header[] = {1, /*offset=*/0, /*size=*/0, /*triple_size=*/100};
  std::memcpy(bytes.data() + magic.size(), header, sizeof(header));
  const size_t limit = magic.size() + sizeof(header) + 4;
  absl::StatusOr<size_t> size = OffloadBundleSize(bytes.data(), limit);
  EXPECT_EQ(size.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(size.status().message(), HasSubstr("entry 0's triple of 100 bytes"));
  EXPECT_EQ(OffloadBundleSize(bytes.data(), magic.size() + 8 + 23).status().code(),
            absl::StatusCode::kInvalidArgument);  // an entry's header cut short
  EXPECT_EQ(OffloadBundleSize(bytes.data(), magic.size() + 7).status().code(),
            absl::StatusCode::kInvalidArgument);  // the entry count cut short
}

TEST(TargetIdTest, FeaturesTheTargetFixesMustMatch) {
  EXPECT_TRUE(TargetRunsOn("gfx90a", "gfx90a:sramecc+:xnack-"));
  EXPECT_TRUE(TargetRunsOn("gfx90a:xnack-", "gfx90a:sramecc+:xnack-"));
  EXPECT_TRUE(TargetRunsOn("gfx90a:sramecc+:xnack-", "gfx90a:sramecc+:xnack-"));
  EXPECT_FALSE(TargetRunsOn("gfx90a:xnack+", "gfx90a:sramecc+:xnack-"));
  EXPECT_FALSE(TargetRunsOn("gfx90a:xnack+", "gfx90a"));
  EXPECT_FALSE(TargetRunsOn("gfx940", "gfx942:sramecc+:xnack-"));
  EXPECT_FALSE(TargetRunsOn("gfx90", "gfx90a"));
  EXPECT_FALSE(TargetRunsOn("", "gfx90a"));
}

TEST_F(HsacoTest, ADescriptorDisagreeingWithTheMetadataIsRefused) {
  std::vector<uint8_t> object = Gfx90aCodeObject();
  absl::StatusOr<ElfImage> elf = ElfImage::Parse(object, "hsaco");
  ASSERT_TRUE(elf.ok()) << elf.status();
  absl::StatusOr<std::vector<ElfSymbol>> symbols = elf->Symbols();
  ASSERT_TRUE(symbols.ok()) << symbols.status();
  size_t kernarg_size_offset = 0;
  for (const ElfSymbol& symbol : *symbols) {
    if (symbol.name != "gemm_f32.kd") continue;
    absl::StatusOr<absl::Span<const uint8_t>> descriptor = elf->BytesAt(symbol.value, 64);
    ASSERT_TRUE(descriptor.ok()) << descriptor.status();
    kernarg_size_offset = static_cast<size_t>(descriptor->data() - object.data()) + 8;
  }
  ASSERT_NE(kernarg_size_offset, 0u);
  EXPECT_EQ(object[kernarg_size_offset], 44);
  object[kernarg_size_offset] = 40;
  absl::StatusOr<CodeObjectMetadata> metadata = ReadCodeObject(object);
  EXPECT_EQ(metadata.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(metadata.status().message(),
              HasSubstr("gemm_f32.kd declares 40 kernarg bytes, the metadata 44"));
}

TEST_F(HsacoTest, EveryTruncationFailsCleanly) {
  const std::vector<uint8_t> object = Gfx90aCodeObject();
  for (size_t size = 0; size < object.size(); ++size) {
    const absl::Span<const uint8_t> truncated(object.data(), size);
    EXPECT_EQ(ReadCodeObject(truncated).status().code(), absl::StatusCode::kInvalidArgument)
        << size;
  }
  const std::vector<uint8_t> bundle = Gfx90aBundle();
  for (size_t size = 0; size < bundle.size(); ++size) {
    const absl::Span<const uint8_t> truncated(bundle.data(), size);
    EXPECT_FALSE(CodeObjectFor(truncated, "gfx90a").ok()) << size;
  }
}

TEST_F(HsacoTest, RandomCorruptionNeverCrashes) {
  const std::vector<uint8_t> object = Gfx90aCodeObject();
  const std::vector<uint8_t> bundle = Gfx90aBundle();
  std::mt19937 random(13);
  for (int round = 0; round < 300; ++round) {
    std::vector<uint8_t> bytes = round % 2 == 0 ? object : bundle;
    for (int flips = 0; flips < 4; ++flips) {
      bytes[random() % bytes.size()] = static_cast<uint8_t>(random());
    }
    absl::StatusOr<absl::Span<const uint8_t>> found = CodeObjectFor(bytes, "gfx90a");
    if (!found.ok()) continue;
    absl::StatusOr<CodeObjectMetadata> metadata = ReadCodeObject(*found);
    if (!metadata.ok()) {
      EXPECT_EQ(metadata.status().code(), absl::StatusCode::kInvalidArgument);
    }
  }
}

}  // namespace
}  // namespace hal::gpu
