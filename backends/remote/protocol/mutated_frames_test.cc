// Deterministic stand-in for the fuzzer that CI runs under ASan/UBSan: valid
// encoded messages, mutated at random, through both decoders. None may crash;
// the test also checks that mutations were both accepted and refused, so it
// cannot pass without exercising the checks.
#include <random>
#include <string>
#include <vector>

#include "backends/remote/protocol/frame_codec.h"
#include "backends/remote/protocol/test_support.h"
#include "backends/remote/protocol/wire_version.h"
#include "gtest/gtest.h"
#include "hal/driver/hal_driver.h"

namespace hal::remote {
namespace {

constexpr int kMutations = 20000;

std::vector<std::string> ValidPayloads() {
  std::vector<std::string> payloads;
  ClientMessage hello;
  hello.set_request_id(1);
  hello.mutable_hello()->set_protocol_major(kProtocolMajor);
  hello.mutable_hello()->set_client("mutation test");
  hello.mutable_hello()->set_token("secret");
  payloads.push_back(hello.SerializeAsString());

  ClientMessage batch;
  batch.set_request_id(2);
  batch.mutable_stream_synchronize()->set_stream(1);
  v1::Dispatch* dispatch = batch.add_batch()->mutable_dispatch();
  dispatch->set_stream(1);
  dispatch->set_kernel(3);
  for (int i = 0; i < 3; ++i) dispatch->add_workgroup_count(i + 1);
  dispatch->add_bindings()->set_buffer(4);
  dispatch->mutable_bindings(0)->set_offset(256);
  dispatch->set_push_constants(std::string(8, '\x01'));
  v1::CopyHostToDevice* copy = batch.add_batch()->mutable_copy_host_to_device();
  copy->set_stream(1);
  copy->set_dst(4);
  copy->set_size(16);
  copy->set_inline_data(std::string(16, 'd'));
  batch.add_batch()->mutable_copy_device_to_host()->mutable_shm()->set_size(64);
  batch.add_batch()->mutable_buffer_free()->set_buffer(4);
  payloads.push_back(batch.SerializeAsString());

  ClientMessage kernel;
  kernel.set_request_id(3);
  kernel.mutable_kernel_get()->set_name("k");
  for (int i = 0; i < 3; ++i)
    kernel.mutable_kernel_get()->mutable_signature()->add_workgroup_size(8);
  payloads.push_back(kernel.SerializeAsString());

  ClientMessage staging;
  staging.set_request_id(5);
  staging.mutable_buffer_allocate()->set_buffer(6);
  staging.mutable_buffer_allocate()->set_kind(HAL_BUFFER_HOST_STAGING);
  staging.mutable_buffer_allocate()->set_size(4096);
  staging.mutable_buffer_allocate()->set_shared_host_memory(true);
  payloads.push_back(staging.SerializeAsString());

  DaemonMessage list;
  list.set_request_id(4);
  v1::DeviceProperties* device = list.mutable_device_list()->add_devices();
  device->set_name("a on cpu:0");
  device->set_uuid(std::string(16, 'u'));
  for (int i = 0; i < 3; ++i) {
    device->add_max_workgroup_size(1024);
    device->add_max_workgroup_count(65535);
  }
  payloads.push_back(list.SerializeAsString());

  DaemonMessage download;
  download.mutable_download_complete()->set_download(9);
  download.mutable_download_complete()->set_inline_data(std::string(32, 'z'));
  download.mutable_status()->set_code(3);
  download.mutable_status()->set_message("bad");
  payloads.push_back(download.SerializeAsString());

  payloads.push_back(testing::ValidVirtualDeviceCreate().SerializeAsString());

  ClientMessage destroy;
  destroy.set_request_id(6);
  destroy.mutable_virtual_device_destroy()->set_name("job-42");
  payloads.push_back(destroy.SerializeAsString());

  DaemonMessage created;
  created.set_request_id(5);
  created.mutable_virtual_device_created()->set_name("job-42");
  created.mutable_virtual_device_created()->set_physical_device("cuda:0");
  created.mutable_virtual_device_created()->set_token(std::string(64, 'a'));
  payloads.push_back(created.SerializeAsString());
  return payloads;
}

// One random edit: flip a bit, set a byte, truncate, insert, or repeat a slice.
void Mutate(std::mt19937_64& random, std::string& bytes) {
  const auto pick = [&](size_t n) { return static_cast<size_t>(random() % (n == 0 ? 1 : n)); };
  switch (random() % 5) {
    case 0:
      if (!bytes.empty()) bytes[pick(bytes.size())] ^= static_cast<char>(1u << pick(8));
      break;
    case 1:
      if (!bytes.empty()) bytes[pick(bytes.size())] = static_cast<char>(random());
      break;
    case 2:
      bytes.resize(pick(bytes.size() + 1));
      break;
    case 3:
      bytes.insert(pick(bytes.size() + 1), 1 + pick(4), static_cast<char>(random()));
      break;
    default: {
      const size_t start = pick(bytes.size());
      const size_t length = pick(bytes.size() - start + 1);
      bytes.insert(pick(bytes.size() + 1), bytes.substr(start, length));
    }
  }
}

TEST(RemoteProtocolMutatedFrames, NeverCrashTheDecoders) {
  const std::vector<std::string> valid = ValidPayloads();
  std::mt19937_64 random(12345);
  int accepted = 0, refused = 0;
  for (int i = 0; i < kMutations; ++i) {
    std::string bytes = valid[i % valid.size()];
    for (int edits = 1 + static_cast<int>(random() % 4); edits > 0; --edits) Mutate(random, bytes);
    const auto span =
        absl::MakeConstSpan(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
    ClientMessage client;
    DaemonMessage daemon;
    const absl::Status client_status = DecodeClientMessage(span, &client);
    const absl::Status daemon_status = DecodeDaemonMessage(span, &daemon);
    for (const absl::Status& status : {client_status, daemon_status}) {
      if (status.ok()) {
        ++accepted;
      } else {
        ++refused;
        ASSERT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << status;
      }
    }
    // What is accepted re-encodes and decodes to the same message.
    if (client_status.ok()) {
      const std::string again = client.SerializeAsString();
      ClientMessage reparsed;
      ASSERT_TRUE(
          DecodeClientMessage(
              absl::MakeConstSpan(reinterpret_cast<const uint8_t*>(again.data()), again.size()),
              &reparsed)
              .ok());
    }
  }
  EXPECT_GT(accepted, kMutations / 10);
  EXPECT_GT(refused, kMutations / 10);
}

}  // namespace
}  // namespace hal::remote
