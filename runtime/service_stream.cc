#include "runtime/service_stream.h"

#include "absl/strings/str_cat.h"

namespace hal::internal {

absl::Status RunOnServiceStream(
    DeviceState& device, absl::string_view what,
    const std::function<hal_result(const hal_driver_table&, hal_drv_stream*)>& enqueue) {
  const hal_driver_table& table = *device.table;
  const std::string context = absl::StrCat(what, " on device ", device.label);
  std::lock_guard<std::mutex> lock(device.service_mu);
  if (device.service_stream == nullptr) {
    hal_drv_stream* stream = nullptr;
    if (absl::Status status =
            device.driver->ToStatus(table.stream_create(device.context, &stream), context);
        !status.ok()) {
      return status;
    }
    device.service_stream = stream;
  }
  if (absl::Status status = device.driver->ToStatus(enqueue(table, device.service_stream), context);
      !status.ok()) {
    // Whatever was enqueued before the failure still has to finish.
    table.stream_synchronize(device.service_stream);
    return status;
  }
  return device.driver->ToStatus(table.stream_synchronize(device.service_stream), context);
}

}  // namespace hal::internal
