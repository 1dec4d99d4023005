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
