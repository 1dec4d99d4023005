#include "conformance/coverage/coverage_spec.h"

#include <cctype>

namespace hal::cts {
namespace {

constexpr char kDeviceLoss[] =
    "needs a real device loss or an asynchronous vendor error, which a working device cannot be "
    "made to produce; LostDevice.* covers the runtime's side through fault injection";

// Skips a C comment or a C++ line comment starting at `i`; returns the index
// after it, or `i` when there is none.
size_t SkipComment(absl::string_view text, size_t i) {
  if (text.substr(i, 2) == "/*") {
    const size_t end = text.find("*/", i + 2);
    return end == absl::string_view::npos ? text.size() : end + 2;
  }
  if (text.substr(i, 2) == "//") {
    const size_t end = text.find('\n', i);
    return end == absl::string_view::npos ? text.size() : end + 1;
  }
  return i;
}

bool IsIdentifierChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_';
}

}  // namespace

const char kTableFieldsCoverage[] =
    "type, struct_size, abi_major and abi_minor are checked by the loader before any test runs "
    "(a wrong tag, a short table or another major version is refused: "
    "tests/driver_loader_test.cc); name and version are shown by Enumeration.* and the report";

const std::vector<EntrySpec>& CoverageSpec() {
  static const auto* spec = new std::vector<EntrySpec>{
      {"initialize",
       {{"success"},
        {"unavailable", "a device under test has a working driver, initialized before the "
                        "tests run; tests/driver_loader_test.cc covers the refusal with "
                        "fake drivers"}}},
      {"shutdown",
       {{"success", "called once, when the runtime unloads the driver after every test; "
                    "tests/driver_loader_test.cc covers unloading"}}},
      {"last_error_message", {{"success"}}},
      {"device_count", {{"success"}}},
      {"device_get_properties", {{"success"}}},
      {"device_get_memory_info", {{"success"}}},
      {"unusable_device_count", {{"success"}}},
      {"unusable_device_get", {{"success"}}},
      {"context_create", {{"success"}}},
      {"context_destroy", {{"success"}}},
      {"context_get_partition", {{"success"}}},
      {"buffer_allocate", {{"success"}, {"out-of-memory"}}},
      {"buffer_free", {{"success"}}},
      {"buffer_map", {{"success"}, {"unsupported"}}},
      {"stream_create", {{"success"}}},
      {"stream_destroy", {{"success"}}},
      {"stream_copy_host_to_device", {{"success"}}},
      {"stream_copy_device_to_host", {{"success"}}},
      {"stream_copy_buffer", {{"success"}}},
      {"stream_fill", {{"success"}}},
      {"stream_dispatch", {{"success"}}},
      {"stream_signal_event", {{"success"}}},
      {"stream_wait_event", {{"success"}}},
      {"stream_synchronize", {{"success"}, {"unavailable", kDeviceLoss}}},
      {"stream_query", {{"success"}, {"not-ready"}, {"unavailable", kDeviceLoss}}},
      {"event_create", {{"success"}}},
      {"event_destroy", {{"success"}}},
      {"event_query", {{"success"}, {"not-ready"}}},
      {"event_synchronize", {{"success"}}},
      {"event_timestamp_ns", {{"success"}, {"failed-precondition"}}},
      {"module_load", {{"success"}, {"invalid-argument"}}},
      {"module_destroy", {{"success"}}},
      {"kernel_get", {{"success"}, {"not-found"}, {"invalid-argument"}}},
      {"buffer_device_address", {{"success"}, {"capability-absent"}}},
      {"buffer_decommit", {{"success"}, {"capability-absent"}}},
      {"buffer_recommit",
       {{"success"},
        {"out-of-memory", "needs the device's memory exhausted between decommit and recommit, "
                          "which the suite cannot do portably; the CPU driver's "
                          "RecommitWithoutRoomIsOutOfMemoryAndLeavesItDecommitted covers it"},
        {"capability-absent"}}},
      {"host_register", {{"success"}, {"capability-absent"}}},
      {"native_handle", {{"success"}, {"unsupported"}, {"capability-absent"}}},
      {"context_trim_memory", {{"success"}, {"capability-absent"}}},
      // Charges balance uncharges (success); a refused charge makes the driver
      // give the bytes back instead of caching them (out-of-memory).
      {"hal_context_memory_accounting",
       {{"success"}, {"out-of-memory"}, {"capability-absent"}}},
  };
  return *spec;
}

const EntrySpec* FindEntrySpec(absl::string_view entry_point) {
  for (const EntrySpec& entry : CoverageSpec()) {
    if (entry.entry_point == entry_point) return &entry;
  }
  return nullptr;
}

std::vector<std::string> DriverTableEntryPoints(absl::string_view header_text) {
  constexpr absl::string_view kOpen = "typedef struct hal_driver_table {";
  const size_t start = header_text.find(kOpen);
  if (start == absl::string_view::npos) return {};
  const size_t end = header_text.find("} hal_driver_table;", start);
  if (end == absl::string_view::npos) return {};
  const absl::string_view body = header_text.substr(start + kOpen.size(), end - start - kOpen.size());
  std::vector<std::string> entries;
  size_t i = 0;
  while (i < body.size()) {
    if (const size_t after = SkipComment(body, i); after != i) {
      i = after;
      continue;
    }
    // A function-pointer member: "(*name)(".
    if (body.substr(i, 2) == "(*") {
      size_t j = i + 2;
      while (j < body.size() && body[j] == ' ') ++j;
      const size_t name_start = j;
      while (j < body.size() && IsIdentifierChar(body[j])) ++j;
      if (j > name_start && j < body.size() && body[j] == ')') {
        entries.emplace_back(body.substr(name_start, j - name_start));
      }
      i = j;
      continue;
    }
    ++i;
  }
  return entries;
}

}  // namespace hal::cts
