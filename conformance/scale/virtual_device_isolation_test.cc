// Isolation between virtual devices, one way in per case: a buffer, kernel
// or event of tenant A used through tenant B's queue (or a buffer of A
// through a plain context's queue) is PermissionDenied, A's data and event
// are untouched, and B's queue keeps working.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "conformance/buffer_io.h"
#include "conformance/coverage/coverage.h"
#include "conformance/numerics/device_case_test.h"
#include "conformance/scale/tenants.h"
#include "conformance/standard_kernels.h"
#include "conformance/status_matchers.h"

namespace hal::cts {
namespace {

enum class Crossing {
  kCopyToHostFromForeign,
  kCopyFromHostIntoForeign,
  kCopyFromForeignBuffer,
  kCopyIntoForeignBuffer,
  kFillForeignBuffer,
  kDispatchBindingForeignBuffer,
  kDispatchForeignKernel,
  kSignalForeignEvent,
  kWaitForeignEvent,
  kPlainQueueReadsTenantBuffer,
};

struct CrossingCase {
  Crossing crossing;
  const char* name;
  std::string Name() const { return name; }
};
const CrossingCase kCrossings[] = {
    {Crossing::kCopyToHostFromForeign, "copy_to_host_from_foreign"},
    {Crossing::kCopyFromHostIntoForeign, "copy_from_host_into_foreign"},
    {Crossing::kCopyFromForeignBuffer, "copy_from_foreign_buffer"},
    {Crossing::kCopyIntoForeignBuffer, "copy_into_foreign_buffer"},
    {Crossing::kFillForeignBuffer, "fill_foreign_buffer"},
    {Crossing::kDispatchBindingForeignBuffer, "dispatch_binding_foreign_buffer"},
    {Crossing::kDispatchForeignKernel, "dispatch_foreign_kernel"},
    {Crossing::kSignalForeignEvent, "signal_foreign_event"},
    {Crossing::kWaitForeignEvent, "wait_foreign_event"},
    {Crossing::kPlainQueueReadsTenantBuffer, "plain_queue_reads_tenant_buffer"},
};

constexpr uint32_t kN = 1024;
constexpr uint64_t kBytes = kN * sizeof(int32_t);
constexpr uint32_t kSecret = 0x5EC12E7;
constexpr uint64_t kIsolationQuota = 1 << 20;

class VirtualDeviceIsolation : public DeviceCaseTest<CrossingCase> {
 protected:
  void SetUp() override {
    DeviceCaseTest::SetUp();
    if (IsSkipped()) return;
    auto pool = PoolOf(physical_device(), {.capacity_bytes = 2 * kIsolationQuota});
    ASSERT_TRUE(pool.ok()) << pool.status();
    pool_ = *std::move(pool);
    for (auto [tenant, name] : {std::pair{&owner_, "owner"}, std::pair{&intruder_, "intruder"}}) {
      auto created = CreateTenant(*pool_, name, kIsolationQuota, 0.5);
      ASSERT_TRUE(created.ok()) << created.status();
      *tenant = *std::move(created);
    }
    HAL_CTS_ASSERT_OK_AND_ASSIGN(secret_, owner_.device().Allocate(kBytes));
    HAL_CTS_ASSERT_OK(owner_.queue->Fill(*secret_, 0, kBytes, kSecret));
    HAL_CTS_ASSERT_OK_AND_ASSIGN(owner_kernel_,
                                 owner_.device().LoadKernel(kernels(), "vector_add_i32"));
    HAL_CTS_ASSERT_OK_AND_ASSIGN(owner_event_, owner_.device().CreateEvent());
    HAL_CTS_ASSERT_OK(owner_.queue->Signal(*owner_event_));
    HAL_CTS_ASSERT_OK(owner_.queue->Synchronize());
    HAL_CTS_ASSERT_OK_AND_ASSIGN(owner_event_ns_, owner_event_->TimestampNs());
    HAL_CTS_ASSERT_OK_AND_ASSIGN(
        own_, Upload<int32_t>(intruder_.device(), *intruder_.queue, std::vector<int32_t>(kN, 7)));
    HAL_CTS_ASSERT_OK_AND_ASSIGN(own_sum_, intruder_.device().Allocate(kBytes));
    HAL_CTS_ASSERT_OK_AND_ASSIGN(own_kernel_,
                                 intruder_.device().LoadKernel(kernels(), "vector_add_i32"));
  }

  // The crossing of this case, through the intruder's queue (or the
  // plain context's).
  absl::Status Cross() {
    Queue& intruder = *intruder_.queue;
    std::vector<uint8_t> host(kBytes, 0xEE);
    const GridSize grid = {WorkgroupsFor(kN, kElementwiseWorkgroupSize), 1, 1};
    switch (test_case().crossing) {
      case Crossing::kCopyToHostFromForeign:
        return intruder.CopyDeviceToHost(*secret_, 0, host.data(), kBytes);
      case Crossing::kCopyFromHostIntoForeign:
        return intruder.CopyHostToDevice(host.data(), *secret_, 0, kBytes);
      case Crossing::kCopyFromForeignBuffer:
        return intruder.CopyBuffer(*secret_, 0, *own_, 0, kBytes);
      case Crossing::kCopyIntoForeignBuffer:
        return intruder.CopyBuffer(*own_, 0, *secret_, 0, kBytes);
      case Crossing::kFillForeignBuffer:
        return intruder.Fill(*secret_, 0, kBytes, 0);
      case Crossing::kDispatchBindingForeignBuffer: {
        const BufferBinding bindings[] = {{own_.get(), 0}, {own_.get(), 0}, {secret_.get(), 0}};
        return intruder.Dispatch(*own_kernel_, grid, bindings, VectorAddI32Constants{kN});
      }
      case Crossing::kDispatchForeignKernel: {
        const BufferBinding bindings[] = {{own_.get(), 0}, {own_.get(), 0}, {own_sum_.get(), 0}};
        return intruder.Dispatch(*owner_kernel_, grid, bindings, VectorAddI32Constants{kN});
      }
      case Crossing::kSignalForeignEvent:
        return intruder.Signal(*owner_event_);
      case Crossing::kWaitForeignEvent:
        return intruder.Wait(*owner_event_);
      case Crossing::kPlainQueueReadsTenantBuffer:
        return queue().CopyDeviceToHost(*secret_, 0, host.data(), kBytes);
    }
    return absl::InternalError("unknown crossing");
  }

  std::unique_ptr<Pool> pool_;
  Tenant owner_, intruder_;
  std::shared_ptr<Buffer> secret_, own_, own_sum_;
  std::shared_ptr<Kernel> owner_kernel_, own_kernel_;
  std::shared_ptr<Event> owner_event_;
  uint64_t owner_event_ns_ = 0;
};

HAL_CTS_COVERS("VirtualDeviceIsolation.CrossingIsPermissionDenied", {"stream_fill", "success"},
               {"stream_signal_event", "success"}, {"event_timestamp_ns", "success"},
               {"module_load", "success"}, {"kernel_get", "success"});
TEST_P(VirtualDeviceIsolation, CrossingIsPermissionDenied) {
  EXPECT_THAT(Cross(), StatusIs(absl::StatusCode::kPermissionDenied));
  // The owner's data and event are as they were.
  HAL_CTS_ASSERT_OK_AND_ASSIGN(auto secret, Download<uint32_t>(*owner_.queue, *secret_, kN));
  for (uint32_t i = 0; i < kN; ++i) {
    ASSERT_EQ(secret[i], kSecret) << "word " << i << " of the owner's buffer changed";
  }
  HAL_CTS_ASSERT_OK_AND_ASSIGN(const bool complete, owner_event_->IsComplete());
  EXPECT_TRUE(complete);
  HAL_CTS_ASSERT_OK_AND_ASSIGN(const uint64_t ns, owner_event_->TimestampNs());
  EXPECT_EQ(ns, owner_event_ns_) << "the owner's event was signalled again";
  // Nothing was enqueued: the intruder's own work runs and its data is its own.
  const BufferBinding bindings[] = {{own_.get(), 0}, {own_.get(), 0}, {own_sum_.get(), 0}};
  HAL_CTS_ASSERT_OK(intruder_.queue->Dispatch(*own_kernel_,
                                              {WorkgroupsFor(kN, kElementwiseWorkgroupSize), 1, 1},
                                              bindings, VectorAddI32Constants{kN}));
  HAL_CTS_ASSERT_OK_AND_ASSIGN(auto own, Download<int32_t>(*intruder_.queue, *own_sum_, kN));
  for (uint32_t i = 0; i < kN; ++i) ASSERT_EQ(own[i], 14) << "word " << i;
}

HAL_CTS_INSTANTIATE_DEVICE_CASE_TESTS(VirtualDeviceIsolation, kCrossings);

}  // namespace
}  // namespace hal::cts
