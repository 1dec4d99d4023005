// The Vulkan driver through its C ABI: modules, dispatches, events and
// timestamps, cross-stream waits, validation errors.
#include "backends/vulkan/vulkan_driver_abi_fixture.h"

namespace hal::vulkan_abi_test {
namespace {

TEST_F(VulkanDriverAbiTest, RejectsImagesThatAreNotSpirv) {
  hal_drv_module* module = nullptr;
  const char garbage[] = "certainly not SPIR-V at all!";
  EXPECT_EQ(CallModuleLoad(garbage, sizeof(garbage), &module), HAL_ERROR_INVALID_ARGUMENT);
  const uint32_t header_only[] = {0x07230203, 0x00010500, 0, 1, 0};
  EXPECT_EQ(CallModuleLoad(header_only, sizeof(header_only), &module), HAL_ERROR_INVALID_ARGUMENT);
  EXPECT_THAT(table_->last_error_message(), HasSubstr("no GLCompute entry point"));
}

TEST_F(VulkanDriverAbiTest, DispatchesSaxpy) {
  hal_drv_module* module = LoadSaxpyModule();
  ASSERT_NE(module, nullptr);
  hal_drv_kernel* kernel = SaxpyKernel(module);
  ASSERT_NE(kernel, nullptr);
  EXPECT_EQ(SaxpyKernel(module), kernel) << "pipelines are cached per kernel";

  const uint32_t n = 1000;
  std::vector<float> x(n), y(n);
  std::iota(x.begin(), x.end(), 0.0f);
  std::fill(y.begin(), y.end(), 1.0f);
  hal_drv_buffer* x_buffer = Allocate(n * sizeof(float));
  hal_drv_buffer* y_buffer = Allocate(n * sizeof(float));
  ASSERT_EQ(table_->stream_copy_host_to_device(stream_, x.data(), x_buffer, 0, n * 4), HAL_SUCCESS);
  ASSERT_EQ(table_->stream_copy_host_to_device(stream_, y.data(), y_buffer, 0, n * 4), HAL_SUCCESS);
  const hal_binding bindings[] = {{x_buffer, 0}, {y_buffer, 0}};
  const SaxpyConstants constants{2.0f, n};
  ASSERT_EQ(CallDispatch(stream_, kernel, {(n + 255) / 256, 1, 1}, bindings, constants),
            HAL_SUCCESS);
  ASSERT_EQ(table_->stream_copy_device_to_host(stream_, y_buffer, 0, y.data(), n * 4), HAL_SUCCESS);
  ASSERT_EQ(table_->stream_synchronize(stream_), HAL_SUCCESS) << table_->last_error_message();
  for (uint32_t i = 0; i < n; ++i) ASSERT_EQ(y[i], 2.0f * i + 1.0f) << "element " << i;
}

// A device-to-host copy behind long kernels returns at once: an event
// signalled after the kernels is still pending when the call returns, and the
// bytes arrive by the stream's synchronize. It used to wait for the kernels.
TEST_F(VulkanDriverAbiTest, DeviceToHostCopyDoesNotWaitForEarlierWork) {
  LongSaxpy saxpy;
  SetUpLongSaxpy(saxpy);
  ASSERT_NE(saxpy.kernel, nullptr);
  // Twenty take far longer than a call that only records a copy.
  constexpr int kDispatches = 20;
  for (int i = 0; i < kDispatches; ++i) {
    ASSERT_EQ(table_->stream_dispatch(stream_, saxpy.kernel, &saxpy.desc), HAL_SUCCESS);
  }
  hal_drv_event* kernels_done = nullptr;
  ASSERT_EQ(table_->event_create(context_, &kEventDesc, &kernels_done), HAL_SUCCESS);
  ASSERT_EQ(table_->stream_signal_event(stream_, kernels_done), HAL_SUCCESS);
  std::vector<float> out(16, -1.0f);
  ASSERT_EQ(table_->stream_copy_device_to_host(stream_, saxpy.y, 0, out.data(), 64), HAL_SUCCESS);
  EXPECT_EQ(table_->event_query(kernels_done), HAL_NOT_READY)
      << "the copy waited for the kernels before it";
  ASSERT_EQ(table_->stream_synchronize(stream_), HAL_SUCCESS) << table_->last_error_message();
  EXPECT_EQ(out, std::vector<float>(16, static_cast<float>(kDispatches)));
  table_->event_destroy(kernels_done);
}

// Events bracket the work between them even without a barrier: the time
// slicer charges a tenant end - start, so a timestamp taken before the kernels
// finished would let the tenant run far past its share.
TEST_F(VulkanDriverAbiTest, EventsBracketTheKernelsBetweenThem) {
  LongSaxpy saxpy;
  SetUpLongSaxpy(saxpy);
  ASSERT_NE(saxpy.kernel, nullptr);
  ASSERT_EQ(table_->stream_dispatch(stream_, saxpy.kernel, &saxpy.desc), HAL_SUCCESS);  // warm-up
  ASSERT_EQ(table_->stream_synchronize(stream_), HAL_SUCCESS);
  hal_drv_event* start = nullptr;
  hal_drv_event* end = nullptr;
  ASSERT_EQ(table_->event_create(context_, &kEventDesc, &start), HAL_SUCCESS);
  ASSERT_EQ(table_->event_create(context_, &kEventDesc, &end), HAL_SUCCESS);
  const auto host_start = std::chrono::steady_clock::now();
  ASSERT_EQ(table_->stream_signal_event(stream_, start), HAL_SUCCESS);
  for (int i = 0; i < 3; ++i) {
    ASSERT_EQ(table_->stream_dispatch(stream_, saxpy.kernel, &saxpy.desc), HAL_SUCCESS);
  }
  ASSERT_EQ(table_->stream_signal_event(stream_, end), HAL_SUCCESS);
  ASSERT_EQ(table_->stream_synchronize(stream_), HAL_SUCCESS);
  const double host_ns =
      std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - host_start)
          .count();
  uint64_t start_ns = 0, end_ns = 0;
  ASSERT_EQ(table_->event_timestamp_ns(start, &start_ns), HAL_SUCCESS);
  ASSERT_EQ(table_->event_timestamp_ns(end, &end_ns), HAL_SUCCESS);
  std::cout << "events: " << (end_ns - start_ns) / 1e6 << " ms, host: " << host_ns / 1e6 << " ms\n";
  // The device span cannot exceed the host's; most of the host's is kernels.
  EXPECT_GT(static_cast<double>(end_ns - start_ns), 0.5 * host_ns);
  table_->event_destroy(start);
  table_->event_destroy(end);
}

// Waiting for an event signalled after a device-to-host copy delivers its
// bytes, without the stream being synchronized.
TEST_F(VulkanDriverAbiTest, EventAfterDeviceToHostCopyDeliversTheBytes) {
  hal_drv_buffer* buffer = Allocate(64);
  ASSERT_EQ(table_->stream_fill(stream_, buffer, 0, 64, 0x01020304u), HAL_SUCCESS);
  std::vector<uint32_t> out(16, 0);
  ASSERT_EQ(table_->stream_copy_device_to_host(stream_, buffer, 0, out.data(), 64), HAL_SUCCESS);
  hal_drv_event* copied = nullptr;
  ASSERT_EQ(table_->event_create(context_, &kEventDesc, &copied), HAL_SUCCESS);
  ASSERT_EQ(table_->stream_signal_event(stream_, copied), HAL_SUCCESS);
  ASSERT_EQ(table_->event_synchronize(copied), HAL_SUCCESS) << table_->last_error_message();
  EXPECT_EQ(out, std::vector<uint32_t>(16, 0x01020304u));
  table_->event_destroy(copied);
  ASSERT_EQ(table_->stream_synchronize(stream_), HAL_SUCCESS) << table_->last_error_message();
}

// Dependent commands in one batch, each reading what the one before wrote
// (fill -> kernel -> copy -> kernel -> copy to host) and one writing what an
// earlier one read (a fill after a kernel read): the barriers between them are
// what keeps the data right, and the synchronization validation of ctest's
// run (VK_LAYER_ENABLES) reports any that is missing.
TEST_F(VulkanDriverAbiTest, DependentCommandsSeeEachOthersResults) {
  hal_drv_module* module = LoadSaxpyModule();
  ASSERT_NE(module, nullptr);
  hal_drv_kernel* kernel = SaxpyKernel(module);
  ASSERT_NE(kernel, nullptr);
  constexpr uint32_t kN = 1 << 16;
  constexpr uint64_t kBytes = uint64_t{kN} * sizeof(float);
  hal_drv_buffer* x = Allocate(kBytes);
  hal_drv_buffer* y = Allocate(kBytes);
  hal_drv_buffer* z = Allocate(kBytes);
  const SaxpyConstants constants{2.0f, kN};
  auto saxpy = [&](hal_drv_buffer* in, hal_drv_buffer* inout) {
    const hal_binding bindings[] = {{in, 0}, {inout, 0}};
    return CallDispatch(stream_, kernel, {kN / 256, 1, 1}, bindings, constants);
  };
  std::vector<float> out(kN, -1.0f);
  ASSERT_EQ(table_->stream_fill(stream_, x, 0, kBytes, 0x3f800000u), HAL_SUCCESS);  // x = 1
  ASSERT_EQ(table_->stream_fill(stream_, y, 0, kBytes, 0x3f800000u), HAL_SUCCESS);  // y = 1
  ASSERT_EQ(saxpy(x, y), HAL_SUCCESS);                                              // y = 3
  ASSERT_EQ(table_->stream_copy_buffer(stream_, y, 0, z, 0, kBytes), HAL_SUCCESS);  // z = 3
  ASSERT_EQ(table_->stream_fill(stream_, x, 0, kBytes, 0x40000000u), HAL_SUCCESS);  // x = 2
  ASSERT_EQ(saxpy(x, z), HAL_SUCCESS);                                              // z = 7
  ASSERT_EQ(table_->stream_copy_device_to_host(stream_, z, 0, out.data(), kBytes), HAL_SUCCESS);
  ASSERT_EQ(table_->stream_synchronize(stream_), HAL_SUCCESS) << table_->last_error_message();
  EXPECT_EQ(std::count(out.begin(), out.end(), 7.0f), static_cast<long>(kN));
}

// A signature that disagrees with the image is refused before any pipeline
// exists: the wrong workgroup size, too few bindings, too small a
// push-constant block; so is one over the ABI's binding limit. The right one
// still works afterwards.
TEST_F(VulkanDriverAbiTest, SignatureThatDisagreesWithTheSpirvIsInvalid) {
  hal_drv_module* module = LoadSaxpyModule();
  ASSERT_NE(module, nullptr);
  struct Case {
    hal_kernel_signature signature;
    const char* message;
  };
  const Case cases[] = {
      {{2, sizeof(SaxpyConstants), {128, 1, 1}},
       "workgroup size 256x1x1, but the kernel declares 128x1x1"},
      {{1, sizeof(SaxpyConstants), {256, 1, 1}}, "binding 1, but the kernel declares 1 binding(s)"},
      {{2, 4, {256, 1, 1}}, "push-constant block of 8 bytes, but the kernel declares 4"},
      {{HAL_MAX_BINDINGS + 1, sizeof(SaxpyConstants), {256, 1, 1}},
       "at most 16 bindings; got 17"},
  };
  for (const Case& c : cases) {
    hal_drv_kernel* kernel = nullptr;
    EXPECT_EQ(CallKernelGet(module, "saxpy_f32", c.signature, &kernel), HAL_ERROR_INVALID_ARGUMENT);
    EXPECT_THAT(table_->last_error_message(), HasSubstr(c.message));
  }
  EXPECT_NE(SaxpyKernel(module), nullptr);
}

// More dispatches between two waits than one descriptor pool holds sets, and
// then as many again: bindings stay right whether pushed or bound through
// sets that are recycled once their batch completed.
TEST_F(VulkanDriverAbiTest, ManyDispatchesBindTheirOwnBuffers) {
  hal_drv_module* module = LoadSaxpyModule();
  ASSERT_NE(module, nullptr);
  hal_drv_kernel* kernel = SaxpyKernel(module);
  ASSERT_NE(kernel, nullptr);
  constexpr uint32_t kN = 256;
  constexpr int kDispatches = 600;
  const std::vector<float> ones(kN, 1.0f), zeros(kN, 0.0f);
  hal_drv_buffer* x = Allocate(kN * sizeof(float));
  // Two accumulators, alternated, so consecutive dispatches bind different
  // buffers through different sets.
  hal_drv_buffer* y[2] = {Allocate(kN * sizeof(float)), Allocate(kN * sizeof(float))};
  ASSERT_EQ(table_->stream_copy_host_to_device(stream_, ones.data(), x, 0, kN * 4), HAL_SUCCESS);
  for (hal_drv_buffer* accumulator : y) {
    ASSERT_EQ(table_->stream_copy_host_to_device(stream_, zeros.data(), accumulator, 0, kN * 4),
              HAL_SUCCESS);
  }
  const SaxpyConstants constants{1.0f, kN};
  for (int round = 1; round <= 2; ++round) {
    for (int i = 0; i < kDispatches; ++i) {
      const hal_binding bindings[] = {{x, 0}, {y[i % 2], 0}};
      ASSERT_EQ(CallDispatch(stream_, kernel, {1, 1, 1}, bindings, constants), HAL_SUCCESS)
          << table_->last_error_message();
    }
    ASSERT_EQ(table_->stream_synchronize(stream_), HAL_SUCCESS) << table_->last_error_message();
    for (hal_drv_buffer* accumulator : y) {
      std::vector<float> out(kN);
      ASSERT_EQ(table_->stream_copy_device_to_host(stream_, accumulator, 0, out.data(), kN * 4),
                HAL_SUCCESS);
      ASSERT_EQ(table_->stream_synchronize(stream_), HAL_SUCCESS);
      EXPECT_EQ(out, std::vector<float>(kN, round * kDispatches / 2.0f)) << "round " << round;
    }
  }
}

// The toggle that forces descriptor sets on devices with push descriptors
// (so CI tests that path on lavapipe) says so, and is off by default.
TEST_F(VulkanDriverAbiTest, PushDescriptorToggleIsAnnounced) {
  const char* toggle = std::getenv("HAL_VULKAN_DISABLE_PUSH_DESCRIPTOR");
  const bool on = toggle != nullptr && std::string(toggle) == "1";
  EXPECT_EQ(
      initialize_stderr_.find("binding through recycled descriptor sets") != std::string::npos, on)
      << initialize_stderr_;
}

TEST_F(VulkanDriverAbiTest, EventsCarryOrderedDeviceTimestamps) {
  hal_drv_event* first = nullptr;
  hal_drv_event* second = nullptr;
  ASSERT_EQ(table_->event_create(context_, &kEventDesc, &first), HAL_SUCCESS);
  ASSERT_EQ(table_->event_create(context_, &kEventDesc, &second), HAL_SUCCESS);
  uint64_t ns = 0;
  EXPECT_EQ(table_->event_query(first), HAL_NOT_READY);
  EXPECT_EQ(table_->event_synchronize(first), HAL_ERROR_FAILED_PRECONDITION);
  EXPECT_EQ(table_->event_timestamp_ns(first, &ns), HAL_ERROR_FAILED_PRECONDITION);
  EXPECT_EQ(table_->stream_wait_event(stream_, first), HAL_ERROR_FAILED_PRECONDITION);

  hal_drv_buffer* buffer = Allocate(1 << 20);
  ASSERT_EQ(table_->stream_signal_event(stream_, first), HAL_SUCCESS);
  ASSERT_EQ(table_->stream_fill(stream_, buffer, 0, 1 << 20, 5), HAL_SUCCESS);
  ASSERT_EQ(table_->stream_signal_event(stream_, second), HAL_SUCCESS);
  ASSERT_EQ(table_->event_synchronize(second), HAL_SUCCESS);
  EXPECT_EQ(table_->event_query(first), HAL_SUCCESS);
  uint64_t first_ns = 0;
  uint64_t second_ns = 0;
  ASSERT_EQ(table_->event_timestamp_ns(first, &first_ns), HAL_SUCCESS);
  ASSERT_EQ(table_->event_timestamp_ns(second, &second_ns), HAL_SUCCESS);
  EXPECT_LE(first_ns, second_ns);
  table_->event_destroy(first);
  table_->event_destroy(second);
}

// A signal is recorded into the stream's open batch; whoever waits for the
// event, from any thread, has the stream submit it, so neither a poll nor a
// wait needs the stream to be synchronized first.
TEST_F(VulkanDriverAbiTest, ASignalIsSubmittedWhenItsEventIsWaitedFor) {
  hal_drv_buffer* buffer = Allocate(1 << 20);
  for (bool poll : {true, false}) {
    hal_drv_event* event = nullptr;
    ASSERT_EQ(table_->event_create(context_, &kEventDesc, &event), HAL_SUCCESS);
    ASSERT_EQ(table_->stream_fill(stream_, buffer, 0, 1 << 20, 7), HAL_SUCCESS);
    ASSERT_EQ(table_->stream_signal_event(stream_, event), HAL_SUCCESS);
    hal_result result = HAL_NOT_READY;
    std::thread waiter([&] {
      if (!poll) {
        result = table_->event_synchronize(event);
        return;
      }
      const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
      while ((result = table_->event_query(event)) == HAL_NOT_READY &&
             std::chrono::steady_clock::now() < deadline) {
        std::this_thread::yield();
      }
    });
    waiter.join();
    EXPECT_EQ(result, HAL_SUCCESS) << (poll ? "event_query" : "event_synchronize");
    uint64_t ns = 0;
    EXPECT_EQ(table_->event_timestamp_ns(event, &ns), HAL_SUCCESS);
    table_->event_destroy(event);
  }
}

TEST_F(VulkanDriverAbiTest, StreamWaitsForAnotherStreamsEvent) {
  hal_drv_stream* producer = nullptr;
  ASSERT_EQ(table_->stream_create(context_, &kStreamDesc, &producer), HAL_SUCCESS);
  hal_drv_event* ready = nullptr;
  ASSERT_EQ(table_->event_create(context_, &kEventDesc, &ready), HAL_SUCCESS);
  hal_drv_buffer* buffer = Allocate(4 << 20);
  ASSERT_EQ(table_->stream_fill(producer, buffer, 0, 4 << 20, 0x01020304), HAL_SUCCESS);
  ASSERT_EQ(table_->stream_signal_event(producer, ready), HAL_SUCCESS);
  ASSERT_EQ(table_->stream_wait_event(stream_, ready), HAL_SUCCESS);
  std::vector<uint32_t> out((4 << 20) / 4);
  ASSERT_EQ(table_->stream_copy_device_to_host(stream_, buffer, 0, out.data(), 4 << 20),
            HAL_SUCCESS);
  ASSERT_EQ(table_->stream_synchronize(stream_), HAL_SUCCESS);
  EXPECT_EQ(std::count(out.begin(), out.end(), 0x01020304u), static_cast<long>(out.size()));
  table_->event_destroy(ready);
  table_->stream_destroy(producer);
}

// With HAL_VULKAN_VALIDATION=1 a validation error fails the stream's next
// synchronize. A binding offset below minStorageBufferOffsetAlignment (the
// runtime would refuse it) is one.
TEST_F(VulkanDriverAbiTest, ValidationErrorsFailSynchronize) {
  const char* validation = std::getenv("HAL_VULKAN_VALIDATION");
  if (validation == nullptr || std::string(validation) != "1") {
    GTEST_SKIP() << "HAL_VULKAN_VALIDATION=1 is not set";
  }
  if (Properties().binding_offset_alignment < 2) {
    GTEST_SKIP() << "every binding offset is aligned on this device";
  }
  hal_drv_module* module = LoadSaxpyModule();
  ASSERT_NE(module, nullptr);
  hal_drv_kernel* kernel = SaxpyKernel(module);
  ASSERT_NE(kernel, nullptr);
  hal_drv_buffer* buffer = Allocate(4096);
  const hal_binding bindings[] = {{buffer, 4}, {buffer, 1024}};
  const SaxpyConstants constants{1.0f, 0};
  ASSERT_EQ(CallDispatch(stream_, kernel, {1, 1, 1}, bindings, constants), HAL_SUCCESS);
  EXPECT_EQ(table_->stream_synchronize(stream_), HAL_ERROR_INTERNAL);
  EXPECT_THAT(table_->last_error_message(), HasSubstr("validation error"));
  EXPECT_EQ(table_->stream_synchronize(stream_), HAL_SUCCESS) << "each error is reported once";
}

}  // namespace
}  // namespace hal::vulkan_abi_test
