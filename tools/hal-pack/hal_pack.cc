// hal-pack: builds a kernel bundle from a kernel manifest and images, or
// lists what a bundle holds. docs/kernel-bundles.md describes both.
#include <fstream>
#include <iostream>

#include "CLI/CLI.hpp"
#include "absl/strings/str_join.h"
#include "hal/kernel_bundle.h"
#include "runtime/file_reading.h"
#include "tools/hal-pack/cpu_image_check.h"
#include "tools/hal-pack/pack_manifest.h"

namespace {

int Fail(const absl::Status& status) {
  std::cerr << "hal-pack: " << status.message() << "\n";
  return 1;
}

int List(const std::string& path) {
  auto bundle = hal::KernelBundle::ReadFile(path);
  if (!bundle.ok()) return Fail(bundle.status());
  std::cout << path << ": " << bundle->kernels().size() << " kernels, " << bundle->images().size()
            << " images\n";
  for (const hal::KernelInfo& k : bundle->kernels()) {
    std::cout << "  kernel " << k.name << "  bindings=" << k.binding_count
              << " push_constants=" << k.push_constant_size
              << " workgroup=" << absl::StrJoin(k.workgroup_size, "x") << "\n";
  }
  for (const hal::KernelImage& image : bundle->images()) {
    std::cout << "  image  " << image.format
              << (image.kernel_name.empty() ? "" : "@" + image.kernel_name) << "  "
              << image.data.size() << " bytes\n";
  }
  return 0;
}

int Pack(const std::string& manifest_path, const std::vector<std::string>& image_specs,
         const std::string& output) {
  auto text = hal::internal::ReadRegularFile(manifest_path, hal::internal::kMaxJsonFileBytes,
                                             "kernel manifest");
  if (!text.ok()) return Fail(text.status());
  auto kernels = hal::pack::ParseKernelManifest(*text, manifest_path);
  if (!kernels.ok()) return Fail(kernels.status());
  if (image_specs.empty()) {
    return Fail(
        absl::InvalidArgumentError("give at least one --image: a bundle without images "
                                   "cannot run anywhere"));
  }
  std::vector<hal::KernelImage> images;
  for (const std::string& spec : image_specs) {
    auto image = hal::pack::LoadImageSpec(spec);
    if (!image.ok()) return Fail(image.status());
    images.push_back(*std::move(image));
  }
  // After Create, which checks that every image's kernel is in the manifest.
  auto bundle = hal::KernelBundle::Create(*kernels, std::move(images));
  if (!bundle.ok()) return Fail(bundle.status());
  for (const hal::KernelImage& image : bundle->images()) {
    if (!image.format.starts_with("cpu-elf:")) continue;
    if (absl::Status checked = hal::pack::CheckCpuImage(image, *kernels); !checked.ok()) {
      return Fail(checked);
    }
  }
  const std::vector<uint8_t> bytes = bundle->Serialize();
  std::ofstream out(output, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(bytes.data()),
            static_cast<std::streamsize>(bytes.size()));
  if (!out.flush()) return Fail(absl::UnavailableError("cannot write " + output));
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "hal-pack: build a hal kernel bundle from a kernel manifest and images, or list one.\n"
      "  hal-pack --manifest kernels.json --image cpu-elf:x86_64=k.so -o k.halb\n"
      "  hal-pack --list k.halb"};
  std::string manifest, output, list;
  std::vector<std::string> images;
  auto* list_opt = app.add_option("--list", list, "Print the kernels and images of a bundle");
  auto* manifest_opt =
      app.add_option("--manifest", manifest, "Kernel manifest (JSON; see docs/kernel-bundles.md)")
          ->excludes(list_opt);
  app.add_option("--image", images,
                 "Image as FORMAT=PATH (holds every kernel) or FORMAT@KERNEL=PATH; repeatable")
      ->excludes(list_opt);
  auto* output_opt =
      app.add_option("-o,--output", output, "Bundle file to write")->excludes(list_opt);
  manifest_opt->needs(output_opt);
  output_opt->needs(manifest_opt);
  CLI11_PARSE(app, argc, argv);
  if (!list.empty()) return List(list);
  if (manifest.empty()) {
    std::cerr << "hal-pack: give --manifest, --image and -o to pack, or --list FILE\n";
    return 1;
  }
  return Pack(manifest, images, output);
}
