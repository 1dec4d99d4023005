// hal-pack as a user runs it: packing, listing, and each bad input exiting
// non-zero with a message.
#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "hal/kernel_bundle.h"
#include "runtime/file_reading.h"
#include "tests/hostile_files.h"
#include "tests/subprocess.h"
#include "tests/test_folder.h"

namespace hal {
namespace {

using ::testing::HasSubstr;

testing::CommandResult HalPack(const std::string& args) {
  return testing::RunCommand("timeout 60 " + testing::BuiltProgram("hal-pack") + " " + args);
}

constexpr char kManifest[] = R"({"kernels": [
  {"name": "k1", "bindings": 2, "push_constant_size": 8, "workgroup_size": [256]},
  {"name": "k2", "bindings": 0, "workgroup_size": [8, 8, 1]}]})";

// "push_constants" for "push_constant_size": must not pack a kernel without them.
constexpr char kManifestWithTypo[] = R"({"kernels": [
  {"name": "a", "bindings": 1, "push_constants": 8, "workgroup_size": [1]}]})";

class HalPackTest : public ::testing::Test {
 protected:
  testing::TestFolder folder_;
};

TEST_F(HalPackTest, PacksAndLists) {
  const std::string manifest = folder_.Write("k.json", kManifest);
  const std::string image = folder_.Write("k.so", "image bytes");
  const std::string spirv = folder_.Write("k2.spv", "spirv bytes");
  const std::string out = folder_.path() + "/k.halb";
  testing::CommandResult pack = HalPack("--manifest " + manifest + " --image ptx=" + image +
                                        " --image spirv-vulkan@k2=" + spirv + " -o " + out);
  ASSERT_EQ(pack.exit_code, 0) << pack.output;

  auto bundle = KernelBundle::ReadFile(out);
  ASSERT_TRUE(bundle.ok()) << bundle.status();
  ASSERT_EQ(bundle->kernels().size(), 2u);
  EXPECT_EQ(bundle->kernels()[1].workgroup_size, (std::array<uint32_t, 3>{8, 8, 1}));
  ASSERT_EQ(bundle->images().size(), 2u);
  EXPECT_EQ(bundle->images()[1].kernel_name, "k2");
  EXPECT_EQ(std::string(bundle->images()[1].data.begin(), bundle->images()[1].data.end()),
            "spirv bytes");

  testing::CommandResult list = HalPack("--list " + out);
  ASSERT_EQ(list.exit_code, 0) << list.output;
  EXPECT_THAT(list.output, HasSubstr("kernel k1  bindings=2 push_constants=8 workgroup=256x1x1"));
  EXPECT_THAT(list.output, HasSubstr("image  spirv-vulkan@k2  11 bytes"));
}

TEST_F(HalPackTest, BadInputsFailWithAMessage) {
  const std::string manifest = folder_.Write("k.json", kManifest);
  const std::string image = folder_.Write("k.so", "image bytes");
  const std::string out = folder_.path() + "/k.halb";
  struct Case {
    std::string args;
    std::string message;
  };
  const std::vector<Case> cases = {
      {"--manifest " + folder_.path() + "/none.json --image x=" + image + " -o " + out,
       "cannot open kernel manifest"},
      {"--manifest " + folder_.Write("bad.json", "{ nope") + " --image x=" + image + " -o " + out,
       "parse error"},
      {"--manifest " + folder_.Write("nok.json", "{\"kernels\": [{\"name\": \"a\"}]}") +
           " --image x=" + image + " -o " + out,
       "lacks \"bindings\""},
      {"--manifest " + folder_.Write("typo.json", kManifestWithTypo) + " --image x=" + image +
           " -o " + out,
       "kernel 0 has an unknown key \"push_constants\""},
      {"--manifest " + manifest + " -o " + out, "give at least one --image"},
      {"--manifest " + manifest + " --image x" + " -o " + out, "FORMAT=PATH"},
      {"--manifest " + manifest + " --image =" + image + " -o " + out, "FORMAT=PATH"},
      {"--manifest " + manifest + " --image x@=" + image + " -o " + out, "FORMAT@KERNEL=PATH"},
      {"--manifest " + manifest + " --image x=" + image + " --image x=" + image + " -o " + out,
       "image 1 repeats an earlier image of format x"},
      {"--manifest " + manifest + " --image x=" + image + " -o " + folder_.path() +
           "/no/such/dir/k.halb",
       "cannot write"},
      {"--manifest " + manifest + " --image x=" + folder_.path() + "/none.so -o " + out,
       "cannot open image file"},
      {"--manifest " + manifest + " --image x@nokernel=" + image + " -o " + out,
       "does not declare"},
      {"--list " + manifest, "not a kernel bundle"},
      {"", "give --manifest"},
  };
  for (const Case& c : cases) {
    testing::CommandResult run = HalPack(c.args);
    EXPECT_EQ(run.exit_code, 1) << c.args;
    EXPECT_THAT(run.output, HasSubstr(c.message)) << c.args;
  }
}

// The standard kernels' CPU image, built with the tests, and its manifest.
std::string StandardImage() {
  return std::string(HAL_TEST_BINARY_DIR) +
         "/kernels/hal_standard_kernels.images/hal_standard_kernels_cpu.so";
}
std::string StandardManifest() {
  return std::string(HAL_TEST_SOURCE_DIR) + "/kernels/standard_kernels.json";
}

TEST_F(HalPackTest, PacksACpuImageWhoseSignaturesMatchTheManifest) {
  const std::string out = folder_.path() + "/standard.halb";
  testing::CommandResult pack =
      HalPack("--manifest " + StandardManifest() + " --image cpu-elf:x86_64=" + StandardImage() +
              " -o " + out);
  ASSERT_EQ(pack.exit_code, 0) << pack.output;
  EXPECT_TRUE(KernelBundle::ReadFile(out).ok());
}

TEST_F(HalPackTest, RefusesACpuImageThatDisagreesWithTheManifest) {
  const std::string out = folder_.path() + "/k.halb";
  const std::string one_binding = folder_.Write("one.json", R"({"kernels": [
    {"name": "saxpy_f32", "bindings": 1, "push_constant_size": 8, "workgroup_size": [256]}]})");
  const std::string more_push_constants = folder_.Write("push.json", R"({"kernels": [
    {"name": "fill_f32", "bindings": 1, "push_constant_size": 4, "workgroup_size": [256]}]})");
  const std::string absent = folder_.Write("absent.json", R"({"kernels": [
    {"name": "no_such_kernel", "bindings": 1, "workgroup_size": [1]}]})");
  std::string elf_header;
  {
    std::ifstream file(StandardImage(), std::ios::binary);
    elf_header.resize(64);
    ASSERT_TRUE(file.read(elf_header.data(), 64));
  }
  struct Case {
    std::string manifest;
    std::string image;
    std::string message;
  };
  const std::vector<Case> cases = {
      {one_binding, StandardImage(),
       "kernel \"saxpy_f32\": the manifest declares 1 bindings, 8 push-constant bytes, workgroup "
       "size 256x1x1, but the image declares 2 bindings"},
      {more_push_constants, StandardImage(), "declares 1 bindings, 8 push-constant bytes"},
      {absent, StandardImage(), "kernel \"no_such_kernel\" is not exported"},
      {StandardManifest(), folder_.Write("text.so", "image bytes"),
       "not a valid ELF shared object"},
      {StandardManifest(), folder_.Write("header.so", elf_header), "past the end of the file"},
  };
  for (const Case& c : cases) {
    testing::CommandResult run =
        HalPack("--manifest " + c.manifest + " --image cpu-elf:x86_64=" + c.image + " -o " + out);
    EXPECT_EQ(run.exit_code, 1) << c.manifest;
    EXPECT_THAT(run.output, HasSubstr(c.message)) << c.manifest;
  }
}

// The ELF reader faces hostile files: cut short anywhere or with bytes
// changed, an image is packed or refused with a message, never a crash.
TEST_F(HalPackTest, TruncatedOrCorruptedCpuImagesFailCleanly) {
  std::string image;
  {
    std::ifstream file(StandardImage(), std::ios::binary);
    image.assign(std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>());
  }
  ASSERT_GT(image.size(), 4096u);
  std::vector<std::string> variants;
  for (size_t length = 0; length < image.size(); length += image.size() / 40) {
    variants.push_back(image.substr(0, length));
  }
  std::mt19937 random(11);
  for (int i = 0; i < 40; ++i) {
    std::string corrupted = image;
    for (int flips = 0; flips < 8; ++flips) {
      corrupted[random() % corrupted.size()] = static_cast<char>(random());
    }
    variants.push_back(std::move(corrupted));
  }
  const std::string out = folder_.path() + "/k.halb";
  for (size_t i = 0; i < variants.size(); ++i) {
    const std::string path = folder_.Write("variant.so", variants[i]);
    testing::CommandResult run = HalPack("--manifest " + StandardManifest() +
                                         " --image cpu-elf:x86_64=" + path + " -o " + out);
    ASSERT_TRUE(run.exit_code == 0 || run.exit_code == 1) << "variant " << i << ": " << run.output;
    if (run.exit_code == 1) {
      EXPECT_THAT(run.output, HasSubstr("hal-pack: ")) << "variant " << i;
    }
  }
}

TEST_F(HalPackTest, HelpDescribesUsage) {
  testing::CommandResult help = HalPack("--help");
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_THAT(help.output, HasSubstr("--manifest"));
  EXPECT_THAT(help.output, HasSubstr("--list"));
}

// Every file hal-pack reads is refused when it is no regular file or too
// large ("timeout" turns a hang on the FIFO into a failed test).
TEST_F(HalPackTest, FilesThatAreNotRegularFailNamingWhy) {
  const std::string manifest = folder_.Write("k.json", kManifest);
  const std::string image = folder_.Write("k.so", "image bytes");
  const std::string out = " -o " + folder_.path() + "/k.halb";
  const std::tuple<std::string, std::string, uint64_t> inputs[] = {
      {"--list ", "bundle", internal::kMaxBundleFileBytes},
      {"--image x=", "image", internal::kMaxBundleFileBytes},
      {"--manifest ", "manifest", internal::kMaxJsonFileBytes}};
  for (const auto& [flag, name, limit] : inputs) {
    for (const testing::HostileFile& file : testing::MakeHostileFiles(folder_, name, limit)) {
      std::string args = flag + file.path;
      if (flag == "--image x=") args = "--manifest " + manifest + " " + args + out;
      if (flag == "--manifest ") args += " --image x=" + image + out;
      testing::CommandResult run = HalPack(args);
      EXPECT_EQ(run.exit_code, 1) << args << "\n" << run.output;
      EXPECT_THAT(run.output, HasSubstr(file.path + " " + file.refusal)) << args;
    }
  }
}

TEST_F(HalPackTest, DuplicateKeyInTheManifestIsRefused) {
  const std::string manifest =
      folder_.Write("dup.json", R"({"kernels": [{"name": "a", "bindings": 1, "bindings": 2}]})");
  testing::CommandResult run =
      HalPack("--manifest " + manifest + " --image x=" + folder_.Write("k.so", "x") + " -o " +
              folder_.path() + "/k.halb");
  EXPECT_EQ(run.exit_code, 1) << run.output;
  EXPECT_THAT(run.output, HasSubstr("duplicate key \"bindings\" at \"kernels[].bindings\""));
}

}  // namespace
}  // namespace hal
