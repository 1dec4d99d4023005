#include "backends/gpu_core/image_extent.h"

#include <elf.h>

#include <cstring>
#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace hal::gpu {
namespace {

// A 64-bit ELF header with one section of `section_size` bytes at
// `section_offset`, its table right after the header.
std::vector<uint8_t> Elf(uint64_t section_offset, uint64_t section_size) {
  std::vector<uint8_t> image(sizeof(Elf64_Ehdr) + sizeof(Elf64_Shdr) + 64, 0);
  Elf64_Ehdr header{};
  std::memcpy(header.e_ident, ELFMAG, SELFMAG);
  header.e_ident[EI_CLASS] = ELFCLASS64;
  header.e_shoff = sizeof(Elf64_Ehdr);
  header.e_shnum = 1;
  header.e_shentsize = sizeof(Elf64_Shdr);
  std::memcpy(image.data(), &header, sizeof(header));
  Elf64_Shdr section{};
  section.sh_type = SHT_PROGBITS;
  section.sh_offset = section_offset;
  section.sh_size = section_size;
  std::memcpy(image.data() + sizeof(header), &section, sizeof(section));
  return image;
}

// A clang offload bundle of one entry at `offset`, `size` bytes, whose
// triple claims `triple_size` bytes ("hipv4-amdgcn-amd-amdhsa--gfx90a").
std::vector<uint8_t> Bundle(uint64_t offset, uint64_t size, uint64_t triple_size) {
  const std::string magic = "__CLANG_OFFLOAD_BUNDLE__";
  const std::string triple = "hipv4-amdgcn-amd-amdhsa--gfx90a";
  std::vector<uint8_t> image(magic.begin(), magic.end());
  for (const uint64_t value : {uint64_t{1}, offset, size, triple_size}) {
    const auto* bytes = reinterpret_cast<const uint8_t*>(&value);
    image.insert(image.end(), bytes, bytes + sizeof(value));
  }
  image.insert(image.end(), triple.begin(), triple.end());
  image.resize(image.size() + 64, 0);
  return image;
}

TEST(ImageExtentTest, AnElfWhoseSectionsLieWithinItsBytesPasses) {
  const std::vector<uint8_t> image = Elf(sizeof(Elf64_Ehdr) + sizeof(Elf64_Shdr), 64);
  EXPECT_TRUE(ImageExtentWithin(image.data(), image.size()));
}

TEST(ImageExtentTest, AnElfReachingPastItsBytesIsRefused) {
  const std::vector<uint8_t> past = Elf(sizeof(Elf64_Ehdr), 1 << 20);
  EXPECT_FALSE(ImageExtentWithin(past.data(), past.size()));
  const std::vector<uint8_t> whole = Elf(sizeof(Elf64_Ehdr) + sizeof(Elf64_Shdr), 64);
  EXPECT_FALSE(ImageExtentWithin(whole.data(), sizeof(Elf64_Ehdr) + 8)) << "truncated table";
  EXPECT_FALSE(ImageExtentWithin(whole.data(), SELFMAG + 1)) << "truncated header";
}

TEST(ImageExtentTest, AnOffloadBundleIsCheckedEntryByEntry) {
  const std::vector<uint8_t> good = Bundle(24 + 8 + 24 + 31, 64, 31);
  EXPECT_TRUE(ImageExtentWithin(good.data(), good.size()));
  const std::vector<uint8_t> entry_past = Bundle(64, 1 << 20, 31);
  EXPECT_FALSE(ImageExtentWithin(entry_past.data(), entry_past.size()));
  const std::vector<uint8_t> huge_triple = Bundle(64, 8, UINT64_MAX - 8);
  EXPECT_FALSE(ImageExtentWithin(huge_triple.data(), huge_triple.size()));
  EXPECT_FALSE(ImageExtentWithin(good.data(), 30)) << "the entry count cut off";
}

TEST(ImageExtentTest, ContainersAreKnownByWholeHeadersOnly) {
  const std::vector<uint8_t> elf = Elf(sizeof(Elf64_Ehdr) + sizeof(Elf64_Shdr), 64);
  EXPECT_EQ(ContainerOf(elf.data(), elf.size()), ImageContainer::kElf);
  EXPECT_EQ(ContainerOf(elf.data(), SELFMAG), ImageContainer::kOther) << "the magic alone";
  const std::vector<uint8_t> bundle = Bundle(24 + 8 + 24 + 31, 64, 31);
  EXPECT_EQ(ContainerOf(bundle.data(), bundle.size()), ImageContainer::kOffloadBundle);
  EXPECT_EQ(ContainerOf(bundle.data(), 24), ImageContainer::kOther) << "no entry count";
  const uint8_t nothing[8] = {};
  EXPECT_EQ(ContainerOf(nothing, 0), ImageContainer::kOther);
}

TEST(ImageExtentTest, TextHasNoExtentToCheck) {
  const std::string ptx = ".version 8.0\n.target sm_75\n";
  EXPECT_TRUE(ImageExtentWithin(reinterpret_cast<const uint8_t*>(ptx.data()), ptx.size()));
}

}  // namespace
}  // namespace hal::gpu
