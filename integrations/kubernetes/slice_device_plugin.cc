#include "integrations/kubernetes/slice_device_plugin.h"

#include <cstdio>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "integrations/kubernetes/cdi_spec.h"
#include "integrations/kubernetes/plugin_log.h"
#include "integrations/kubernetes/grpc_status.h"

namespace hal::kubernetes {
namespace {

constexpr char kHealthy[] = "Healthy";
constexpr char kUnhealthy[] = "Unhealthy";

// How often a ListAndWatch stream looks whether the kubelet went away.
constexpr absl::Duration kStreamPoll = absl::Milliseconds(200);

}  // namespace

SliceDevicePlugin::SliceDevicePlugin(DeviceSlices slices, HaldAdmin& hald, ContainerAccess access,
                                     std::string cdi_kind)
    : slices_(std::move(slices)),
      hald_(hald),
      access_(std::move(access)),
      cdi_kind_(std::move(cdi_kind)) {}

absl::Status SliceDevicePlugin::Adopt(const remote::v1::PoolStatus& status, absl::Time now) {
  std::lock_guard<std::mutex> lock(mutex_);
  std::vector<std::string> unparsed;
  for (const remote::v1::VirtualDeviceStatus& vd : status.virtual_devices()) {
    if (!vd.dynamic() || vd.device() != slices_.device_id()) continue;
    auto slices = slices_.SlicesOfOwner(vd.owner());
    if (absl::IsNotFound(slices.status())) continue;  // someone else's
    absl::Status adopted = slices.ok() ? ledger_.Assign(vd.name(), *slices, now) : slices.status();
    if (!adopted.ok()) {
      unparsed.push_back(absl::StrCat(vd.name(), ": ", adopted.message()));
      continue;
    }
    Log(absl::StrCat("took over ", vd.name(), " (", vd.owner(), ")"));
  }
  if (!unparsed.empty()) {
    return absl::InvalidArgumentError(absl::StrCat("virtual devices of ", slices_.resource_name(),
                                                   " left alone: ", absl::StrJoin(unparsed, "; ")));
  }
  return absl::OkStatus();
}

std::vector<std::string> SliceDevicePlugin::Reconcile(const std::set<std::string>& in_use,
                                                      absl::Time held_before) {
  std::set<int> held_by_pods;
  for (const std::string& id : in_use) {
    if (auto index = slices_.ParseSliceId(id); index.ok()) held_by_pods.insert(*index);
  }
  std::lock_guard<std::mutex> lock(mutex_);
  std::vector<std::string> destroyed;
  for (const std::string& name : ledger_.Unused(held_by_pods, held_before)) {
    if (absl::Status gone = DestroyLocked(name); !gone.ok()) {
      Log(absl::StrCat("destroying ", name, " (no pod holds its slices) failed: ", gone.ToString()));
      continue;
    }
    Log(absl::StrCat("destroyed ", name, ": no pod holds its slices"));
    destroyed.push_back(name);
  }
  return destroyed;
}

void SliceDevicePlugin::SetHealthy(bool healthy) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (healthy_ == healthy) return;
  healthy_ = healthy;
  ++generation_;
  changed_.notify_all();
}

void SliceDevicePlugin::Stop() {
  std::lock_guard<std::mutex> lock(mutex_);
  stopping_ = true;
  changed_.notify_all();
}

std::vector<std::string> SliceDevicePlugin::VirtualDevices() const {
  std::lock_guard<std::mutex> lock(mutex_);
  std::vector<std::string> names;
  for (const auto& [name, holding] : ledger_.holdings()) names.push_back(name);
  return names;
}

grpc::Status SliceDevicePlugin::GetDevicePluginOptions(grpc::ServerContext*, const v1beta1::Empty*,
                                                       v1beta1::DevicePluginOptions* response) {
  response->set_pre_start_required(false);
  response->set_get_preferred_allocation_available(true);
  return grpc::Status::OK;
}

v1beta1::ListAndWatchResponse SliceDevicePlugin::DeviceList() const {
  v1beta1::ListAndWatchResponse list;
  for (const std::string& id : slices_.SliceIds()) {
    v1beta1::Device* device = list.add_devices();
    device->set_id(id);
    device->set_health(healthy_ ? kHealthy : kUnhealthy);
  }
  return list;
}

grpc::Status SliceDevicePlugin::ListAndWatch(
    grpc::ServerContext* context, const v1beta1::Empty*,
    grpc::ServerWriter<v1beta1::ListAndWatchResponse>* writer) {
  std::unique_lock<std::mutex> lock(mutex_);
  uint64_t sent = generation_;
  v1beta1::ListAndWatchResponse list = DeviceList();
  while (true) {
    lock.unlock();
    if (!writer->Write(list)) return grpc::Status::OK;  // the kubelet went away
    lock.lock();
    while (!stopping_ && generation_ == sent && !context->IsCancelled()) {
      changed_.wait_for(lock, absl::ToChronoMilliseconds(kStreamPoll));
    }
    if (stopping_ || context->IsCancelled()) return grpc::Status::OK;
    sent = generation_;
    list = DeviceList();
  }
}

absl::StatusOr<std::set<int>> SliceDevicePlugin::ParseIds(
    const google::protobuf::RepeatedPtrField<std::string>& ids) const {
  if (ids.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("no devices of ", slices_.resource_name(), " asked for"));
  }
  std::set<int> slices;
  for (const std::string& id : ids) {
    auto index = slices_.ParseSliceId(id);
    if (!index.ok()) return index.status();
    if (!slices.insert(*index).second) {
      return absl::InvalidArgumentError(absl::StrCat("device ", id, " asked for twice"));
    }
  }
  return slices;
}

grpc::Status SliceDevicePlugin::GetPreferredAllocation(
    grpc::ServerContext*, const v1beta1::PreferredAllocationRequest* request,
    v1beta1::PreferredAllocationResponse* response) {
  // Lowest slices first after the ones that must be in: one container's
  // slices then tend to be neighbours, and its owner string short.
  for (const v1beta1::ContainerPreferredAllocationRequest& container :
       request->container_requests()) {
    auto available = ParseIds(container.available_deviceids());
    if (!available.ok()) return ToGrpcStatus(available.status());
    std::set<int> must;
    if (!container.must_include_deviceids().empty()) {
      auto parsed = ParseIds(container.must_include_deviceids());
      if (!parsed.ok()) return ToGrpcStatus(parsed.status());
      must = *std::move(parsed);
    }
    const size_t size = static_cast<size_t>(std::max(0, container.allocation_size()));
    if (size > available->size() || must.size() > size) {
      return ToGrpcStatus(absl::InvalidArgumentError(
          absl::StrCat("cannot choose ", container.allocation_size(), " of ", available->size(),
                       " available devices including ", must.size(), " that must be in")));
    }
    std::set<int> chosen = must;
    for (auto it = available->begin(); chosen.size() < size && it != available->end(); ++it) {
      chosen.insert(*it);
    }
    v1beta1::ContainerPreferredAllocationResponse* answer = response->add_container_responses();
    for (int slice : chosen) answer->add_deviceids(slices_.SliceId(slice));
  }
  return grpc::Status::OK;
}

absl::Status SliceDevicePlugin::DestroyLocked(const std::string& name) {
  absl::Status destroyed = hald_.Destroy(name);
  if (!destroyed.ok() && !absl::IsNotFound(destroyed)) return destroyed;
  (void)ledger_.Release(name);
  return absl::OkStatus();
}

absl::Status SliceDevicePlugin::AllocateContainer(const std::set<int>& slices,
                                                  v1beta1::ContainerAllocateResponse* response,
                                                  std::string* created) {
  // The kubelet hands out only slices it counts as free: a virtual device
  // still holding one belongs to a container that has ended.
  for (const std::string& stale : ledger_.HoldersOf(slices)) {
    if (absl::Status gone = DestroyLocked(stale); !gone.ok()) return gone;
    Log(absl::StrCat("destroyed ", stale, ": the kubelet gave its slices to a new container"));
  }
  remote::VirtualDeviceRequest request;
  request.name = slices_.VirtualDeviceName(slices);
  request.memory_quota = slices_.MemoryOf(static_cast<int>(slices.size()));
  request.compute_share = slices_.ComputeShareOf(static_cast<int>(slices.size()));
  request.owner = slices_.OwnerOf(slices);
  request.lease = false;  // containers outlive a restart of the plugin
  request.require_device = slices_.device_id();
  auto vd = hald_.Create(request);
  if (!vd.ok()) return vd.status();
  // A hald of protocol 1.1 ignores require_device and places by its pool's
  // policy: one placed elsewhere is given back.
  if (vd->physical_device != slices_.device_id()) {
    (void)hald_.Destroy(vd->name);
    return absl::FailedPreconditionError(absl::StrCat(
        "hald placed ", vd->name, " on ", vd->physical_device, ", not on ", slices_.device_id(),
        " whose slices it was made of (a hald older than protocol 1.2 cannot be asked for a "
        "device)"));
  }
  if (absl::Status recorded = ledger_.Assign(vd->name, slices, absl::Now()); !recorded.ok()) {
    (void)hald_.Destroy(vd->name);
    return recorded;
  }
  *created = vd->name;
  Log(absl::StrCat("created ", vd->name, " on ", vd->physical_device, ": ", request.memory_quota,
                   " bytes, compute share ", request.compute_share, " (", request.owner, ")"));

  for (const auto& [name, value] : TenantEnvironment(access_, vd->name, vd->token)) {
    (*response->mutable_envs())[name] = value;
  }
  const SocketMount mount = SocketMountOf(access_);
  v1beta1::Mount* socket_folder = response->add_mounts();
  socket_folder->set_host_path(mount.host_path);
  socket_folder->set_container_path(mount.container_path);
  socket_folder->set_read_only(true);
  if (!cdi_kind_.empty()) response->add_cdi_devices()->set_name(CdiDeviceName(cdi_kind_, slices_));
  return absl::OkStatus();
}

grpc::Status SliceDevicePlugin::Allocate(grpc::ServerContext*,
                                         const v1beta1::AllocateRequest* request,
                                         v1beta1::AllocateResponse* response) {
  std::vector<std::set<int>> containers;
  for (const v1beta1::ContainerAllocateRequest& container : request->container_requests()) {
    auto slices = ParseIds(container.devices_ids());
    if (!slices.ok()) return ToGrpcStatus(slices.status());
    containers.push_back(*std::move(slices));
  }
  std::lock_guard<std::mutex> lock(mutex_);
  std::vector<std::string> created;
  absl::Status failed;
  for (const std::set<int>& slices : containers) {
    std::string name;
    failed = AllocateContainer(slices, response->add_container_responses(), &name);
    if (!failed.ok()) break;
    created.push_back(name);
  }
  if (failed.ok()) return grpc::Status::OK;
  // All or nothing: the kubelet fails the pod, so nothing of it stays.
  for (const std::string& name : created) (void)DestroyLocked(name);
  response->clear_container_responses();
  Log(absl::StrCat("Allocate of ", slices_.resource_name(), " failed: ", failed.ToString()));
  return ToGrpcStatus(failed);
}

grpc::Status SliceDevicePlugin::PreStartContainer(grpc::ServerContext*,
                                                  const v1beta1::PreStartContainerRequest*,
                                                  v1beta1::PreStartContainerResponse*) {
  return grpc::Status::OK;  // nothing to reset: hald zeroes memory it hands out
}

}  // namespace hal::kubernetes
