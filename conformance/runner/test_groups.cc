#include "conformance/runner/test_groups.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <utility>

#include "absl/strings/str_cat.h"

namespace hal::cts {
namespace {

// Kept by the runner rather than by the suites, so that a vendor reading
// docs/cts.md finds the whole list in one place.
constexpr absl::string_view kExclusiveSuites[] = {"MemoryPressure"};

// The device (index into `devices`) a test's parameter names, or -1.
int DeviceOfParameter(absl::string_view parameter, const std::vector<std::string>& device_names) {
  int best = -1;
  for (size_t i = 0; i < device_names.size(); ++i) {
    const std::string& name = device_names[i];
    const bool matches = parameter == name || (parameter.size() > name.size() &&
                                               parameter.substr(0, name.size()) == name &&
                                               parameter[name.size()] == '_');
    if (matches && (best < 0 || name.size() > device_names[best].size())) {
      best = static_cast<int>(i);
    }
  }
  return best;
}

}  // namespace

std::string TestNameOfDevice(absl::string_view device_id) {
  std::string name(device_id);
  for (char& c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  }
  return name;
}

bool IsExclusiveSuite(absl::string_view suite) {
  for (absl::string_view exclusive : kExclusiveSuites) {
    if (suite == exclusive) return true;
  }
  return false;
}

std::vector<TestGroup> GroupTests(const std::vector<std::string>& tests,
                                  const std::vector<DeviceRecord>& devices) {
  std::vector<std::string> device_names;
  for (const DeviceRecord& device : devices) device_names.push_back(TestNameOfDevice(device.id));

  std::vector<TestGroup> groups;
  std::map<std::string, size_t> index_of_group;
  for (const std::string& test : tests) {
    // "Suite.Test/parameter"; a prefixed instantiation's suite is "prefix/Suite".
    const absl::string_view name(test);
    const size_t dot = name.find('.');
    const absl::string_view suite = name.substr(0, dot);
    const absl::string_view rest = dot == absl::string_view::npos ? "" : name.substr(dot + 1);
    const size_t slash = rest.find('/');
    const int device = slash == absl::string_view::npos
                           ? -1
                           : DeviceOfParameter(rest.substr(slash + 1), device_names);
    std::string group_name =
        device < 0 ? std::string(suite) : absl::StrCat(suite, "/", device_names[device]);
    auto [it, inserted] = index_of_group.emplace(group_name, groups.size());
    if (inserted) {
      TestGroup group;
      group.name = std::move(group_name);
      if (device >= 0) group.device_id = devices[device].id;
      group.exclusive = IsExclusiveSuite(suite);
      groups.push_back(std::move(group));
    }
    groups[it->second].tests.push_back(test);
    groups[it->second].test_groups.push_back(groups[it->second].name);
  }
  return groups;
}

std::vector<TestGroup> BatchGroups(const std::vector<TestGroup>& groups, int jobs) {
  std::vector<std::string> devices;  // in order of first appearance
  std::map<std::string, std::vector<const TestGroup*>> joinable;
  std::vector<TestGroup> batches;
  for (const TestGroup& group : groups) {
    if (group.device_id.empty() || group.exclusive) {
      batches.push_back(group);
      continue;
    }
    auto [it, inserted] = joinable.try_emplace(group.device_id);
    if (inserted) devices.push_back(group.device_id);
    it->second.push_back(&group);
  }
  const size_t device_count = std::max<size_t>(devices.size(), 1);
  const size_t per_device =
      std::max<size_t>(1, (static_cast<size_t>(jobs) + device_count - 1) / device_count);
  for (const std::string& device : devices) {
    const std::vector<const TestGroup*>& members = joinable[device];
    const size_t count = std::min(per_device, members.size());
    for (size_t b = 0; b < count; ++b) {
      // Batch b takes members [b * n / count, (b + 1) * n / count).
      const size_t begin = b * members.size() / count, end = (b + 1) * members.size() / count;
      TestGroup batch;
      batch.device_id = device;
      batch.name = end - begin == 1
                       ? members[begin]->name
                       : absl::StrCat(members[begin]->name, " .. ", members[end - 1]->name);
      for (size_t i = begin; i < end; ++i) {
        batch.tests.insert(batch.tests.end(), members[i]->tests.begin(), members[i]->tests.end());
        batch.test_groups.insert(batch.test_groups.end(), members[i]->test_groups.begin(),
                                 members[i]->test_groups.end());
      }
      batches.push_back(std::move(batch));
    }
  }
  return batches;
}

}  // namespace hal::cts
