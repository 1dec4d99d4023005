// absl::Status -> grpc::Status for the plugin's gRPC services. The two
// code sets are the same numbers (both are google.rpc.Code), so the kubelet
// sees hald's own codes: InvalidArgument, ResourceExhausted, Unavailable ...
#ifndef HAL_INTEGRATIONS_KUBERNETES_GRPC_STATUS_H_
#define HAL_INTEGRATIONS_KUBERNETES_GRPC_STATUS_H_

#include <string>

#include "absl/status/status.h"
#include "grpcpp/support/status.h"

namespace hal::kubernetes {

inline grpc::Status ToGrpcStatus(const absl::Status& status) {
  return grpc::Status(static_cast<grpc::StatusCode>(status.code()),
                      std::string(status.message()));
}

}  // namespace hal::kubernetes

#endif  // HAL_INTEGRATIONS_KUBERNETES_GRPC_STATUS_H_
