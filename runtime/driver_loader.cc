#include "runtime/driver_loader.h"

#include <dlfcn.h>

#include <cstddef>
#include <cstring>
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

// Every ABI 2.0 driver has the whole 2.0 table (optional entries are NULL,
// not absent); later minor versions only append.
constexpr size_t kMinimumTableSize =
    offsetof(hal_driver_table, context_trim_memory) + sizeof(hal_driver_table::context_trim_memory);

std::vector<Driver::UnusableDevice> UnusableDevices(const hal_driver_table& table) {
  std::vector<Driver::UnusableDevice> devices;
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

// What a driver of another major version is told, from its manifest or its table.
std::string WrongMajorVersion(const std::string& driver, absl::string_view abi) {
  return absl::StrCat("driver '", driver, "' was built for driver ABI ", abi,
                      "; this runtime needs ABI ", HAL_DRIVER_ABI_VERSION_MAJOR,
                      " (rebuild it against hal_driver.h ", RuntimeAbi(),
                      ", docs/driver-guide.md)");
}

// ABI 1.x tables start with struct_size (uint32), abi_major and abi_minor
// (uint16 each); ABI 2 put the type tag first. A table whose first word is not
// the tag is read with the 1.x layout, so that a 1.x driver is named as such
// (its struct_size, hundreds of bytes, is never a tag). Both layouts are at
// least 8 bytes long.
struct TableHead {
  uint32_t type_tag;
  uint16_t legacy_abi_major;
  uint16_t legacy_abi_minor;
};

TableHead ReadTableHead(const void* table) {
  TableHead head;
  std::memcpy(&head, table, sizeof(head));
  return head;
}

struct DlCloser {
  void operator()(void* handle) const { dlclose(handle); }
};
using DlHandle = std::unique_ptr<void, DlCloser>;

// The names of the NULL entries among those the runtime calls unchecked: every
// entry but the optional ones a capability bit guards.
std::string MissingEntries(const hal_driver_table& t) {
  const std::pair<const char*, bool> entries[] = {
      {"initialize", t.initialize != nullptr},
      {"shutdown", t.shutdown != nullptr},
      {"last_error_message", t.last_error_message != nullptr},
      {"device_count", t.device_count != nullptr},
      {"device_get_properties", t.device_get_properties != nullptr},
      {"device_get_memory_info", t.device_get_memory_info != nullptr},
      {"unusable_device_count", t.unusable_device_count != nullptr},
      {"unusable_device_get", t.unusable_device_get != nullptr},
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
      {"stream_query", t.stream_query != nullptr},
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
  if (const TableHead head = ReadTableHead(table);
      head.type_tag != HAL_STRUCTURE_TYPE_DRIVER_TABLE) {
    if (head.legacy_abi_major == 1) {
      return WrongMajorVersion(manifest.name,
                               absl::StrCat(head.legacy_abi_major, ".", head.legacy_abi_minor));
    }
    return absl::StrCat("the driver's table starts with type tag ", head.type_tag,
                        ", not HAL_STRUCTURE_TYPE_DRIVER_TABLE (", HAL_STRUCTURE_TYPE_DRIVER_TABLE,
                        "): it is not a driver ABI ", HAL_DRIVER_ABI_VERSION_MAJOR, " table");
  }
  if (table->abi_major != HAL_DRIVER_ABI_VERSION_MAJOR) {
    return WrongMajorVersion(manifest.name, absl::StrCat(table->abi_major, ".", table->abi_minor));
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

// The optional entries each capability bit promises. The runtime calls an
// optional entry only for a device with its bit, so a NULL entry is harmless
// unless a device claims the bit: such a driver is refused.
std::string MissingCapabilityEntries(const hal_driver_table& t, const DeviceProperties& props,
                                     uint32_t index) {
  const std::pair<Capability, std::pair<const char*, bool>> promises[] = {
      {Capability::kDeviceAddress, {"buffer_device_address", t.buffer_device_address != nullptr}},
      {Capability::kVirtualMemory, {"buffer_decommit", t.buffer_decommit != nullptr}},
      {Capability::kVirtualMemory, {"buffer_recommit", t.buffer_recommit != nullptr}},
      {Capability::kHostRegistration, {"host_register", t.host_register != nullptr}},
      {Capability::kNativeHandles, {"native_handle", t.native_handle != nullptr}},
      {Capability::kMemoryCache, {"context_trim_memory", t.context_trim_memory != nullptr}},
  };
  std::vector<std::string> missing;
  for (const auto& [capability, entry] : promises) {
    if (props.capabilities.has(capability) && !entry.second) {
      missing.push_back(absl::StrCat(entry.first, " (", CapabilityName(capability), ")"));
    }
  }
  if (missing.empty()) return "";
  return absl::StrCat(
      "device ", index, " (", props.name,
      ") reports capabilities whose entries are null: ", absl::StrJoin(missing, ", "));
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
    info.reason =
        absl::StrCat("its manifest says: ", WrongMajorVersion(manifest.name, info.abi_version));
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
    if (std::string missing = MissingCapabilityEntries(*table, *props, index); !missing.empty()) {
      info.reason = std::move(missing);
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
