// hald's admin requests: scheduler integrations (integrations/slurm,
// integrations/kubernetes) create a virtual device when a job or container
// starts and destroy it when it ends (docs/operators.md). Only an operator
// may ask: root or the daemon's own user on the Unix socket, or a peer a pool
// file rule grants "admin". Everyone else is PermissionDenied.
#ifndef HAL_BACKENDS_REMOTE_PROTOCOL_ADMIN_REQUESTS_H_
#define HAL_BACKENDS_REMOTE_PROTOCOL_ADMIN_REQUESTS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "backends/remote/protocol/daemon_client.h"

namespace hal::remote {

struct VirtualDeviceRequest {
  // Unique among the daemon's virtual devices (those of its pool file too).
  std::string name;
  uint64_t memory_quota = 0;   // bytes, >= 1
  double compute_share = 1.0;  // (0, 1]
  std::string require_vendor;  // "" for none; exact match, e.g. "NVIDIA"
  std::string require_format;  // "" for none; a kernel format the device must take
  std::string prefer_vendor;   // "" for none
  // "" for any; the daemon's device id ("vulkan:0") it must be placed on:
  // NotFound when the daemon's pool has no such device, ResourceExhausted
  // naming it when it does not fit there. A daemon of protocol 1.1 ignores
  // it: compare CreatedVirtualDevice::physical_device.
  std::string require_device;
  int32_t priority = 0;        // as VirtualDeviceSpec::priority
  // Unix-socket peers (by uid) who may attach besides holders of the token.
  std::vector<uint32_t> attach_uids;
  // Who asked, as hal-info --pool and the metrics show it ("slurm job 42.0",
  // "kubernetes pod default/train-0").
  std::string owner;
  // True: the daemon destroys the virtual device when the connection that
  // created it closes (the creator exits, crashes or is killed), so a lost
  // creator leaks nothing (the Slurm plugin holds it for the job step's life).
  // False: it lives until DestroyVirtualDevice or the daemon's exit (the
  // Kubernetes plugin, whose restarts must not pull devices from running
  // containers).
  bool lease = true;
};

struct CreatedVirtualDevice {
  std::string name;
  std::string physical_device;  // the daemon's device id it was placed on, "vulkan:0"
  // Grants attaching to this virtual device only (HAL_REMOTE_TOKEN); the
  // daemon keeps only its digest and shows it nowhere else. Invalid once the
  // virtual device is destroyed.
  std::string token;
};

// Places and opens the virtual device in the daemon's pool. InvalidArgument
// for a bad request (empty name, quota 0, share outside (0, 1]),
// AlreadyExists for a name in use, ResourceExhausted when no device can take
// it (with the pool's reason for each device), PermissionDenied for a peer
// who is no operator; transport errors as DaemonClient::Call's.
absl::StatusOr<CreatedVirtualDevice> CreateVirtualDevice(DaemonClient& daemon,
                                                         const VirtualDeviceRequest& request);

// Ends every session attached to the virtual device (their devices turn
// Unavailable, as a lost device), frees what they held, and removes it from
// the pool, returning its placement (quota, compute share, partition units)
// to its device; answers once its charges are zero. NotFound for an unknown
// name, FailedPrecondition for one the pool file defines (edit the file and
// restart hald instead) or one already being destroyed, PermissionDenied as
// above. The wait counts against the DaemonClient's timeout: a tenant whose
// queued work takes longer makes this DeadlineExceeded while hald goes on
// destroying it (its log says what it waits for).
absl::Status DestroyVirtualDevice(DaemonClient& daemon, absl::string_view name);

}  // namespace hal::remote

#endif  // HAL_BACKENDS_REMOTE_PROTOCOL_ADMIN_REQUESTS_H_
