// A driver library the loader opened and whose table it accepted: the owner
// of the dlopen handle. Shared by every object that calls into the driver, so
// the library stays loaded until the last of them is gone.
#ifndef HAL_RUNTIME_LOADED_DRIVER_H_
#define HAL_RUNTIME_LOADED_DRIVER_H_

#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "hal/driver/hal_driver.h"

namespace hal::internal {

class LoadedDriver {
 public:
  // Takes ownership of `dl_handle`; the driver is initialized already.
  LoadedDriver(std::string name, void* dl_handle, const hal_driver_table* table);
  ~LoadedDriver();  // shutdown(), then dlclose
  LoadedDriver(const LoadedDriver&) = delete;
  LoadedDriver& operator=(const LoadedDriver&) = delete;

  const std::string& name() const { return name_; }
  const hal_driver_table& table() const { return *table_; }

  // Converts a driver result into a Status: "<driver> driver: <what> failed:
  // <driver's message>", with the code of the error model.
  absl::Status ToStatus(hal_result result, absl::string_view what) const;

 private:
  std::string name_;
  void* dl_handle_;
  const hal_driver_table* table_;
};

// The calling thread's last driver message; "" when the driver gives none
// (NULL, against the ABI) so that a careless driver cannot crash the runtime.
std::string DriverMessage(const hal_driver_table& table);

// The absl code a driver result maps to (kOk for success and not-ready).
absl::StatusCode StatusCodeForResult(hal_result result);
const char* ResultName(hal_result result);

}  // namespace hal::internal

#endif  // HAL_RUNTIME_LOADED_DRIVER_H_
