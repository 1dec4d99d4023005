#include "backends/remote/protocol/frame_codec.h"

#include <array>
#include <string>
#include <utility>
#include <vector>

#include "backends/remote/protocol/test_support.h"
#include "backends/remote/protocol/wire_version.h"
#include "gtest/gtest.h"
#include "hal/driver/hal_driver.h"

namespace hal::remote {
namespace {

absl::Span<const uint8_t> Bytes(const std::string& s) {
  return absl::MakeConstSpan(reinterpret_cast<const uint8_t*>(s.data()), s.size());
}

absl::Status DecodeClient(const ClientMessage& message) {
  ClientMessage out;
  return DecodeClientMessage(Bytes(message.SerializeAsString()), &out);
}

absl::Status DecodeDaemon(const DaemonMessage& message) {
  DaemonMessage out;
  return DecodeDaemonMessage(Bytes(message.SerializeAsString()), &out);
}

// Expects InvalidArgument whose message names `field`.
void ExpectRefused(const absl::Status& status, const std::string& field) {
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << status;
  EXPECT_NE(status.message().find(field), absl::string_view::npos) << status;
}

ClientMessage ValidDispatch() {
  ClientMessage message;
  v1::Dispatch* dispatch = message.mutable_dispatch();
  dispatch->set_stream(1);
  dispatch->set_kernel(2);
  for (int i = 0; i < 3; ++i) dispatch->add_workgroup_count(4);
  dispatch->add_bindings()->set_buffer(3);
  dispatch->set_push_constants(std::string(16, 'p'));
  return message;
}

ClientMessage ValidKernelGet() {
  ClientMessage message;
  message.set_request_id(9);
  v1::KernelGet* get = message.mutable_kernel_get();
  get->set_kernel(1);
  get->set_module(2);
  get->set_name("saxpy");
  get->mutable_signature()->set_binding_count(HAL_MAX_BINDINGS);
  get->mutable_signature()->set_push_constant_size(HAL_MAX_PUSH_CONSTANT_SIZE);
  for (int i = 0; i < 3; ++i) get->mutable_signature()->add_workgroup_size(64);
  return message;
}

v1::DeviceProperties ValidDevice() {
  v1::DeviceProperties device;
  device.set_name("a on cpu");
  device.set_uuid(std::string(16, 'u'));
  for (int i = 0; i < 3; ++i) {
    device.add_max_workgroup_size(1024);
    device.add_max_workgroup_count(65535);
  }
  return device;
}

TEST(RemoteProtocolFrame, EncodesALittleEndianLengthThenThePayload) {
  ClientMessage message = ValidKernelGet();
  const std::string payload = message.SerializeAsString();
  const std::string frame = EncodeFrame(message);
  ASSERT_EQ(frame.size(), kFrameHeaderBytes + payload.size());
  absl::StatusOr<uint32_t> length = ParseFrameLength(Bytes(frame).data());
  ASSERT_TRUE(length.ok()) << length.status();
  EXPECT_EQ(*length, payload.size());
  EXPECT_EQ(static_cast<uint8_t>(frame[0]), payload.size() & 0xff);
  EXPECT_EQ(frame.substr(kFrameHeaderBytes), payload);
  ClientMessage decoded;
  ASSERT_TRUE(DecodeClientMessage(Bytes(frame).subspan(kFrameHeaderBytes), &decoded).ok());
  EXPECT_EQ(decoded.kernel_get().name(), "saxpy");
  EXPECT_EQ(decoded.request_id(), 9u);
}

TEST(RemoteProtocolFrame, LengthMustBeBetweenOneAndTheLimit) {
  const auto header = [](uint32_t n) {
    return std::vector<uint8_t>{static_cast<uint8_t>(n), static_cast<uint8_t>(n >> 8),
                                static_cast<uint8_t>(n >> 16), static_cast<uint8_t>(n >> 24)};
  };
  EXPECT_EQ(*ParseFrameLength(header(1).data()), 1u);
  EXPECT_EQ(*ParseFrameLength(header(kMaxFrameBytes).data()), kMaxFrameBytes);
  ExpectRefused(ParseFrameLength(header(0).data()).status(), "length 0");
  ExpectRefused(ParseFrameLength(header(kMaxFrameBytes + 1).data()).status(), "exceeds");
  ExpectRefused(ParseFrameLength(header(0xffffffffu).data()).status(), "4294967295");
}

TEST(RemoteProtocolFrame, GarbageDoesNotDecode) {
  const std::string garbage = "\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff";
  ClientMessage client;
  ExpectRefused(DecodeClientMessage(Bytes(garbage), &client), "does not parse");
  DaemonMessage daemon;
  ExpectRefused(DecodeDaemonMessage(Bytes(garbage), &daemon), "does not parse");
}

TEST(RemoteProtocolFrame, PayloadsOverTheLimitAreRefusedBeforeParsing) {
  const std::string huge(kMaxFrameBytes + 1, '\0');
  ClientMessage client;
  ExpectRefused(DecodeClientMessage(Bytes(huge), &client), "exceeds the frame limit");
  DaemonMessage daemon;
  ExpectRefused(DecodeDaemonMessage(Bytes(huge), &daemon), "exceeds the frame limit");
}

TEST(RemoteProtocolFrame, ClientMessageNeedsACommandOrABatch) {
  ClientMessage message;
  message.set_request_id(3);
  ExpectRefused(DecodeClient(message), "neither a command nor a batch");
}

TEST(RemoteProtocolFrame, BatchEntriesAreOneWayFlatAndCarryACommand) {
  ClientMessage message;
  *message.add_batch() = ValidDispatch();
  *message.add_batch() = ValidDispatch();
  EXPECT_TRUE(DecodeClient(message).ok());

  ClientMessage with_id = message;
  with_id.mutable_batch(1)->set_request_id(7);
  ExpectRefused(DecodeClient(with_id), "batch[1].request_id");

  ClientMessage nested = message;
  *nested.mutable_batch(0)->add_batch() = ValidDispatch();
  ExpectRefused(DecodeClient(nested), "batch[0] holds a nested batch");

  ClientMessage empty_entry = message;
  empty_entry.add_batch();
  ExpectRefused(DecodeClient(empty_entry), "batch[2] carries no command");
}

TEST(RemoteProtocolFrame, BatchHoldsAtMostTheLimit) {
  ClientMessage message;
  v1::BufferFree free_command;
  free_command.set_buffer(1);
  for (int i = 0; i < kMaxBatchEntries; ++i)
    *message.add_batch()->mutable_buffer_free() = free_command;
  EXPECT_TRUE(DecodeClient(message).ok());
  *message.add_batch()->mutable_buffer_free() = free_command;
  ExpectRefused(DecodeClient(message), "4097 entries");
}

TEST(RemoteProtocolFrame, DispatchShapeIsChecked) {
  EXPECT_TRUE(DecodeClient(ValidDispatch()).ok());

  ClientMessage two_counts = ValidDispatch();
  two_counts.mutable_dispatch()->mutable_workgroup_count()->RemoveLast();
  ExpectRefused(DecodeClient(two_counts), "dispatch.workgroup_count has 2 values");

  ClientMessage bindings = ValidDispatch();
  while (bindings.dispatch().bindings_size() < HAL_MAX_BINDINGS) {
    bindings.mutable_dispatch()->add_bindings();
  }
  EXPECT_TRUE(DecodeClient(bindings).ok());
  bindings.mutable_dispatch()->add_bindings();
  ExpectRefused(DecodeClient(bindings), "dispatch.bindings is 17");

  ClientMessage push = ValidDispatch();
  push.mutable_dispatch()->set_push_constants(std::string(HAL_MAX_PUSH_CONSTANT_SIZE, 'p'));
  EXPECT_TRUE(DecodeClient(push).ok());
  push.mutable_dispatch()->set_push_constants(std::string(HAL_MAX_PUSH_CONSTANT_SIZE + 1, 'p'));
  ExpectRefused(DecodeClient(push), "dispatch.push_constants is 129");
}

// Protocol 1.4's scalars and 1.3's repeated field carry the same grid; a
// dispatch with both is refused rather than one of them silently winning.
TEST(RemoteProtocolFrame, ADispatchGridComesInEitherFormButNotBoth) {
  ClientMessage repeated = ValidDispatch();
  repeated.mutable_dispatch()->mutable_workgroup_count()->Set(1, 5);
  ASSERT_TRUE(DecodeClient(repeated).ok());
  EXPECT_EQ(WorkgroupCountOf(repeated.dispatch()), (std::array<uint32_t, 3>{4, 5, 4}));

  ClientMessage scalars = ValidDispatch();
  v1::Dispatch& grid = *scalars.mutable_dispatch();
  grid.clear_workgroup_count();
  grid.set_workgroup_count_x(7);
  grid.set_workgroup_count_y(8);
  grid.set_workgroup_count_z(9);
  ClientMessage decoded;
  ASSERT_TRUE(DecodeClientMessage(Bytes(scalars.SerializeAsString()), &decoded).ok());
  EXPECT_EQ(WorkgroupCountOf(decoded.dispatch()), (std::array<uint32_t, 3>{7, 8, 9}));

  ClientMessage both = scalars;
  for (int i = 0; i < 3; ++i) both.mutable_dispatch()->add_workgroup_count(7 + i);
  ExpectRefused(DecodeClient(both), "both workgroup_count and workgroup_count_x/y/z");
}

TEST(RemoteProtocolFrame, DispatchShapeIsCheckedInsideABatch) {
  ClientMessage message;
  *message.add_batch() = ValidDispatch();
  message.mutable_batch(0)->mutable_dispatch()->add_workgroup_count(1);
  ExpectRefused(DecodeClient(message), "batch[0]: dispatch.workgroup_count has 4 values");
}

TEST(RemoteProtocolFrame, KernelSignatureShapeIsChecked) {
  EXPECT_TRUE(DecodeClient(ValidKernelGet()).ok());

  ClientMessage no_signature = ValidKernelGet();
  no_signature.mutable_kernel_get()->clear_signature();
  ExpectRefused(DecodeClient(no_signature), "signature.workgroup_size has 0 values");

  ClientMessage bindings = ValidKernelGet();
  bindings.mutable_kernel_get()->mutable_signature()->set_binding_count(HAL_MAX_BINDINGS + 1);
  ExpectRefused(DecodeClient(bindings), "signature.binding_count is 17");

  ClientMessage push = ValidKernelGet();
  push.mutable_kernel_get()->mutable_signature()->set_push_constant_size(
      HAL_MAX_PUSH_CONSTANT_SIZE + 4);
  ExpectRefused(DecodeClient(push), "signature.push_constant_size is 132");
}

TEST(RemoteProtocolFrame, DeviceListShapeIsChecked) {
  DaemonMessage message;
  message.set_request_id(2);
  *message.mutable_device_list()->add_devices() = ValidDevice();
  *message.mutable_device_list()->add_devices() = ValidDevice();
  EXPECT_TRUE(DecodeDaemon(message).ok());

  DaemonMessage uuid = message;
  uuid.mutable_device_list()->mutable_devices(1)->set_uuid(std::string(15, 'u'));
  ExpectRefused(DecodeDaemon(uuid), "devices[1].uuid is 15 bytes");

  DaemonMessage size = message;
  size.mutable_device_list()->mutable_devices(0)->mutable_max_workgroup_size()->RemoveLast();
  ExpectRefused(DecodeDaemon(size), "devices[0].max_workgroup_size has 2 values");

  DaemonMessage count = message;
  count.mutable_device_list()->mutable_devices(0)->add_max_workgroup_count(1);
  ExpectRefused(DecodeDaemon(count), "devices[0].max_workgroup_count has 4 values");
}

using testing::ValidVirtualDeviceCreate;

TEST(RemoteProtocolFrame, AdminRequestsHaveBoundedStringsAndUids) {
  EXPECT_TRUE(DecodeClient(ValidVirtualDeviceCreate()).ok());
  const std::string longest(kMaxAdminStringBytes, 'n');
  const std::string too_long(kMaxAdminStringBytes + 1, 'n');
  using Setter = void (v1::VirtualDeviceCreate::*)(const std::string&);
  const std::pair<Setter, std::string> fields[] = {
      {&v1::VirtualDeviceCreate::set_name, "virtual_device_create.name"},
      {&v1::VirtualDeviceCreate::set_require_vendor, "virtual_device_create.require_vendor"},
      {&v1::VirtualDeviceCreate::set_require_format, "virtual_device_create.require_format"},
      {&v1::VirtualDeviceCreate::set_prefer_vendor, "virtual_device_create.prefer_vendor"},
      {&v1::VirtualDeviceCreate::set_require_device, "virtual_device_create.require_device"},
      {&v1::VirtualDeviceCreate::set_owner, "virtual_device_create.owner"}};
  for (const auto& [set, field] : fields) {
    ClientMessage message = ValidVirtualDeviceCreate();
    (message.mutable_virtual_device_create()->*set)(longest);
    EXPECT_TRUE(DecodeClient(message).ok()) << field;
    (message.mutable_virtual_device_create()->*set)(too_long);
    ExpectRefused(DecodeClient(message), field + " is 257");
  }

  ClientMessage uids = ValidVirtualDeviceCreate();
  while (uids.virtual_device_create().attach_uids_size() < kMaxAttachUids) {
    uids.mutable_virtual_device_create()->add_attach_uids(1);
  }
  EXPECT_TRUE(DecodeClient(uids).ok());
  uids.mutable_virtual_device_create()->add_attach_uids(1);
  ExpectRefused(DecodeClient(uids), "virtual_device_create.attach_uids is 1025");

  ClientMessage destroy;
  destroy.set_request_id(5);
  destroy.mutable_virtual_device_destroy()->set_name(longest);
  EXPECT_TRUE(DecodeClient(destroy).ok());
  destroy.mutable_virtual_device_destroy()->set_name(too_long);
  ExpectRefused(DecodeClient(destroy), "virtual_device_destroy.name is 257");
}

TEST(RemoteProtocolFrame, AdminRequestsAreNeverBatched) {
  ClientMessage create;
  *create.add_batch() = ValidVirtualDeviceCreate();
  create.mutable_batch(0)->set_request_id(0);
  ExpectRefused(DecodeClient(create), "batch[0] holds an admin request");
  ClientMessage destroy;
  destroy.add_batch()->mutable_virtual_device_destroy()->set_name("job");
  ExpectRefused(DecodeClient(destroy), "batch[0] holds an admin request");
}

TEST(RemoteProtocolFrame, ACrossMemoryAttachHasABoundedCanaryAndIsNeverBatched) {
  ClientMessage attach;
  attach.set_request_id(3);
  attach.mutable_cross_memory_attach()->set_canary(std::string(kMaxCrossMemoryCanaryBytes, 'c'));
  EXPECT_TRUE(DecodeClient(attach).ok());
  attach.mutable_cross_memory_attach()->set_canary(
      std::string(kMaxCrossMemoryCanaryBytes + 1, 'c'));
  ExpectRefused(DecodeClient(attach), "cross_memory_attach.canary is 65");
  attach.mutable_cross_memory_attach()->clear_canary();
  ExpectRefused(DecodeClient(attach), "cross_memory_attach.canary is empty");
  ClientMessage batched;
  batched.add_batch()->mutable_cross_memory_attach()->set_canary("c");
  ExpectRefused(DecodeClient(batched), "batch[0] holds an admin request or a CrossMemoryAttach");
}

TEST(RemoteProtocolFrame, SharedHostMemoryIsOnlyForDeviceAndHostStagingBuffers) {
  ClientMessage allocate;
  allocate.set_request_id(5);
  v1::BufferAllocate& body = *allocate.mutable_buffer_allocate();
  body.set_buffer(1);
  body.set_size(4096);
  body.set_kind(HAL_BUFFER_HOST_STAGING);
  body.set_shared_host_memory(true);
  EXPECT_TRUE(DecodeClient(allocate).ok());
  body.set_kind(HAL_BUFFER_DEVICE);
  EXPECT_TRUE(DecodeClient(allocate).ok());
  body.set_kind(7);
  ExpectRefused(DecodeClient(allocate),
                "buffer_allocate.shared_host_memory is for DEVICE and HOST_STAGING buffers, not "
                "kind 7");
  body.set_shared_host_memory(false);
  EXPECT_TRUE(DecodeClient(allocate).ok());
}

TEST(RemoteProtocolFrame, VirtualDeviceCreatedHasBoundedStrings) {
  DaemonMessage message;
  message.set_request_id(4);
  v1::VirtualDeviceCreated* created = message.mutable_virtual_device_created();
  created->set_name("job-42");
  created->set_physical_device("cpu:0");
  created->set_token(std::string(64, 'f'));
  EXPECT_TRUE(DecodeDaemon(message).ok());
  for (auto* field : {created->mutable_name(), created->mutable_physical_device(),
                      created->mutable_token()}) {
    const std::string kept = *field;
    *field = std::string(kMaxAdminStringBytes + 1, 'x');
    ExpectRefused(DecodeDaemon(message), "virtual_device_created.");
    *field = kept;
  }
}

TEST(RemoteProtocolFrame, DaemonAnswersMayBeEmpty) {
  // A success with nothing to say (StreamCreate's answer) is only an id.
  DaemonMessage message;
  message.set_request_id(5);
  EXPECT_TRUE(DecodeDaemon(message).ok());
}

}  // namespace
}  // namespace hal::remote
