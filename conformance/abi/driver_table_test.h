// The fixture of the table-level tests (suites Abi*): a device's driver table
// and a fresh context of its own, created through context_create, with owners
// that release driver objects through the table and assertions that name
// results. It reaches what the public API cannot (a NULL optional entry, a
// refused accounting charge), so every call must stay within the contract of
// include/hal/driver/hal_driver.h: the runtime's validation is bypassed.
//
//   class AbiMemory : public hal::cts::DriverTableTest {};
//   TEST_P(AbiMemory, StagingBufferMaps) {
//     DrvBuffer buffer = AllocateBuffer(64, HAL_BUFFER_HOST_STAGING);
//     ASSERT_TRUE(buffer);
//     void* host = nullptr;
//     EXPECT_HAL_RESULT(HAL_SUCCESS, table().buffer_map(context(), buffer.get(), &host));
//   }
//   HAL_CTS_INSTANTIATE_DEVICE_TESTS(AbiMemory);
#ifndef HAL_CONFORMANCE_ABI_DRIVER_TABLE_TEST_H_
#define HAL_CONFORMANCE_ABI_DRIVER_TABLE_TEST_H_

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/string_view.h"
#include "conformance/device_test.h"
#include "gtest/gtest.h"
#include "hal/driver/hal_driver.h"

namespace hal::cts {

// "HAL_ERROR_NOT_FOUND"; "an unknown hal_result" for a value outside the enum
// (the assertions print the number too).
const char* ResultName(hal_result result);

// For EXPECT_PRED_FORMAT2: equal results, or a failure naming both and the
// driver's message for the calling thread (read at once, before any other
// call into the driver).
class HalResultIs {
 public:
  explicit HalResultIs(const hal_driver_table& table) : table_(table) {}
  ::testing::AssertionResult operator()(const char* expected_expression,
                                      const char* actual_expression, hal_result expected,
                                      hal_result actual) const;

 private:
  const hal_driver_table& table_;
};

// Releases of each kind of driver object, for DrvOwner.
struct BufferRelease {
  void operator()(const hal_driver_table& table, hal_drv_context* context,
                  hal_drv_buffer* buffer) const {
    table.buffer_free(context, buffer);
  }
};
struct StreamRelease {
  void operator()(const hal_driver_table& table, hal_drv_context*, hal_drv_stream* stream) const {
    table.stream_destroy(stream);
  }
};
struct EventRelease {
  void operator()(const hal_driver_table& table, hal_drv_context*, hal_drv_event* event) const {
    table.event_destroy(event);
  }
};
struct ModuleRelease {
  void operator()(const hal_driver_table& table, hal_drv_context*, hal_drv_module* module) const {
    table.module_destroy(module);
  }
};

// Move-only owner of one driver object, released through the table when it
// goes out of scope. Empty (false) when the creating call failed.
template <typename Object, typename Release>
class DrvOwner {
 public:
  DrvOwner() = default;
  DrvOwner(const hal_driver_table* table, hal_drv_context* context, Object* object)
      : table_(table), context_(context), object_(object) {}
  DrvOwner(DrvOwner&& other) noexcept
      : table_(other.table_), context_(other.context_), object_(other.release()) {}
  DrvOwner& operator=(DrvOwner&& other) noexcept {
    if (this != &other) {
      reset();
      table_ = other.table_;
      context_ = other.context_;
      object_ = other.release();
    }
    return *this;
  }
  ~DrvOwner() { reset(); }

  Object* get() const { return object_; }
  explicit operator bool() const { return object_ != nullptr; }
  // Gives up ownership: the caller releases the object (or the test checks a
  // release path itself).
  Object* release() { return std::exchange(object_, nullptr); }
  // Releases the object now.
  void reset() {
    if (object_ != nullptr) Release()(*table_, context_, release());
  }

 private:
  const hal_driver_table* table_ = nullptr;
  hal_drv_context* context_ = nullptr;
  Object* object_ = nullptr;
};

using DrvBuffer = DrvOwner<hal_drv_buffer, BufferRelease>;
using DrvStream = DrvOwner<hal_drv_stream, StreamRelease>;
using DrvEvent = DrvOwner<hal_drv_event, EventRelease>;
using DrvModule = DrvOwner<hal_drv_module, ModuleRelease>;

class DriverTableTest : public DeviceTest {
 protected:
  // DeviceTest::SetUp, then a fresh context through context_create (plain
  // hal_context_desc: no partition, no accounting).
  void SetUp() override;
  // context_destroy (the owners of the test body are gone by then).
  void TearDown() override;

  const hal_driver_table& table() const { return *table_; }
  uint32_t device_index() const { return device_index_; }
  hal_drv_context* context() const { return context_; }
  // device_get_properties of this device (a test failure on error).
  hal_device_properties DriverProperties() const;
  // table().last_error_message() of the calling thread ("" if NULL, which
  // the ABI forbids and AbiDevice tests).
  std::string LastError() const;

  // buffer_allocate as it answers, for tests of its outcomes (no test
  // failure of its own).
  hal_result CallBufferAllocate(hal_drv_context* context, uint64_t size, hal_buffer_kind kind,
                                uint32_t flags, hal_drv_buffer** out_buffer,
                                uint64_t* out_allocated_size) const;
  // Each creating helper fails the test (ADD_FAILURE with the result and the
  // driver's message) and returns an empty owner on error: check the owner.
  DrvBuffer AllocateBuffer(uint64_t size, hal_buffer_kind kind = HAL_BUFFER_DEVICE,
                           uint32_t flags = 0);
  DrvStream CreateStream(hal_stream_priority priority = HAL_STREAM_PRIORITY_NORMAL);
  DrvEvent CreateEvent();
  // A module of the standard bundle holding `kernel_name`, its image picked
  // by the device's kernel formats as the runtime picks (best format first;
  // an image of that kernel alone before one of every kernel: Vulkan's
  // images hold one kernel each), loaded through module_load.
  DrvModule LoadStandardModule(absl::string_view kernel_name);
  // kernel_get with the standard manifest's signature for `name`; nullptr
  // (and a test failure) on error. Lives as long as `module`.
  hal_drv_kernel* GetStandardKernel(const DrvModule& module, absl::string_view name);
  // stream_copy_device_to_host + stream_synchronize; empty (and a test
  // failure) on error.
  std::vector<uint8_t> ReadBack(const DrvStream& stream, hal_drv_buffer* buffer, uint64_t offset,
                                uint64_t size);

 private:
  const hal_driver_table* table_ = nullptr;
  uint32_t device_index_ = 0;
  hal_drv_context* context_ = nullptr;
};

}  // namespace hal::cts

// EXPECT_HAL_RESULT(HAL_SUCCESS, table().stream_fill(...)): in a
// DriverTableTest (uses table()); prints both results' names and the driver's
// message on mismatch.
#define EXPECT_HAL_RESULT(expected, expr) \
  EXPECT_PRED_FORMAT2(::hal::cts::HalResultIs(table()), expected, expr)
#define ASSERT_HAL_RESULT(expected, expr) \
  ASSERT_PRED_FORMAT2(::hal::cts::HalResultIs(table()), expected, expr)

#endif  // HAL_CONFORMANCE_ABI_DRIVER_TABLE_TEST_H_
