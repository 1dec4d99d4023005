// The kubelet's DevicePlugin service for one of hald's physical devices: its
// slices are the devices of one extended resource ("hal.dev/vulkan-0").
// Allocate turns the slices a container gets into one virtual device of hald
// (memory and compute share in proportion), and answers with what the
// container needs to use it: the environment (HAL_REMOTE_ENDPOINT,
// HAL_REMOTE_TOKEN, HAL_VIRTUAL_DEVICE, HAL_DEVICE_SELECTOR), hald's socket
// folder as a read-only mount, and the CDI device of the physical device.
// The device-plugin API never says when a container ends: Reconcile destroys
// the virtual devices whose slices no pod holds any more (the pod-resources
// API says which are held, pod_resources_client.h).
#ifndef HAL_INTEGRATIONS_KUBERNETES_SLICE_DEVICE_PLUGIN_H_
#define HAL_INTEGRATIONS_KUBERNETES_SLICE_DEVICE_PLUGIN_H_

#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "deviceplugin_v1beta1.grpc.pb.h"
#include "integrations/kubernetes/container_access.h"
#include "integrations/kubernetes/hald_admin.h"
#include "integrations/kubernetes/slice_layout.h"
#include "integrations/kubernetes/slice_ledger.h"
#include "status.pb.h"

namespace hal::kubernetes {

class SliceDevicePlugin final : public v1beta1::DevicePlugin::Service {
 public:
  // `cdi_kind` "" leaves the CDI device out of Allocate's answers (no spec
  // files written). `hald` outlives the plugin.
  SliceDevicePlugin(DeviceSlices slices, HaldAdmin& hald, ContainerAccess access,
                    std::string cdi_kind);

  const DeviceSlices& slices() const { return slices_; }

  // Takes over the virtual devices an earlier run of the plugin made on this
  // device (hald's dynamic virtual devices whose owner names this resource),
  // as held from `now`. Owners that name this resource but do not parse are
  // left alone and named in the returned status (InvalidArgument), after the
  // others are taken.
  absl::Status Adopt(const remote::v1::PoolStatus& status, absl::Time now);

  // Destroys the virtual devices none of whose slices is in `in_use` (slice
  // ids the kubelet's pods hold) and that are held since before `held_before`.
  // Returns the names destroyed; one hald refused stays recorded and is tried
  // again next time (its error is logged).
  std::vector<std::string> Reconcile(const std::set<std::string>& in_use, absl::Time held_before);

  // Marks every slice healthy or not (hald reachable); ListAndWatch streams
  // send the list again when it changes.
  void SetHealthy(bool healthy);
  // Ends the ListAndWatch streams (before the gRPC server shuts down).
  void Stop();
  // The virtual devices it holds now, by name.
  std::vector<std::string> VirtualDevices() const;

  grpc::Status GetDevicePluginOptions(grpc::ServerContext* context, const v1beta1::Empty* request,
                                      v1beta1::DevicePluginOptions* response) override;
  grpc::Status ListAndWatch(grpc::ServerContext* context, const v1beta1::Empty* request,
                            grpc::ServerWriter<v1beta1::ListAndWatchResponse>* writer) override;
  grpc::Status GetPreferredAllocation(grpc::ServerContext* context,
                                      const v1beta1::PreferredAllocationRequest* request,
                                      v1beta1::PreferredAllocationResponse* response) override;
  grpc::Status Allocate(grpc::ServerContext* context, const v1beta1::AllocateRequest* request,
                        v1beta1::AllocateResponse* response) override;
  grpc::Status PreStartContainer(grpc::ServerContext* context,
                                 const v1beta1::PreStartContainerRequest* request,
                                 v1beta1::PreStartContainerResponse* response) override;

 private:
  // The distinct slice indexes of `ids`; InvalidArgument for an unknown id, a
  // repeated one or none.
  absl::StatusOr<std::set<int>> ParseIds(const google::protobuf::RepeatedPtrField<std::string>& ids)
      const;
  // One container's virtual device, its answer filled in. Caller holds mutex_.
  absl::Status AllocateContainer(const std::set<int>& slices,
                                 v1beta1::ContainerAllocateResponse* response,
                                 std::string* created);
  // Destroys a recorded virtual device through hald and forgets it (also
  // when hald no longer knows it). Caller holds mutex_.
  absl::Status DestroyLocked(const std::string& name);
  v1beta1::ListAndWatchResponse DeviceList() const;  // caller holds mutex_

  const DeviceSlices slices_;
  HaldAdmin& hald_;
  const ContainerAccess access_;
  const std::string cdi_kind_;

  mutable std::mutex mutex_;
  std::condition_variable changed_;
  SliceLedger ledger_;
  bool healthy_ = true;
  uint64_t generation_ = 0;  // bumped when the health ListAndWatch reports changes
  bool stopping_ = false;
};

}  // namespace hal::kubernetes

#endif  // HAL_INTEGRATIONS_KUBERNETES_SLICE_DEVICE_PLUGIN_H_
