#include "runtime/image_selection.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace hal::internal {

absl::StatusOr<size_t> SelectImage(const KernelBundle& bundle, absl::string_view kernel_name,
                                   const std::vector<std::string>& device_formats,
                                   absl::string_view device_label) {
  const std::vector<KernelImage>& images = bundle.images();
  for (const std::string& format : device_formats) {
    size_t whole_bundle_image = images.size();
    for (size_t i = 0; i < images.size(); ++i) {
      if (images[i].format != format) continue;
      if (images[i].kernel_name == kernel_name) return i;
      if (images[i].kernel_name.empty() && whole_bundle_image == images.size()) {
        whole_bundle_image = i;
      }
    }
    if (whole_bundle_image != images.size()) return whole_bundle_image;
  }
  std::vector<std::string> offered;
  for (const KernelImage& image : images) {
    offered.push_back(image.kernel_name.empty()
                          ? image.format
                          : absl::StrCat(image.format, "@", image.kernel_name));
  }
  return absl::NotFoundError(
      absl::StrCat("kernel bundle has no image of kernel \"", kernel_name, "\" that device ",
                   device_label, " can load: the bundle has [", absl::StrJoin(offered, ", "),
                   "], the device takes [", absl::StrJoin(device_formats, ", "), "]"));
}

}  // namespace hal::internal
