# Test programs are GoogleTest-heavy: each of their files parses gtest, gmock
# and Abseil's status headers again, which is most of its compile time. With
# the conformance suite at ~80 files and three presets to build in one CI run,
# hal-cts precompiles them. (hal_tests does not: with the header precompiled,
# GCC 12 at -O2 reports its known false -Warray-bounds on a std::string
# operator+ in tests/cpu_device_fixture.h.)
function(hal_precompile_test_headers target)
  target_precompile_headers(${target} PRIVATE
    <gtest/gtest.h> <gmock/gmock.h>
    <absl/status/status.h> <absl/status/statusor.h> <absl/strings/str_cat.h>
    <memory> <string> <vector>)
endfunction()
