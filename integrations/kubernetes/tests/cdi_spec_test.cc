#include "integrations/kubernetes/cdi_spec.h"

#include <sys/wait.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "integrations/kubernetes/tests/test_sizes.h"
#include "tests/test_folder.h"

namespace hal::kubernetes {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::UnorderedElementsAre;

std::vector<DeviceSlices> TwoDevices() {
  SliceOptions options;
  options.slice_bytes = 16 * kMiB;
  return {*DeviceSlices::Make("cpu:0", 64 * kMiB, 1.0, options),
          *DeviceSlices::Make("vulkan:0", 32 * kMiB, 1.0, options)};
}

// Runs `command` through the shell: its exit status, its output in `output`.
int Run(const std::string& command, std::string* output) {
  FILE* pipe = popen((command + " 2>&1").c_str(), "r");
  if (pipe == nullptr) return -1;
  char buffer[512];
  size_t read = 0;
  while ((read = fread(buffer, 1, sizeof(buffer), pipe)) > 0) output->append(buffer, read);
  const int status = pclose(pipe);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

// Validates the JSON file `spec` against the CDI project's schema
// (cdi-schema/schema.json, whose "$ref"s name defs.json beside it) with
// python3-jsonschema: exit status 0 when valid, 1 with the reason when not,
// 3 when python3 or jsonschema is missing.
int ValidateWithCdiSchema(const std::string& spec, std::string* output) {
  const std::string script = absl::StrCat(
      "import json, sys, warnings\n"
      "warnings.simplefilter('ignore')\n"
      "try:\n"
      "    import jsonschema\n"
      "except ImportError:\n"
      "    sys.exit(3)\n"
      "folder = '", HAL_TEST_CDI_SCHEMA_DIR, "'\n"
      "schema = json.load(open(folder + '/schema.json'))\n"
      "resolver = jsonschema.RefResolver('file://' + folder + '/', schema)\n"
      "validator = jsonschema.validators.validator_for(schema)(schema, resolver=resolver)\n"
      "try:\n"
      "    validator.validate(json.load(open(sys.argv[1])))\n"
      "except jsonschema.ValidationError as error:\n"
      "    print(error.message)\n"
      "    sys.exit(1)\n");
  testing::TestFolder folder;
  const std::string script_path = folder.Write("validate.py", script);
  if (std::system("command -v python3 > /dev/null 2>&1") != 0) return 3;
  return Run(absl::StrCat("python3 ", script_path, " ", spec), output);
}

TEST(ContainerAccessTest, MountsTheSocketFolderAndNamesTheSocketInside) {
  ContainerAccess access{"/run/hal/hald.sock", "/var/run/hal-node/hald.sock"};
  ASSERT_TRUE(ValidateContainerAccess(access).ok());
  const SocketMount mount = SocketMountOf(access);
  EXPECT_EQ(mount.host_path, "/run/hal");
  EXPECT_EQ(mount.container_path, "/var/run/hal-node");
  EXPECT_THAT(CommonEnvironment(access),
              UnorderedElementsAre(
                  std::pair<const std::string, std::string>("HAL_REMOTE_ENDPOINT",
                                                            "unix:/var/run/hal-node/hald.sock"),
                  std::pair<const std::string, std::string>("HAL_DEVICE_SELECTOR", "remote")));
  auto tenant = TenantEnvironment(access, "k8s-cpu-0-s1", "abc");
  EXPECT_EQ(tenant.at("HAL_REMOTE_TOKEN"), "abc");
  EXPECT_EQ(tenant.at("HAL_VIRTUAL_DEVICE"), "k8s-cpu-0-s1");
  EXPECT_EQ(tenant.at("HAL_REMOTE_ENDPOINT"), "unix:/var/run/hal-node/hald.sock");
}

TEST(ContainerAccessTest, SocketPathsMustBeAbsoluteAndInAFolder) {
  EXPECT_THAT(ValidateContainerAccess({"hald.sock", "/run/hal/hald.sock"}).message(),
              HasSubstr("--hald-socket"));
  EXPECT_THAT(ValidateContainerAccess({"/run/hal/hald.sock", "/hald.sock"}).message(),
              HasSubstr("--container-socket"));
  EXPECT_EQ(ValidateContainerAccess({"/run/hal/", "/run/hal/hald.sock"}).code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(CdiSpecTest, OneDeviceForEachPhysicalDeviceWithTheSocketAndEnvironment) {
  const std::string kind = CdiKind("hal.dev");
  EXPECT_EQ(kind, "hal.dev/vd");
  const std::vector<DeviceSlices> devices = TwoDevices();
  EXPECT_EQ(CdiDeviceName(kind, devices[1]), "hal.dev/vd=vulkan-0");
  const nlohmann::json spec = CdiSpec(kind, devices, ContainerAccess{});
  EXPECT_EQ(spec["cdiVersion"], "0.5.0");
  EXPECT_EQ(spec["kind"], "hal.dev/vd");
  ASSERT_EQ(spec["devices"].size(), 2u);
  EXPECT_EQ(spec["devices"][0]["name"], "cpu-0");
  EXPECT_EQ(spec["devices"][1]["name"], "vulkan-0");
  const nlohmann::json& edits = spec["devices"][1]["containerEdits"];
  EXPECT_THAT(edits["env"].get<std::vector<std::string>>(),
              ElementsAre("HAL_DEVICE_SELECTOR=remote",
                          "HAL_REMOTE_ENDPOINT=unix:/run/hal/hald.sock"));
  ASSERT_EQ(edits["mounts"].size(), 1u);
  EXPECT_EQ(edits["mounts"][0]["hostPath"], "/run/hal");
  EXPECT_EQ(edits["mounts"][0]["containerPath"], "/run/hal");
  EXPECT_THAT(edits["mounts"][0]["options"].get<std::vector<std::string>>(),
              ::testing::Contains("ro"));
}

TEST(CdiSpecTest, WrittenSpecIsValidByTheCdiSchema) {
  testing::TestFolder folder;
  const std::string kind = CdiKind("hal.dev");
  ASSERT_TRUE(WriteCdiSpec(folder.path(), kind, CdiSpec(kind, TwoDevices(), {})).ok());
  const std::string path = CdiSpecPath(folder.path(), kind);
  EXPECT_EQ(path, folder.path() + "/hal.dev-vd.json");
  std::ifstream file(path);
  std::stringstream text;
  text << file.rdbuf();
  EXPECT_EQ(nlohmann::json::parse(text.str()), CdiSpec(kind, TwoDevices(), {}));

  std::string output;
  const int valid = ValidateWithCdiSchema(path, &output);
  if (valid == 3) GTEST_SKIP() << "python3 with jsonschema (python3-jsonschema) is not installed";
  EXPECT_EQ(valid, 0) << output;
  // The check can fail: a spec without its kind is refused.
  nlohmann::json broken = CdiSpec(kind, TwoDevices(), {});
  broken.erase("kind");
  const std::string broken_path = folder.Write("broken.json", broken.dump());
  output.clear();
  EXPECT_EQ(ValidateWithCdiSchema(broken_path, &output), 1) << output;
  EXPECT_THAT(output, HasSubstr("kind"));
}

TEST(CdiSpecTest, WritingIntoAMissingFolderIsInternal) {
  const std::string kind = CdiKind("hal.dev");
  absl::Status written = WriteCdiSpec("/nonexistent-hal-cdi", kind, CdiSpec(kind, {}, {}));
  EXPECT_EQ(written.code(), absl::StatusCode::kInternal);
  EXPECT_THAT(written.message(), HasSubstr("/nonexistent-hal-cdi/hal.dev-vd.json"));
}

}  // namespace
}  // namespace hal::kubernetes
