#!/usr/bin/env bash
# install_test.sh BUILD_DIR SOURCE_DIR: installs the build into a scratch
# prefix, moves it (the install must be relocatable), then builds and runs the
# samples against it with find_package(hal) and compiles one with pkg-config.
set -euo pipefail
build_dir=$1
source_dir=$2
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

cmake --install "$build_dir" --prefix "$scratch/first" > "$scratch/install.log"
mv "$scratch/first" "$scratch/prefix"
prefix="$scratch/prefix"

if grep -rIl --include="*.cmake" --include="*.pc" --include="*.json" -e "$build_dir" "$prefix"; then
  echo "FAIL: installed files name the build tree" >&2
  exit 1
fi

cmake -S "$prefix/share/hal/samples" -B "$scratch/samples" -G Ninja \
  -DCMAKE_PREFIX_PATH="$prefix" -DCMAKE_BUILD_TYPE=Release > "$scratch/configure.log"
cmake --build "$scratch/samples" -j2 > "$scratch/build.log"
# The installed libhal finds the installed CPU driver and standard kernels.
"$scratch/samples/vector_add/vector_add"
"$scratch/samples/device_list/device_list"
"$scratch/samples/mixed_pool/mixed_pool" > /dev/null
"$prefix/bin/hal-info" --json > /dev/null

export PKG_CONFIG_PATH="$prefix/lib/pkgconfig"
c++ "$prefix/share/hal/samples/vector_add/vector_add.cc" $(pkg-config --cflags --libs hal) \
  -o "$scratch/vector_add_pkgconfig"
"$scratch/vector_add_pkgconfig"
echo "install_builds_samples: OK"
