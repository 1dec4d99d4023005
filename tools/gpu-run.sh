#!/usr/bin/env bash
# Runs hal on the lent GPU machine the same way every session, in one call.
#
# That machine (Ubuntu 24.04, NVIDIA driver, nvcc) has no Abseil, no Vulkan
# loader or validation layer, and reaches no package registry, so the build
# is made here and carried:
#
#   tools/gpu-run.sh pack     here: builds the default preset, installs it into
#                             .gpu/hal (relocatable), adds the benchmark programs
#                             and the shared libraries they need (Abseil,
#                             Benchmark, protobuf, prometheus-cpp, libcrypto), and
#                             downloads the Vulkan loader and validation layer
#                             .debs into .gpu/debs. .gpu is git-ignored.
#   tools/gpu-run.sh run      there (device tool, carry [".gpu"]): unpacks the
#                             .debs into .gpu/root (never into /), then runs
#                             hal-info, hal-cts (validation layer on) on every
#                             device but CUDA's and OpenCL's, hal-cts on OpenCL
#                             devices (NVIDIA's OpenCL where the driver has it,
#                             through Debian's ICD loader), hal-cts on cuda:0, hal-cts on
#                             remote:0 served by cuda:0 through hald, a mixed
#                             pool of cuda:0, the NVIDIA Vulkan device and cpu:0,
#                             the benchmarks, the CUDA benchmarks, the partition
#                             table and hal_remote_bench on every device,
#                             writing every log under $OUT (or
#                             .gpu/out when OUT is unset, e.g. to try it here).
#
# `run` works here too (on lavapipe; the CUDA steps are skipped, each saying
# why), which is how the recipe is checked without a GPU. Exit status: that of
# the first step that failed.
set -uo pipefail
cd "$(dirname "$0")/.."

readonly gpu_dir=.gpu
readonly prefix="$gpu_dir/hal"
readonly benches=(hal_bench_dispatch_latency hal_bench_saxpy hal_bench_quota_accounting
                  hal_bench_vulkan_dispatch hal_bench_vulkan_copy)
# Harnesses that take --device: run once per driver (a missing one reports why).
readonly device_benches=(hal_bench_time_slice hal_bench_overcommit)
# hald against in-process use of the same device (started by the bench itself).
readonly remote_bench=hal_remote_bench
# hal's CUDA driver against the raw CUDA driver API; run where cuda:0 exists.
readonly cuda_benches=(hal_bench_cuda_launch hal_bench_cuda_copy hal_bench_cuda_allocation
                       hal_bench_cuda_partition)
readonly bench_devices=(cpu vulkan cuda)
# The OpenCL ICD loader, so NVIDIA's OpenCL (its ICD file comes with the
# driver) is served by the OpenCL driver where the machine has it.
readonly debs=(libvulkan1 vulkan-validationlayers ocl-icd-libopencl1)

pack() {
  set -e
  cmake --preset default >/dev/null
  cmake --build --preset default
  rm -rf "$gpu_dir" && mkdir -p "$prefix/bin" "$prefix/lib" "$gpu_dir/debs"
  cmake --install build --prefix "$prefix" >/dev/null
  for bench in "${benches[@]}" "${device_benches[@]}" "${cuda_benches[@]}" "$remote_bench"; do
    [ -x "build/bin/$bench" ] && cp "build/bin/$bench" "$prefix/bin/"
  done
  # Debian's Abseil, Google Benchmark, protobuf, prometheus-cpp (with its
  # civetweb) and libcrypto are shared libraries that machine lacks: carry the
  # ones the programs load (libstdc++ and glibc there are newer).
  for program in "$prefix"/bin/* "$prefix"/lib/*.so; do
    ldd "$program" 2>/dev/null |
      awk '/libabsl_|libbenchmark|libprotobuf|libprometheus|libcivetweb|libcrypto/ {print $3}'
  done | sort -u | xargs -r cp -L -t "$prefix/lib/"
  strip --strip-debug "$prefix"/bin/* "$prefix"/lib/*.so* 2>/dev/null || true
  cp backends/opencl/cts_expected_failures.json "$gpu_dir/opencl_expected_failures.json"
  (cd "$gpu_dir/debs" && apt-get download "${debs[@]}" 2>/dev/null)
  du -sh "$gpu_dir"
}

# The Vulkan loader finds NVIDIA's ICD where the machine's driver put it.
find_nvidia_icd() {
  for json in /usr/share/vulkan/icd.d/nvidia_icd.json /etc/vulkan/icd.d/nvidia_icd.json \
              /usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json; do
    [ -f "$json" ] && { echo "$json"; return; }
  done
}

# A pool of every kind of device the GPU machine has, with virtual devices
# spread over them and one held to CUDA by its kernel format.
write_mixed_pool() {
  cat >"$1" <<'JSON'
{
  "pool": {"devices": ["cuda:0", "vulkan:0", "cpu:0"], "overcommit_ratio": 1.5,
           "placement": "spread"},
  "virtual_devices": [
    {"name": "cuda-quarter", "memory_quota": "2GiB", "compute_share": 0.25,
     "require_format": "ptx"},
    {"name": "spread-1", "memory_quota": "512MiB", "compute_share": 0.5},
    {"name": "spread-2", "memory_quota": "512MiB", "compute_share": 0.5},
    {"name": "spread-3", "memory_quota": "512MiB", "compute_share": 0.5}
  ]
}
JSON
}

# hal-cts on remote:0: a hald of the install serving cuda:0 over a Unix socket.
remote_cts_on_cuda() {
  local out=$1 bin=$2 dir
  dir=$(mktemp -d)
  cat >"$dir/pool.json" <<'JSON'
{"pool": {"devices": ["cuda:0"]},
 "virtual_devices": [{"name": "remote-cuda", "memory_quota": "8GiB"}]}
JSON
  "$bin/hald" --pool "$dir/pool.json" --listen "unix:$dir/hald.sock" 2>"$out/hald.log" &
  local hald=$!
  for _ in $(seq 100); do grep -q "listening on" "$out/hald.log" && break; sleep 0.1; done
  HAL_REMOTE_ENDPOINT="unix:$dir/hald.sock" "$bin/hal-cts" --device remote:0 \
    --report "$out/cts-remote-cuda-report.json"
  local rc=$?
  kill -TERM "$hald" && wait "$hald" || rc=1
  rm -rf "$dir"
  return $rc
}

run() {
  local out="${OUT:-$gpu_dir/out}"
  local root="$PWD/$gpu_dir/root"
  mkdir -p "$out" "$root"
  for deb in "$gpu_dir"/debs/*.deb; do dpkg -x "$deb" "$root"; done
  export LD_LIBRARY_PATH="$PWD/$prefix/lib:$root/usr/lib/x86_64-linux-gnu${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
  export VK_LAYER_PATH="$root/usr/share/vulkan/explicit_layer.d"
  local icd
  icd=$(find_nvidia_icd)
  [ -n "$icd" ] && export VK_DRIVER_FILES="$icd"
  local bin="$prefix/bin" status=0
  step() {  # step NAME COMMAND...: runs it, keeps its log, remembers a failure
    local name=$1
    shift
    echo "=== $name: $*" | tee -a "$out/summary.txt"
    "$@" >"$out/$name.log" 2>&1
    local rc=$?
    tail -n 3 "$out/$name.log" | tee -a "$out/summary.txt"
    echo "=== $name exit $rc" | tee -a "$out/summary.txt"
    [ $rc -ne 0 ] && [ $status -eq 0 ] && status=$rc
    return 0
  }
  skip() {  # skip NAME REASON: a step that cannot run here, and why
    echo "=== $1: skipped: $2" | tee -a "$out/summary.txt"
    echo "skipped: $2" >"$out/$1.log"
  }
  { nvidia-smi -L 2>/dev/null || echo "no nvidia-smi"; } >"$out/machine.txt"
  step hal-info "$bin/hal-info" -v
  step hal-info-json "$bin/hal-info" --json
  # The CUDA steps need cuda:0; without it, the reason is hal-info's line for
  # the CUDA driver (unavailable: why).
  local no_cuda=""
  if ! "$bin/hal-info" --json --selector cuda:0 2>/dev/null | grep -Eq '"id": ?"cuda:0"'; then
    no_cuda="no cuda:0 ($("$bin/hal-info" 2>&1 | grep -i -m1 cuda || echo "no CUDA driver listed"))"
  fi
  # Validation for conformance only: the benchmarks' raw baselines run without
  # the layer, so hal must too.
  step hal-cts env HAL_VULKAN_VALIDATION=1 "$bin/hal-cts" --device '!cuda,!opencl' \
    --report "$out/cts-report.json"
  # OpenCL devices with the OpenCL driver's known failures (no robust buffer
  # access on OpenCL).
  if "$bin/hal-info" --json --selector opencl 2>/dev/null | grep -Eq '"id": ?"opencl:0"'; then
    step hal-cts-opencl "$bin/hal-cts" --device opencl \
      --expected-failures "$gpu_dir/opencl_expected_failures.json" \
      --report "$out/cts-opencl-report.json"
  else
    skip hal-cts-opencl "no opencl:0 ($("$bin/hal-info" 2>&1 | grep -i -m1 opencl || echo "no OpenCL driver listed"))"
  fi
  if [ -z "$no_cuda" ]; then
    step hal-cts-cuda "$bin/hal-cts" --device cuda:0 --report "$out/cts-cuda-report.json"
    step hal-cts-remote-cuda remote_cts_on_cuda "$out" "$bin"
    write_mixed_pool "$out/mixed-pool.json"
    step mixed-pool "$bin/hal-info" --pool "$out/mixed-pool.json"
  else
    skip hal-cts-cuda "$no_cuda"
    skip hal-cts-remote-cuda "$no_cuda"
    skip mixed-pool "$no_cuda"
  fi
  for bench in "${benches[@]}"; do
    [ -x "$bin/$bench" ] || continue
    step "$bench" "$bin/$bench" --benchmark_repetitions=5 --benchmark_report_aggregates_only=true
  done
  for bench in "${cuda_benches[@]}"; do
    [ -x "$bin/$bench" ] || continue
    if [ -n "$no_cuda" ]; then skip "$bench" "$no_cuda"; continue; fi
    step "$bench" "$bin/$bench" --benchmark_repetitions=3 --benchmark_report_aggregates_only=true
  done
  for bench in "${device_benches[@]}"; do
    [ -x "$bin/$bench" ] || continue
    for device in "${bench_devices[@]}"; do step "$bench-$device" "$bin/$bench" --device="$device"; done
  done
  if [ -x "$bin/$remote_bench" ]; then
    for device in "${bench_devices[@]}"; do
      if [ "$device" = cuda ] && [ -n "$no_cuda" ]; then skip "$remote_bench-cuda" "$no_cuda"; continue; fi
      step "$remote_bench-$device" "$bin/$remote_bench" --device="$device" --hald="$bin/hald"
    done
  fi
  return $status
}

case "${1:-}" in
  pack) pack ;;
  run) run ;;
  *) sed -n '2,28p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
esac
