#include "tools/hal-pack/pack_manifest.h"

#include "absl/algorithm/container.h"
#include "absl/strings/str_cat.h"
#include "nlohmann/json.hpp"
#include "runtime/file_reading.h"
#include "runtime/strict_json.h"

namespace hal::pack {
namespace {

// A misspelt optional key would otherwise be dropped silently (a typo in
// "push_constant_size" would pack a kernel with no push constants).
constexpr absl::string_view kKnownKernelKeys[] = {"name", "bindings", "push_constant_size",
                                                  "workgroup_size"};

absl::Status ManifestError(const std::string& origin, absl::string_view what) {
  return absl::InvalidArgumentError(absl::StrCat("kernel manifest ", origin, ": ", what));
}

absl::StatusOr<uint32_t> ReadCount(const nlohmann::json& kernel, const char* key, size_t index,
                                   const std::string& origin, bool required) {
  auto it = kernel.find(key);
  if (it == kernel.end()) {
    if (!required) return 0u;
    return ManifestError(origin, absl::StrCat("kernel ", index, " lacks \"", key, "\""));
  }
  if (!it->is_number_unsigned() || it->get<uint64_t>() > UINT32_MAX) {
    return ManifestError(
        origin, absl::StrCat("kernel ", index, " \"", key, "\" must be a non-negative integer"));
  }
  return it->get<uint32_t>();
}

}  // namespace

absl::StatusOr<std::vector<KernelInfo>> ParseKernelManifest(const std::string& json_text,
                                                            const std::string& origin) {
  auto parsed = internal::ParseStrictJson(json_text, "kernel manifest " + origin);
  if (!parsed.ok()) return parsed.status();
  const nlohmann::json& json = *parsed;
  auto kernels = json.find("kernels");
  if (!json.is_object() || kernels == json.end() || !kernels->is_array()) {
    return ManifestError(origin, "expected an object with a \"kernels\" array");
  }
  std::vector<KernelInfo> out;
  for (size_t i = 0; i < kernels->size(); ++i) {
    const nlohmann::json& kernel = (*kernels)[i];
    if (!kernel.is_object() || !kernel.contains("name") || !kernel["name"].is_string()) {
      return ManifestError(origin, absl::StrCat("kernel ", i, " needs a string \"name\""));
    }
    for (const auto& item : kernel.items()) {
      if (!absl::c_linear_search(kKnownKernelKeys, item.key())) {
        return ManifestError(origin,
                             absl::StrCat("kernel ", i, " has an unknown key \"", item.key(),
                                          "\" (known: name, bindings, "
                                          "push_constant_size, workgroup_size)"));
      }
    }
    KernelInfo info;
    info.name = kernel["name"].get<std::string>();
    auto bindings = ReadCount(kernel, "bindings", i, origin, /*required=*/true);
    if (!bindings.ok()) return bindings.status();
    info.binding_count = *bindings;
    auto push = ReadCount(kernel, "push_constant_size", i, origin, /*required=*/false);
    if (!push.ok()) return push.status();
    info.push_constant_size = *push;
    auto size = kernel.find("workgroup_size");
    if (size == kernel.end() || !size->is_array() || size->empty() || size->size() > 3) {
      return ManifestError(
          origin, absl::StrCat("kernel ", i, " needs \"workgroup_size\": [x] to [x, y, z]"));
    }
    for (size_t d = 0; d < size->size(); ++d) {
      if (!(*size)[d].is_number_unsigned() || (*size)[d].get<uint64_t>() > UINT32_MAX) {
        return ManifestError(origin, absl::StrCat("kernel ", i, " workgroup_size[", d,
                                                  "] must be a non-negative integer"));
      }
      info.workgroup_size[d] = (*size)[d].get<uint32_t>();
    }
    out.push_back(std::move(info));
  }
  return out;
}

absl::StatusOr<KernelImage> LoadImageSpec(const std::string& spec) {
  // FORMAT[@KERNEL]=PATH: the format and the kernel cannot hold '=', a path can.
  const size_t equals = spec.find('=');
  const std::string target = spec.substr(0, equals);
  const size_t at = target.find('@');
  KernelImage image;
  image.format = target.substr(0, at);
  if (at != std::string::npos) image.kernel_name = target.substr(at + 1);
  if (equals == std::string::npos || equals + 1 == spec.size() || image.format.empty() ||
      (at != std::string::npos && image.kernel_name.empty())) {
    return absl::InvalidArgumentError(
        absl::StrCat("image \"", spec, "\" must be FORMAT=PATH or FORMAT@KERNEL=PATH"));
  }
  const std::string path = spec.substr(equals + 1);
  auto data = internal::ReadRegularFile(path, internal::kMaxBundleFileBytes, "image file");
  if (!data.ok()) return data.status();
  image.data.assign(data->begin(), data->end());
  return image;
}

}  // namespace hal::pack
