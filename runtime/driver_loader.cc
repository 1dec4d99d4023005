#include "runtime/driver_loader.h"

#include <dlfcn.h>

#include <cstddef>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "runtime/device_properties.h"
#include "runtime/install_paths.h"

namespace hal::internal {
namespace {

// Table fields every driver of this major version must provide: everything
// up to and including the last function of minor version 0.
constexpr size_t kMinimumTableSize =
    offsetof(hal_driver_table, kernel_get) + sizeof(hal_driver_table::kernel_get);

// The end of ABI 1.1's fields: a driver of minor version 0 has a shorter
// table, whose bytes past its struct_size must not be read.
constexpr size_t kUnusableDevicesTableSize =
    offsetof(hal_driver_table, unusable_device_get) + sizeof(hal_driver_table::unusable_device_get);

std::vector<Driver::UnusableDevice> UnusableDevices(const hal_driver_table& table) {
  std::vector<Driver::UnusableDevice> devices;
  if (table.struct_size < kUnusableDevicesTableSize || table.unusable_device_count == nullptr ||
      table.unusable_device_get == nullptr) {
    return devices;
  }
  const uint32_t count = table.unusable_device_count();
  for (uint32_t i = 0; i < count; ++i) {
    const char* name = nullptr;
    const char* reason = nullptr;
    table.unusable_device_get(i, &name, &reason);
    devices.push_back({name ? name : "(unnamed)", reason ? reason : "(no reason given)"});
  }
  return devices;
}

std::string RuntimeAbi() {
  return absl::StrCat(HAL_DRIVER_ABI_VERSION_MAJOR, ".", HAL_DRIVER_ABI_VERSION_MINOR);
}

struct DlCloser {
  void operator()(void* handle) const { dlclose(handle); }
};
using DlHandle = std::unique_ptr<void, DlCloser>;

// The names of the NULL entries among those the runtime calls unchecked: every
// function up to kernel_get. Those of later minor versions are optional.
std::string MissingEntries(const hal_driver_table& t) {
  const std::pair<const char*, bool> entries[] = {
      {"initialize", t.initialize != nullptr},
      {"shutdown", t.shutdown != nullptr},
      {"last_error_message", t.last_error_message != nullptr},
      {"device_count", t.device_count != nullptr},
      {"device_get_properties", t.device_get_properties != nullptr},
      {"device_get_memory_info", t.device_get_memory_info != nullptr},
      {"context_create", t.context_create != nullptr},
      {"context_destroy", t.context_destroy != nullptr},
      {"context_get_partition", t.context_get_partition != nullptr},
      {"buffer_allocate", t.buffer_allocate != nullptr},
      {"buffer_free", t.buffer_free != nullptr},
      {"buffer_map", t.buffer_map != nullptr},
      {"stream_create", t.stream_create != nullptr},
      {"stream_destroy", t.stream_destroy != nullptr},
      {"stream_copy_host_to_device", t.stream_copy_host_to_device != nullptr},
      {"stream_copy_device_to_host", t.stream_copy_device_to_host != nullptr},
      {"stream_copy_buffer", t.stream_copy_buffer != nullptr},
      {"stream_fill", t.stream_fill != nullptr},
      {"stream_dispatch", t.stream_dispatch != nullptr},
      {"stream_signal_event", t.stream_signal_event != nullptr},
      {"stream_wait_event", t.stream_wait_event != nullptr},
      {"stream_synchronize", t.stream_synchronize != nullptr},
      {"event_create", t.event_create != nullptr},
      {"event_destroy", t.event_destroy != nullptr},
      {"event_query", t.event_query != nullptr},
      {"event_synchronize", t.event_synchronize != nullptr},
      {"event_timestamp_ns", t.event_timestamp_ns != nullptr},
      {"module_load", t.module_load != nullptr},
      {"module_destroy", t.module_destroy != nullptr},
      {"kernel_get", t.kernel_get != nullptr},
  };
  std::vector<std::string> missing;
  for (const auto& [name, present] : entries) {
    if (!present) missing.push_back(name);
  }
  return absl::StrJoin(missing, ", ");
}

// Returns an empty string when the table is usable, else why not.
std::string CheckTable(const hal_driver_table* table, const DriverManifest& manifest) {
  if (table == nullptr) {
    return absl::StrCat("the driver refused driver ABI ", RuntimeAbi(),
                        " (its entry point returned no table)");
  }
  if (table->abi_major != HAL_DRIVER_ABI_VERSION_MAJOR) {
    return absl::StrCat("the driver implements driver ABI ", table->abi_major, ".",
                        table->abi_minor, " but this runtime needs ", HAL_DRIVER_ABI_VERSION_MAJOR,
                        ".x");
  }
  if (table->struct_size < kMinimumTableSize) {
    return absl::StrCat("the driver's table is ", table->struct_size, " bytes, smaller than ABI ",
                        HAL_DRIVER_ABI_VERSION_MAJOR, ".0 requires (", kMinimumTableSize, ")");
  }
  if (std::string missing = MissingEntries(*table); !missing.empty()) {
    return absl::StrCat("the driver's table lacks required functions (null): ", missing);
  }
  if (table->name == nullptr || manifest.name != table->name) {
    return absl::StrCat("the library calls itself \"", table->name ? table->name : "(null)",
                        "\", not \"", manifest.name, "\" as its manifest says");
  }
  return "";
}

}  // namespace

DriverLoadResult LoadDriver(const DriverManifest& manifest) {
  DriverLoadResult result;
  Driver::Info& info = result.info;
  info.name = manifest.name;
  info.manifest_path = manifest.path;
  info.library_path = manifest.library_path;
  info.abi_version = absl::StrCat(manifest.abi_major, ".", manifest.abi_minor);

  // Refuse another major version before running any of the driver's code.
  if (manifest.abi_major != HAL_DRIVER_ABI_VERSION_MAJOR) {
    info.reason = absl::StrCat("the manifest declares driver ABI ", info.abi_version,
                               " but this runtime needs ", HAL_DRIVER_ABI_VERSION_MAJOR, ".x");
    return result;
  }
  DlHandle handle(dlopen(manifest.library_path.c_str(), RTLD_NOW | RTLD_LOCAL));
  if (!handle) {
    info.reason = absl::StrCat("cannot load ", manifest.library_path, ": ", dlerror());
    return result;
  }
  auto get_table =
      reinterpret_cast<hal_driver_get_table_fn>(dlsym(handle.get(), HAL_DRIVER_ENTRY_POINT_NAME));
  if (get_table == nullptr) {
    info.reason = absl::StrCat(manifest.library_path, " does not export ",
                               HAL_DRIVER_ENTRY_POINT_NAME, ": it is not a hal driver");
    return result;
  }
  const hal_driver_table* table =
      get_table(HAL_DRIVER_ABI_VERSION_MAJOR, HAL_DRIVER_ABI_VERSION_MINOR);
  if (std::string problem = CheckTable(table, manifest); !problem.empty()) {
    info.reason = std::move(problem);
    return result;
  }
  info.version = table->version ? table->version : "";
  info.abi_version = absl::StrCat(table->abi_major, ".", table->abi_minor);
  if (hal_result init = table->initialize(); init != HAL_SUCCESS) {
    info.reason = DriverMessage(*table);
    if (info.reason.empty()) {
      info.reason =
          absl::StrCat("initialize failed (", ResultName(init), ") and the driver gave no message");
    }
    return result;  // the handle closes without shutdown: initialize failed
  }
  auto driver = std::make_shared<LoadedDriver>(manifest.name, handle.release(), table);
  uint32_t count = 0;
  if (absl::Status status = driver->ToStatus(table->device_count(&count), "device_count");
      !status.ok()) {
    info.reason = std::string(status.message());
    return result;
  }
  for (uint32_t index = 0; index < count; ++index) {
    auto props = QueryDeviceProperties(*driver, index);
    if (!props.ok()) {
      info.reason = std::string(props.status().message());
      return result;
    }
    result.devices.push_back(*std::move(props));
  }
  info.unusable_devices = UnusableDevices(*table);
  info.available = true;
  result.driver = std::move(driver);
  return result;
}

std::string DefaultDriverFolder() {
  const std::string data_dir = HalDataDir();
  return data_dir.empty() ? "" : data_dir + "/drivers.d";
}

}  // namespace hal::internal
