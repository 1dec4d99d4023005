#include "conformance/abi/driver_table_test.h"

#include <cstring>

#include "absl/strings/str_cat.h"
#include "hal/kernel_bundle.h"
#include "hal/testing/driver_table.h"

namespace hal::cts {
namespace {

std::string Described(hal_result result) {
  return absl::StrCat(ResultName(result), " (", static_cast<int>(result), ")");
}

// The driver's message, "" when it breaks the ABI by returning NULL.
std::string MessageOf(const hal_driver_table& table) {
  const char* message = table.last_error_message();
  return message == nullptr ? std::string() : std::string(message);
}

// The image the runtime would load for `kernel_name` (runtime/
// image_selection.cc, which libhal does not export): the device's formats best
// first, an image of the kernel alone before one of every kernel.
const KernelImage* SelectStandardImage(const KernelBundle& bundle, absl::string_view kernel_name,
                                       const std::vector<std::string>& device_formats) {
  for (const std::string& format : device_formats) {
    const KernelImage* whole_bundle_image = nullptr;
    for (const KernelImage& image : bundle.images()) {
      if (image.format != format) continue;
      if (image.kernel_name == kernel_name) return &image;
      if (image.kernel_name.empty() && whole_bundle_image == nullptr) whole_bundle_image = &image;
    }
    if (whole_bundle_image != nullptr) return whole_bundle_image;
  }
  return nullptr;
}

}  // namespace

const char* ResultName(hal_result result) {
  switch (result) {
    case HAL_SUCCESS: return "HAL_SUCCESS";
    case HAL_NOT_READY: return "HAL_NOT_READY";
    case HAL_ERROR_INVALID_ARGUMENT: return "HAL_ERROR_INVALID_ARGUMENT";
    case HAL_ERROR_OUT_OF_MEMORY: return "HAL_ERROR_OUT_OF_MEMORY";
    case HAL_ERROR_NOT_FOUND: return "HAL_ERROR_NOT_FOUND";
    case HAL_ERROR_UNAVAILABLE: return "HAL_ERROR_UNAVAILABLE";
    case HAL_ERROR_FAILED_PRECONDITION: return "HAL_ERROR_FAILED_PRECONDITION";
    case HAL_ERROR_UNSUPPORTED: return "HAL_ERROR_UNSUPPORTED";
    case HAL_ERROR_INTERNAL: return "HAL_ERROR_INTERNAL";
  }
  return "an unknown hal_result";
}

::testing::AssertionResult HalResultIs::operator()(const char* expected_expression,
                                                 const char* actual_expression,
                                                 hal_result expected, hal_result actual) const {
  if (expected == actual) return ::testing::AssertionSuccess();
  ::testing::AssertionResult failure = ::testing::AssertionFailure();
  failure << actual_expression << " returned " << Described(actual) << ", expected "
          << expected_expression << " = " << Described(expected);
  if (actual != HAL_SUCCESS && actual != HAL_NOT_READY) {
    failure << "; the driver's message: \"" << MessageOf(table_) << "\"";
  }
  return failure;
}

void DriverTableTest::SetUp() {
  DeviceTest::SetUp();
  if (IsSkipped() || HasFatalFailure()) return;
  const hal::testing::DriverTableAccess access = hal::testing::DriverTableFor(physical_device());
  table_ = access.table;
  device_index_ = access.device_index;
  hal_context_desc desc{};
  desc.type = HAL_STRUCTURE_TYPE_CONTEXT_DESC;
  ASSERT_HAL_RESULT(HAL_SUCCESS, table().context_create(device_index_, &desc, &context_));
  ASSERT_NE(context_, nullptr) << "context_create succeeded without a context";
}

void DriverTableTest::TearDown() {
  if (context_ != nullptr) table().context_destroy(std::exchange(context_, nullptr));
  DeviceTest::TearDown();
}

hal_device_properties DriverTableTest::DriverProperties() const {
  hal_device_properties props{};
  props.type = HAL_STRUCTURE_TYPE_DEVICE_PROPERTIES;
  EXPECT_HAL_RESULT(HAL_SUCCESS, table().device_get_properties(device_index(), &props));
  return props;
}

std::string DriverTableTest::LastError() const { return MessageOf(table()); }

hal_result DriverTableTest::CallBufferAllocate(hal_drv_context* context, uint64_t size,
                                               hal_buffer_kind kind, uint32_t flags,
                                               hal_drv_buffer** out_buffer,
                                               uint64_t* out_allocated_size) const {
  hal_buffer_desc desc{};
  desc.type = HAL_STRUCTURE_TYPE_BUFFER_DESC;
  desc.kind = kind;
  desc.flags = flags;
  desc.size = size;
  return table().buffer_allocate(context, &desc, out_buffer, out_allocated_size);
}

DrvBuffer DriverTableTest::AllocateBuffer(uint64_t size, hal_buffer_kind kind, uint32_t flags) {
  hal_drv_buffer* buffer = nullptr;
  uint64_t allocated_size = 0;
  const hal_result result =
      CallBufferAllocate(context(), size, kind, flags, &buffer, &allocated_size);
  EXPECT_HAL_RESULT(HAL_SUCCESS, result) << "buffer_allocate of " << size << " bytes";
  if (result != HAL_SUCCESS) return DrvBuffer();
  return DrvBuffer(table_, context_, buffer);
}

DrvStream DriverTableTest::CreateStream(hal_stream_priority priority) {
  hal_stream_desc desc{};
  desc.type = HAL_STRUCTURE_TYPE_STREAM_DESC;
  desc.priority = priority;
  hal_drv_stream* stream = nullptr;
  const hal_result result = table().stream_create(context(), &desc, &stream);
  EXPECT_HAL_RESULT(HAL_SUCCESS, result) << "stream_create";
  if (result != HAL_SUCCESS) return DrvStream();
  return DrvStream(table_, context_, stream);
}

DrvEvent DriverTableTest::CreateEvent() {
  hal_event_desc desc{};
  desc.type = HAL_STRUCTURE_TYPE_EVENT_DESC;
  hal_drv_event* event = nullptr;
  const hal_result result = table().event_create(context(), &desc, &event);
  EXPECT_HAL_RESULT(HAL_SUCCESS, result) << "event_create";
  if (result != HAL_SUCCESS) return DrvEvent();
  return DrvEvent(table_, context_, event);
}

DrvModule DriverTableTest::LoadStandardModule(absl::string_view kernel_name) {
  const KernelImage* image =
      SelectStandardImage(kernels(), kernel_name, properties().kernel_formats);
  if (image == nullptr) {
    ADD_FAILURE() << "the standard bundle has no image of \"" << kernel_name
                  << "\" in a format the device takes";
    return DrvModule();
  }
  hal_module_desc desc{};
  desc.type = HAL_STRUCTURE_TYPE_MODULE_DESC;
  desc.format = image->format.c_str();
  desc.image = image->data.data();
  desc.image_size = image->data.size();
  hal_drv_module* module = nullptr;
  const hal_result result = table().module_load(context(), &desc, &module);
  EXPECT_HAL_RESULT(HAL_SUCCESS, result) << "module_load of " << image->format;
  if (result != HAL_SUCCESS) return DrvModule();
  return DrvModule(table_, context_, module);
}

hal_drv_kernel* DriverTableTest::GetStandardKernel(const DrvModule& module,
                                                   absl::string_view name) {
  const KernelInfo* info = kernels().FindKernel(name);
  if (info == nullptr) {
    ADD_FAILURE() << "the standard manifest has no kernel \"" << name << "\"";
    return nullptr;
  }
  const std::string name_string(name);
  hal_kernel_desc desc{};
  desc.type = HAL_STRUCTURE_TYPE_KERNEL_DESC;
  desc.name = name_string.c_str();
  desc.signature.binding_count = info->binding_count;
  desc.signature.push_constant_size = info->push_constant_size;
  std::memcpy(desc.signature.workgroup_size, info->workgroup_size.data(),
              sizeof(desc.signature.workgroup_size));
  hal_drv_kernel* kernel = nullptr;
  const hal_result result = table().kernel_get(module.get(), &desc, &kernel);
  EXPECT_HAL_RESULT(HAL_SUCCESS, result) << "kernel_get of " << name;
  return result == HAL_SUCCESS ? kernel : nullptr;
}

std::vector<uint8_t> DriverTableTest::ReadBack(const DrvStream& stream, hal_drv_buffer* buffer,
                                               uint64_t offset, uint64_t size) {
  std::vector<uint8_t> bytes(size);
  const hal_result copied =
      table().stream_copy_device_to_host(stream.get(), buffer, offset, bytes.data(), size);
  EXPECT_HAL_RESULT(HAL_SUCCESS, copied) << "stream_copy_device_to_host";
  // Synchronize even after a failed submission: the host vector must not be
  // freed under a copy already queued.
  const hal_result synchronized = table().stream_synchronize(stream.get());
  EXPECT_HAL_RESULT(HAL_SUCCESS, synchronized) << "stream_synchronize";
  if (copied != HAL_SUCCESS || synchronized != HAL_SUCCESS) return {};
  return bytes;
}

}  // namespace hal::cts
