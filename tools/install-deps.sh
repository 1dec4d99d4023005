#!/usr/bin/env bash
# Installs, as root on Debian 12, every package hal's build, tests and CI need.
# Idempotent: when everything is present it returns without touching apt.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config git
  libabsl-dev nlohmann-json3-dev libcli11-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  # Vulkan and Level Zero headers, glslc, and Mesa's lavapipe (a real Vulkan
  # driver on the CPU) for the drivers that load them at run time.
  libvulkan-dev glslc mesa-vulkan-drivers vulkan-validationlayers vulkan-tools libze-dev
  # SPIRV-Tools' validator (static library, headers and CMake config): the
  # runtime validates every SPIR-V image before a driver sees it.
  spirv-tools
  # hald and the remote driver: the wire format and the metrics exporter.
  # libcrypto: SHA-256 of the access tokens in hald's pool file.
  libprotobuf-dev protobuf-compiler prometheus-cpp-dev libssl-dev
  # The sanitizer presets build with clang (half gcc's compile time at -O0)
  # and its sanitizer runtimes.
  clang libclang-rt-14-dev
  # OpenCL: the ICD loader and headers, and pocl, a real OpenCL driver on the
  # CPU. clang-15 and llvm-spirv-15 compile the OpenCL C kernels to SPIR-V.
  # Never intel-opencl-icd: with it every sanitized process that loads the
  # ICD loader aborts (docs/driver-guide.md).
  ocl-icd-opencl-dev opencl-headers pocl-opencl-icd clang-15 llvm-spirv-15
  # HIP: Debian's ROCm headers and library (no AMD GPU: the driver's tests run
  # on the project's fake libamdhip64) and hipcc for the hsaco kernel images.
  libamdhip64-dev hipcc
  # Scheduler integrations (integrations/): Slurm's SPANK header and a real
  # one-node cluster for its test (slurmctld, slurmd, munge), gRPC for the
  # Kubernetes device plugin, and jsonschema to validate its CDI specs.
  libslurm-dev slurmctld slurmd slurm-client munge
  libgrpc++-dev protobuf-compiler-grpc python3-jsonschema
)

missing=()
for package in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$package")
  fi
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update
apt-get install -y --no-install-recommends "${missing[@]}"
