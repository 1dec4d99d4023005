#include "runtime/service_stream.h"

#include "absl/strings/str_cat.h"
#include "hal/status_macros.h"
#include "runtime/driver_descs.h"

namespace hal::internal {
namespace {

// Device memory a context may hold in frees waiting for their clears.
constexpr uint64_t kDeferredFreeLimit = 64 << 20;

// Driver results of service work as statuses; the message, naming the work
// and the device, is formatted only for a failure (allocation's hot path
// enqueues a clear).
class ServiceResults {
 public:
  ServiceResults(const DeviceState& device, absl::string_view what)
      : device_(device), what_(what) {}
  absl::Status operator()(hal_result result) const {
    if (result == HAL_SUCCESS) return absl::OkStatus();
    return device_.driver->ToStatus(result, absl::StrCat(what_, " on device ", device_.label));
  }

 private:
  const DeviceState& device_;
  const absl::string_view what_;
};

// The service stream, created on first use; needs device.service_mu held.
absl::StatusOr<hal_drv_stream*> ServiceStream(DeviceState& device, const ServiceResults& check) {
  if (device.service_stream == nullptr) {
    hal_drv_stream* stream = nullptr;
    HAL_RETURN_IF_ERROR(check(device.table->stream_create(device.context, &kStreamDesc, &stream)));
    device.service_stream = stream;
  }
  return device.service_stream;
}

// Frees the deferred buffers whose fences completed (they complete in order);
// needs device.service_mu held.
void ReapDeferredFrees(DeviceState& device) {
  auto& deferred = device.deferred_frees;
  while (!deferred.empty() && device.table->event_query(deferred.front().fence) == HAL_SUCCESS) {
    if (deferred.front().buffer != nullptr) {
      device.table->buffer_free(device.context, deferred.front().buffer);
    }
    device.deferred_bytes -= deferred.front().bytes;
    device.spare_fences.push_back(deferred.front().fence);
    deferred.pop_front();
  }
}

// Enqueues `enqueue`; on failure waits for whatever was enqueued before it.
absl::Status Enqueue(DeviceState& device, hal_drv_stream* stream, const ServiceResults& check,
                     ServiceWork enqueue) {
  absl::Status status = check(enqueue(*device.table, stream));
  if (!status.ok()) device.table->stream_synchronize(stream);
  return status;
}

}  // namespace

absl::Status RunOnServiceStream(DeviceState& device, absl::string_view what, ServiceWork enqueue) {
  const ServiceResults check(device, what);
  std::lock_guard<std::mutex> lock(device.service_mu);
  HAL_ASSIGN_OR_RETURN(hal_drv_stream * stream, ServiceStream(device, check));
  absl::Status status = Enqueue(device, stream, check, enqueue);
  if (status.ok()) status = check(device.table->stream_synchronize(stream));
  ReapDeferredFrees(device);
  return status;
}

absl::StatusOr<hal_drv_event*> EnqueueOnServiceStream(DeviceState& device, absl::string_view what,
                                                      ServiceWork enqueue) {
  const ServiceResults check(device, what);
  std::lock_guard<std::mutex> lock(device.service_mu);
  ReapDeferredFrees(device);
  HAL_ASSIGN_OR_RETURN(hal_drv_stream * stream, ServiceStream(device, check));
  hal_drv_event* fence = nullptr;
  if (!device.spare_fences.empty()) {
    fence = device.spare_fences.back();
    device.spare_fences.pop_back();
  } else {
    HAL_RETURN_IF_ERROR(check(device.table->event_create(device.context, &kEventDesc, &fence)));
  }
  absl::Status status = Enqueue(device, stream, check, enqueue);
  if (status.ok()) status = check(device.table->stream_signal_event(stream, fence));
  if (!status.ok()) {
    device.spare_fences.push_back(fence);
    return status;
  }
  return fence;
}

void FreeAfterFence(DeviceState& device, hal_drv_buffer* buffer, uint64_t bytes,
                    hal_drv_event* fence) {
  std::lock_guard<std::mutex> lock(device.service_mu);
  if (buffer == nullptr) bytes = 0;
  device.deferred_frees.push_back({fence, buffer, bytes});
  device.deferred_bytes += bytes;
  // Freeing faster than the stream clears must not pile up memory without
  // bound: past the limit, the free waits for the clears before it.
  if (device.deferred_bytes > kDeferredFreeLimit) {
    device.table->stream_synchronize(device.service_stream);
  }
  ReapDeferredFrees(device);
}

void DrainServiceStream(DeviceState& device) {
  std::lock_guard<std::mutex> lock(device.service_mu);
  // Even a failed (lost) stream runs nothing more after this.
  if (device.service_stream != nullptr) device.table->stream_synchronize(device.service_stream);
  for (const DeferredFree& deferred : device.deferred_frees) {
    if (deferred.buffer != nullptr) device.table->buffer_free(device.context, deferred.buffer);
    device.spare_fences.push_back(deferred.fence);
  }
  device.deferred_frees.clear();
  device.deferred_bytes = 0;
}

}  // namespace hal::internal
