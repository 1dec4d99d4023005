// A driver the runtime found through a manifest: loaded and usable, or
// unavailable with the reason. Owned by the Runtime; thread-safe (immutable).
#ifndef HAL_DRIVER_H_
#define HAL_DRIVER_H_

#include <string>
#include <vector>

namespace hal {

class Driver {
 public:
  // A device the driver found but does not serve, and why.
  struct UnusableDevice {
    std::string name;
    std::string reason;
  };
  struct Info {
    std::string name;           // selector name: "cpu", "vulkan", ...
    std::string version;        // the driver's own version ("" if it never loaded)
    std::string abi_version;    // "major.minor" the driver implements ("" if unknown)
    std::string manifest_path;  // the manifest that named it
    std::string library_path;   // the shared library the manifest points at
    bool available = false;
    std::string reason;  // why it is unavailable; empty when available
    // Devices of an available driver that it does not serve (ABI 1.1).
    std::vector<UnusableDevice> unusable_devices;
  };

  explicit Driver(Info info) : info_(std::move(info)) {}
  Driver(const Driver&) = delete;
  Driver& operator=(const Driver&) = delete;

  const Info& info() const { return info_; }
  const std::string& name() const { return info_.name; }
  const std::string& version() const { return info_.version; }
  const std::string& abi_version() const { return info_.abi_version; }
  const std::string& manifest_path() const { return info_.manifest_path; }
  const std::string& library_path() const { return info_.library_path; }
  bool available() const { return info_.available; }
  const std::string& unavailable_reason() const { return info_.reason; }
  const std::vector<UnusableDevice>& unusable_devices() const { return info_.unusable_devices; }

 private:
  Info info_;
};

}  // namespace hal

#endif  // HAL_DRIVER_H_
