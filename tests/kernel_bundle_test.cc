// The bundle format: round trips, every validation rule, and hostile input
// (truncation at every length, random corruption) that must fail cleanly.
#include "hal/kernel_bundle.h"

#include <random>
#include <set>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "runtime/kernel_bundle_format.h"
#include "tests/test_folder.h"

namespace hal {
namespace {

using ::testing::HasSubstr;

KernelInfo KernelInfoNamed(std::string name, uint32_t bindings = 2, uint32_t push = 8) {
  KernelInfo info;
  info.name = std::move(name);
  info.binding_count = bindings;
  info.push_constant_size = push;
  info.workgroup_size = {64, 2, 1};
  return info;
}

KernelImage Image(std::string format, std::string kernel = "", size_t size = 100) {
  KernelImage image;
  image.format = std::move(format);
  image.kernel_name = std::move(kernel);
  for (size_t i = 0; i < size; ++i) image.data.push_back(static_cast<uint8_t>(i * 13));
  return image;
}

std::vector<uint8_t> SampleBytes() {
  auto bundle = KernelBundle::Create({KernelInfoNamed("a"), KernelInfoNamed("bb", 0, 0)},
                                     {Image("cpu-elf:x86_64"), Image("spirv-vulkan", "bb", 37)});
  EXPECT_TRUE(bundle.ok()) << bundle.status();
  return bundle->Serialize();
}

TEST(KernelBundleTest, SerializeParseRoundTrip) {
  auto original = KernelBundle::Create({KernelInfoNamed("a"), KernelInfoNamed("bb", 0, 0)},
                                       {Image("cpu-elf:x86_64"), Image("spirv-vulkan", "bb", 37)});
  ASSERT_TRUE(original.ok()) << original.status();
  auto parsed = KernelBundle::Parse(original->Serialize());
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  ASSERT_EQ(parsed->kernels().size(), 2u);
  EXPECT_EQ(parsed->kernels()[0].name, "a");
  EXPECT_EQ(parsed->kernels()[0].binding_count, 2u);
  EXPECT_EQ(parsed->kernels()[0].push_constant_size, 8u);
  EXPECT_EQ(parsed->kernels()[0].workgroup_size, (std::array<uint32_t, 3>{64, 2, 1}));
  EXPECT_EQ(parsed->kernels()[1].name, "bb");
  ASSERT_EQ(parsed->images().size(), 2u);
  EXPECT_EQ(parsed->images()[0].format, "cpu-elf:x86_64");
  EXPECT_EQ(parsed->images()[0].kernel_name, "");
  EXPECT_EQ(parsed->images()[0].data, original->images()[0].data);
  EXPECT_EQ(parsed->images()[1].kernel_name, "bb");
  EXPECT_EQ(parsed->images()[1].data, original->images()[1].data);
  EXPECT_EQ(parsed->Serialize(), original->Serialize());
  // Every Parse or Create is a new bundle to the module caches; copies are not.
  EXPECT_NE(parsed->id(), original->id());
  const KernelBundle copy = *parsed;
  EXPECT_EQ(copy.id(), parsed->id());
}

TEST(KernelBundleTest, FindKernel) {
  auto bundle = KernelBundle::Create({KernelInfoNamed("a"), KernelInfoNamed("b")}, {Image("x")});
  ASSERT_TRUE(bundle.ok());
  ASSERT_NE(bundle->FindKernel("b"), nullptr);
  EXPECT_EQ(bundle->FindKernel("b")->name, "b");
  EXPECT_EQ(bundle->FindKernel("c"), nullptr);
}

// One broken rule: the bundle that breaks it, what the message says, and the
// byte offset a parsed file names (the field's place in the layout).
struct RuleCase {
  std::vector<KernelInfo> kernels;
  std::vector<KernelImage> images;
  std::string message;
  uint64_t file_offset;
};

std::vector<RuleCase> BrokenRules() {
  using internal::ImageEntryOffset;
  using internal::KernelEntryOffset;
  namespace field = internal::field;
  KernelInfo zero_size = KernelInfoNamed("a");
  zero_size.workgroup_size[2] = 0;
  return {
      {{}, {Image("x")}, "declares no kernels", field::kKernelCount},
      {{KernelInfoNamed("")},
       {Image("x")},
       "kernel 0 has an empty or unprintable name",
       KernelEntryOffset(0) + field::kKernelName},
      {{KernelInfoNamed("a b")}, {Image("x")}, "unprintable name", KernelEntryOffset(0)},
      {{KernelInfoNamed("a"), KernelInfoNamed("a")},
       {Image("x")},
       "kernel 1 (\"a\") is declared twice",
       KernelEntryOffset(1) + field::kKernelName},
      {{KernelInfoNamed("a", 17)},
       {Image("x")},
       "17 bindings; at most 16",
       KernelEntryOffset(0) + field::kKernelBindingCount},
      {{KernelInfoNamed("a", 1, 132)},
       {Image("x")},
       "132 bytes of push constants",
       KernelEntryOffset(0) + field::kKernelPushConstantSize},
      {{KernelInfoNamed("a", 1, 6)},
       {Image("x")},
       "6 bytes of push constants; it must be a multiple of 4",
       KernelEntryOffset(0) + field::kKernelPushConstantSize},
      {{zero_size},
       {Image("x")},
       "workgroup size of 0 in dimension 2",
       KernelEntryOffset(0) + field::kKernelWorkgroupSize + 8},
      {{KernelInfoNamed("a")},
       {Image("")},
       "image 0 has an empty or unprintable format",
       ImageEntryOffset(1, 0) + field::kImageFormat},
      {{KernelInfoNamed("a")},
       {Image("x", "nope")},
       "image 0 (x) is for kernel \"nope\"",
       ImageEntryOffset(1, 0) + field::kImageKernelName},
      {{KernelInfoNamed("a")},
       {Image("x"), Image("x")},
       "image 1 repeats an earlier image of format x",
       ImageEntryOffset(1, 1) + field::kImageFormat},
      {{KernelInfoNamed("a")},
       {Image("x", "a"), Image("x", "a")},
       "for kernel \"a\"",
       ImageEntryOffset(1, 1) + field::kImageFormat},
      {{KernelInfoNamed("a")},
       {Image("x", "", 0)},
       "image 0 (x) is empty",
       ImageEntryOffset(1, 0) + field::kImageDataSize},
  };
}

TEST(KernelBundleTest, EveryRuleIsEnforcedOnCreate) {
  for (const RuleCase& rule : BrokenRules()) {
    auto bundle = KernelBundle::Create(rule.kernels, rule.images);
    ASSERT_FALSE(bundle.ok()) << rule.message;
    EXPECT_EQ(bundle.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(bundle.status().message(), HasSubstr(rule.message));
  }
}

TEST(KernelBundleTest, EveryRuleBrokenInAFileNamesTheByteOffset) {
  for (const RuleCase& rule : BrokenRules()) {
    auto bundle = KernelBundle::Parse(internal::EncodeBundle(rule.kernels, rule.images));
    ASSERT_FALSE(bundle.ok()) << rule.message;
    EXPECT_EQ(bundle.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(bundle.status().message(), HasSubstr(rule.message));
    EXPECT_THAT(bundle.status().message(),
                HasSubstr(absl::StrCat("at byte offset ", rule.file_offset, ": ")));
  }
}

TEST(KernelBundleTest, AnImageOfEachFormatForEveryKernelAndForOneIsAllowed) {
  auto bundle =
      KernelBundle::Create({KernelInfoNamed("a")}, {Image("x"), Image("x", "a"), Image("y")});
  EXPECT_TRUE(bundle.ok()) << bundle.status();
}

absl::Status ParseStatus(const std::vector<uint8_t>& bytes) {
  return KernelBundle::Parse(bytes).status();
}

void PutU32(std::vector<uint8_t>& bytes, size_t at, uint32_t v) {
  for (int i = 0; i < 4; ++i) bytes[at + i] = static_cast<uint8_t>(v >> (8 * i));
}

TEST(KernelBundleTest, MalformedHeadersNameTheOffset) {
  const std::vector<uint8_t> good = SampleBytes();
  auto bad_magic = good;
  bad_magic[0] = 'X';
  EXPECT_THAT(ParseStatus(bad_magic).message(), HasSubstr("not a kernel bundle"));

  auto future = good;
  future[4] = 9;
  absl::Status status = ParseStatus(future);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(), HasSubstr("format version 9.0 is not supported"));
  EXPECT_THAT(status.message(), HasSubstr("offset 4"));

  auto many_kernels = good;
  PutU32(many_kernels, 8, 0x10000000);
  EXPECT_THAT(ParseStatus(many_kernels).message(), HasSubstr("kernel table"));

  auto many_images = good;
  PutU32(many_images, 12, 0xFFFFFFFF);
  EXPECT_THAT(ParseStatus(many_images).message(), HasSubstr("image table"));

  auto strings_past_end = good;
  PutU32(strings_past_end, 20, 0xFFFFFFF0);
  EXPECT_THAT(ParseStatus(strings_past_end).message(), HasSubstr("string table"));

  auto name_past_strings = good;
  PutU32(name_past_strings, internal::KernelEntryOffset(0) + internal::field::kKernelName + 4,
         5000);  // kernel 0 name length
  status = ParseStatus(name_past_strings);
  EXPECT_THAT(status.message(), HasSubstr("kernel 0 name"));
  EXPECT_THAT(status.message(), HasSubstr("offset 32"));

  auto data_past_end = good;
  const size_t image0_data = internal::ImageEntryOffset(2, 0) + internal::field::kImageDataOffset;
  PutU32(data_past_end, image0_data + 8, 0x7FFFFFFF);  // data size
  status = ParseStatus(data_past_end);
  EXPECT_THAT(status.message(),
              HasSubstr(absl::StrCat("at byte offset ", image0_data, ": image 0 data (offset ")));
  EXPECT_THAT(status.message(), HasSubstr(", size 2147483647) runs past the end of the file"));

  auto wrapping_offset = good;
  PutU32(wrapping_offset, image0_data, 0xFFFFFFFF);
  PutU32(wrapping_offset, image0_data + 4, 0xFFFFFFFF);  // offset 2^64-1: must not wrap
  EXPECT_THAT(ParseStatus(wrapping_offset).message(), HasSubstr("runs past the end"));
}

TEST(KernelBundleTest, EntriesSharingBytesCannotMultiplyWhatIsDecoded) {
  // Image 1 claims the whole file as its data: it fits, but together with
  // image 0 more bytes would be decoded than the file holds. Many such
  // entries in a small file would otherwise allocate far more than its size.
  std::vector<uint8_t> bytes = SampleBytes();
  const size_t image1_data = internal::ImageEntryOffset(2, 1) + internal::field::kImageDataOffset;
  PutU32(bytes, image1_data, 0);
  PutU32(bytes, image1_data + 4, 0);
  PutU32(bytes, image1_data + 8, static_cast<uint32_t>(bytes.size()));
  PutU32(bytes, image1_data + 12, 0);
  absl::Status status = ParseStatus(bytes);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(), HasSubstr(absl::StrCat("at byte offset ", image1_data)));
  EXPECT_THAT(status.message(), HasSubstr("entries overlap"));
}

TEST(KernelBundleTest, EveryTruncationFailsCleanly) {
  const std::vector<uint8_t> good = SampleBytes();
  for (size_t length = 0; length < good.size(); ++length) {
    std::vector<uint8_t> truncated(good.begin(), good.begin() + length);
    absl::Status status = ParseStatus(truncated);
    ASSERT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << "length " << length;
  }
  EXPECT_TRUE(ParseStatus(good).ok());
}

TEST(KernelBundleTest, RandomCorruptionNeverCrashes) {
  const std::vector<uint8_t> good = SampleBytes();
  std::mt19937 random(20261124);
  std::uniform_int_distribution<size_t> position(0, good.size() - 1);
  std::uniform_int_distribution<int> byte(0, 255), flips(1, 4);
  int rejected = 0;
  for (int round = 0; round < 20000; ++round) {
    std::vector<uint8_t> bytes = good;
    for (int f = flips(random); f > 0; --f) {
      bytes[position(random)] = static_cast<uint8_t>(byte(random));
    }
    auto bundle = KernelBundle::Parse(bytes);
    if (!bundle.ok()) {
      ++rejected;
      ASSERT_EQ(bundle.status().code(), absl::StatusCode::kInvalidArgument);
    } else {
      // Whatever parsed is self-consistent: it serializes and parses again.
      ASSERT_TRUE(KernelBundle::Parse(bundle->Serialize()).ok());
    }
  }
  // Corrupting the header or tables must be noticed most of the time.
  EXPECT_GT(rejected, 1000);
}

TEST(KernelBundleTest, ReadFile) {
  testing::TestFolder folder;
  auto missing = KernelBundle::ReadFile(folder.path() + "/none.halb");
  EXPECT_EQ(missing.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(missing.status().message(), HasSubstr("none.halb"));

  const std::vector<uint8_t> good = SampleBytes();
  const std::string path = folder.Write("good.halb", std::string(good.begin(), good.end()));
  auto bundle = KernelBundle::ReadFile(path);
  ASSERT_TRUE(bundle.ok()) << bundle.status();
  EXPECT_EQ(bundle->kernels().size(), 2u);

  const std::string junk = folder.Write("junk.halb", "HALB but not really");
  auto bad = KernelBundle::ReadFile(junk);
  EXPECT_EQ(bad.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(bad.status().message(), HasSubstr("junk.halb"));
}

TEST(KernelBundleTest, StandardBundleHoldsTheStandardKernelSet) {
  // Found relative to libhal, as an installed program finds it.
  EXPECT_EQ(KernelBundle::StandardBundlePath(),
            std::string(HAL_TEST_BINARY_DIR) + "/share/hal/kernels/standard.halb");
  auto bundle = KernelBundle::ReadFile(KernelBundle::StandardBundlePath());
  ASSERT_TRUE(bundle.ok()) << bundle.status();
  for (const char* name :
       {"fill_f32", "saxpy_f32", "reduce_sum_f32", "gemm_f32", "vector_add_i32", "noop"}) {
    EXPECT_NE(bundle->FindKernel(name), nullptr) << name;
  }
  ASSERT_FALSE(bundle->images().empty());
  EXPECT_THAT(bundle->images()[0].format, HasSubstr("cpu-elf:"));
}

TEST(StandardBundleTest, EveryKernelHasAVulkanImageWhenGlslcWasThere) {
  if (!HAL_TEST_STANDARD_BUNDLE_HAS_SPIRV) {
    GTEST_SKIP() << "glslc was not found at configure time: no spirv-vulkan images to check";
  }
  auto bundle = KernelBundle::ReadFile(KernelBundle::StandardBundlePath());
  ASSERT_TRUE(bundle.ok()) << bundle.status();
  for (const KernelInfo& kernel : bundle->kernels()) {
    const KernelImage* spirv = nullptr;
    for (const KernelImage& image : bundle->images()) {
      if (image.format == "spirv-vulkan" && image.kernel_name == kernel.name) spirv = &image;
    }
    ASSERT_NE(spirv, nullptr) << kernel.name;
    // A SPIR-V module starts with its magic number, little-endian.
    ASSERT_GE(spirv->data.size(), 20u);
    EXPECT_EQ(spirv->data[0] | (spirv->data[1] << 8) | (spirv->data[2] << 16) |
                  (uint32_t{spirv->data[3]} << 24),
              0x07230203u)
        << kernel.name;
  }
}

// Whether a whole-bundle image names `kernel` as a symbol: an ELF string
// table entry (cpu-elf, cubin, hsaco) ends in NUL, a PTX entry in '('.
bool ImageNamesKernel(const KernelImage& image, const std::string& kernel) {
  const std::string bytes(image.data.begin(), image.data.end());
  return bytes.find(kernel + '\0') != std::string::npos ||
         bytes.find(".entry " + kernel + '(') != std::string::npos;
}

// Every image format the build put in the standard bundle covers every kernel
// of the set: by an image of that kernel, or by an image of the whole bundle
// that holds it. (That each toolchain found produced its formats at all is
// checked by the ctest entries standard_bundle_has_{cuda,hip}_images.)
TEST(StandardBundleTest, EveryKernelHasAnImageOfEveryFormatTheBuildProduced) {
  auto bundle = KernelBundle::ReadFile(KernelBundle::StandardBundlePath());
  ASSERT_TRUE(bundle.ok()) << bundle.status();
  std::set<std::string> formats;
  for (const KernelImage& image : bundle->images()) formats.insert(image.format);
  ASSERT_FALSE(formats.empty());
  for (const std::string& format : formats) {
    for (const KernelInfo& kernel : bundle->kernels()) {
      bool covered = false;
      for (const KernelImage& image : bundle->images()) {
        if (image.format != format) continue;
        covered |= image.kernel_name.empty() ? ImageNamesKernel(image, kernel.name)
                                             : image.kernel_name == kernel.name;
      }
      EXPECT_TRUE(covered) << "no " << format << " image holds " << kernel.name;
    }
  }
}

}  // namespace
}  // namespace hal
