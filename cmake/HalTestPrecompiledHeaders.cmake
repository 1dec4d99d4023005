# Test programs are GoogleTest-heavy: each of their files parses gtest, gmock
# and Abseil's status headers again, which is most of its compile time. With
# the conformance suite at ~80 files and three presets to build in one CI run,
# a precompiled header per test target keeps CI within its 30 minutes.
function(hal_precompile_test_headers target)
  target_precompile_headers(${target} PRIVATE
    <gtest/gtest.h> <gmock/gmock.h>
    <absl/status/status.h> <absl/status/statusor.h> <absl/strings/str_cat.h>
    <memory> <string> <vector>)
endfunction()
