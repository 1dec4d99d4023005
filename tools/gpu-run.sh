#!/usr/bin/env bash
# Runs hal on the lent GPU machine the same way every session, in one call.
#
# That machine (Ubuntu 24.04, NVIDIA driver, nvcc) has no Abseil, no Vulkan
# loader or validation layer, and reaches no package registry, so the build
# is made here and carried:
#
#   tools/gpu-run.sh pack     here: builds the default preset, installs it into
#                             .gpu/hal (relocatable), adds the benchmark programs
#                             and the Abseil shared libraries they need, and
#                             downloads the Vulkan loader and validation layer
#                             .debs into .gpu/debs. .gpu is git-ignored.
#   tools/gpu-run.sh run      there (device tool, carry [".gpu"]): unpacks the
#                             .debs into .gpu/root (never into /), then runs
#                             hal-info, hal-cts (validation layer on), then the
#                             benchmarks, writing every log under $OUT (or
#                             .gpu/out when OUT is unset, e.g. to try it here).
#
# `run` works here too (on lavapipe), which is how the recipe is checked
# without a GPU. Exit status: that of the first step that failed.
set -uo pipefail
cd "$(dirname "$0")/.."

readonly gpu_dir=.gpu
readonly prefix="$gpu_dir/hal"
readonly benches=(hal_bench_dispatch_latency hal_bench_saxpy hal_bench_quota_accounting
                  hal_bench_vulkan_dispatch hal_bench_vulkan_copy)
# Harnesses that take --device: run once per driver (a missing one reports why).
readonly device_benches=(hal_bench_time_slice hal_bench_overcommit)
readonly bench_devices=(cpu vulkan cuda)
readonly debs=(libvulkan1 vulkan-validationlayers)

pack() {
  set -e
  cmake --preset default >/dev/null
  cmake --build --preset default
  rm -rf "$gpu_dir" && mkdir -p "$prefix/bin" "$prefix/lib" "$gpu_dir/debs"
  cmake --install build --prefix "$prefix" >/dev/null
  for bench in "${benches[@]}" "${device_benches[@]}"; do
    [ -x "build/bin/$bench" ] && cp "build/bin/$bench" "$prefix/bin/"
  done
  # Debian's Abseil and Google Benchmark are shared libraries that machine
  # lacks: carry the ones the programs load (libstdc++ and glibc there are newer).
  for program in "$prefix"/bin/* "$prefix"/lib/*.so; do
    ldd "$program" 2>/dev/null | awk '/libabsl_|libbenchmark/ {print $3}'
  done | sort -u | xargs -r cp -L -t "$prefix/lib/"
  strip --strip-debug "$prefix"/bin/* "$prefix"/lib/*.so* 2>/dev/null || true
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
  { nvidia-smi -L 2>/dev/null || echo "no nvidia-smi"; } >"$out/machine.txt"
  step hal-info "$bin/hal-info" -v
  step hal-info-json "$bin/hal-info" --json
  # Validation for conformance only: the benchmarks' raw baselines run without
  # the layer, so hal must too.
  step hal-cts env HAL_VULKAN_VALIDATION=1 "$bin/hal-cts" --report "$out/cts-report.json"
  for bench in "${benches[@]}"; do
    [ -x "$bin/$bench" ] || continue
    step "$bench" "$bin/$bench" --benchmark_repetitions=5 --benchmark_report_aggregates_only=true
  done
  for bench in "${device_benches[@]}"; do
    [ -x "$bin/$bench" ] || continue
    for device in "${bench_devices[@]}"; do step "$bench-$device" "$bin/$bench" --device="$device"; done
  done
  return $status
}

case "${1:-}" in
  pack) pack ;;
  run) run ;;
  *) sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
esac
