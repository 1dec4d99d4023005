// The fixture of a GPU driver's ABI tests (CUDA, HIP): the built plugin
// dlopen'd and driven through its table alone, as the runtime drives it,
// over the vendor's fake library (LD_LIBRARY_PATH puts it first). Each test
// configures the fake afresh and initializes the driver; TearDown releases
// what the test made and shuts the driver down.
#ifndef HAL_BACKENDS_GPU_CORE_DRIVER_ABI_FIXTURE_H_
#define HAL_BACKENDS_GPU_CORE_DRIVER_ABI_FIXTURE_H_

#include <dlfcn.h>
#include <stdlib.h>

#include <cstdint>
#include <cstring>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "hal/driver/hal_driver.h"
#include "hal/kernel_bundle.h"

namespace hal::gpu::testing {

using ::testing::HasSubstr;

constexpr uint64_t kMiB = uint64_t{1} << 20;

struct ElementConstants {  // fill_f32's and saxpy_f32's push constants
  float value;
  uint32_t n;
};

// The runtime's ledger as the memory-accounting callbacks see it.
struct Ledger {
  std::mutex mutex;
  uint64_t charged = 0;
  uint64_t quota = UINT64_MAX;

  static hal_result Charge(void* user, uint64_t bytes) {
    auto* ledger = static_cast<Ledger*>(user);
    std::lock_guard lock(ledger->mutex);
    if (ledger->charged + bytes > ledger->quota) return HAL_ERROR_OUT_OF_MEMORY;
    ledger->charged += bytes;
    return HAL_SUCCESS;
  }
  static void Uncharge(void* user, uint64_t bytes) {
    auto* ledger = static_cast<Ledger*>(user);
    std::lock_guard lock(ledger->mutex);
    ledger->charged -= bytes;
  }
  uint64_t Charged() {
    std::lock_guard lock(mutex);
    return charged;
  }
  hal_context_memory_accounting Accounting(uint64_t limit) {
    return {HAL_STRUCTURE_TYPE_CONTEXT_MEMORY_ACCOUNTING, nullptr, limit, this, &Charge, &Uncharge};
  }
};

// `Fake` describes the vendor's driver and its fake library:
//   using Control = ...;  // the fake's control functions (configure, fail_next, ...)
//   static bool LoadControl(Control*, std::string* error);
//   static constexpr const char* kDriverPath;     // the built driver plugin
//   static constexpr const char* kBundlePath;     // the standard bundle
//   static constexpr const char* kBundlesVariable;  // where the fake finds CPU twins
//   static constexpr const char* kDefaultFormat;  // FillKernel's image
template <typename Fake>
class GpuDriverFixture : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    // The fake finds kernels' CPU twins in these bundles. Set here rather
    // than through ctest (whose ENVIRONMENT, passed through
    // gtest_discover_tests, carries one variable): LD_LIBRARY_PATH must come
    // from ctest, as the dynamic loader reads it at process start.
    setenv(Fake::kBundlesVariable, Fake::kBundlePath, /*overwrite=*/0);
    void* library = dlopen(Fake::kDriverPath, RTLD_NOW | RTLD_LOCAL);
    if (library == nullptr) {
      load_error_ = dlerror();
      return;
    }
    const auto get_table =
        reinterpret_cast<hal_driver_get_table_fn>(dlsym(library, HAL_DRIVER_ENTRY_POINT_NAME));
    if (get_table == nullptr) {
      load_error_ = "the driver exports no entry point";
      return;
    }
    if (!Fake::LoadControl(&fake_, &load_error_)) return;
    table_ = get_table(HAL_DRIVER_ABI_VERSION_MAJOR, HAL_DRIVER_ABI_VERSION_MINOR);
    if (table_ == nullptr) load_error_ = "the driver refused this ABI version";
  }

  // The fake's configuration for the test (its HAL_FAKE_*_CONFIG syntax).
  virtual const char* Config() const { return ""; }

  void SetUp() override {
    ASSERT_NE(table_, nullptr) << load_error_;
    ASSERT_EQ(Start(Config()), HAL_SUCCESS) << table_->last_error_message();
    context_ = CreateContext(0);
    ASSERT_NE(context_, nullptr);
  }

  void TearDown() override {
    if (table_ == nullptr) return;
    ReleaseAll();
    table_->shutdown();
  }

  // Shuts the driver down, configures the fake (resetting it), makes the
  // next `fail_count` calls of `fail_function` fail, and initializes the
  // driver again.
  hal_result Start(const char* config, const char* fail_function = nullptr, int fail_result = 0,
                   int fail_count = 0) {
    ReleaseAll();
    table_->shutdown();
    fake_.configure(config);
    if (fail_function != nullptr) fake_.fail_next(fail_function, fail_result, fail_count);
    return table_->initialize();
  }

  void ReleaseAll() {
    for (hal_drv_stream* stream : streams_) table_->stream_destroy(stream);
    for (hal_drv_event* event : events_) table_->event_destroy(event);
    for (hal_drv_module* module : modules_) table_->module_destroy(module);
    for (auto& [context, buffer] : buffers_) table_->buffer_free(context, buffer);
    for (hal_drv_context* context : contexts_) table_->context_destroy(context);
    streams_.clear();
    events_.clear();
    modules_.clear();
    buffers_.clear();
    contexts_.clear();
    context_ = nullptr;
  }

  hal_drv_context* CreateContext(uint32_t device, uint32_t partition_units = 0,
                                 const hal_context_memory_accounting* accounting = nullptr) {
    const hal_context_desc desc{HAL_STRUCTURE_TYPE_CONTEXT_DESC, accounting, partition_units, 0};
    hal_drv_context* context = nullptr;
    EXPECT_EQ(table_->context_create(device, &desc, &context), HAL_SUCCESS)
        << table_->last_error_message();
    if (context != nullptr) contexts_.push_back(context);
    return context;
  }

  uint32_t DeviceCount() {
    uint32_t count = 0;
    EXPECT_EQ(table_->device_count(&count), HAL_SUCCESS);
    return count;
  }

  // The devices the driver found and does not serve: name and reason each.
  std::vector<std::pair<std::string, std::string>> UnusableDevices() {
    std::vector<std::pair<std::string, std::string>> devices;
    for (uint32_t i = 0; i < table_->unusable_device_count(); ++i) {
      const char* name = nullptr;
      const char* reason = nullptr;
      table_->unusable_device_get(i, &name, &reason);
      devices.emplace_back(name, reason);
    }
    return devices;
  }

  hal_device_properties Properties(uint32_t device) {
    hal_device_properties props{};
    props.type = HAL_STRUCTURE_TYPE_DEVICE_PROPERTIES;
    EXPECT_EQ(table_->device_get_properties(device, &props), HAL_SUCCESS);
    return props;
  }

  // Allocates and tracks the buffer; returns its allocated size through
  // `out_allocated` when given.
  hal_drv_buffer* Allocate(hal_drv_context* context, uint64_t size,
                           hal_buffer_kind kind = HAL_BUFFER_DEVICE, uint32_t flags = 0,
                           uint64_t* out_allocated = nullptr) {
    const hal_buffer_desc desc{HAL_STRUCTURE_TYPE_BUFFER_DESC, nullptr, kind, flags, size};
    hal_drv_buffer* buffer = nullptr;
    uint64_t allocated = 0;
    EXPECT_EQ(table_->buffer_allocate(context, &desc, &buffer, &allocated), HAL_SUCCESS)
        << table_->last_error_message();
    if (buffer != nullptr) buffers_.emplace_back(context, buffer);
    if (out_allocated != nullptr) *out_allocated = allocated;
    return buffer;
  }
  hal_drv_buffer* Allocate(uint64_t size) { return Allocate(context_, size); }

  // Frees a tracked buffer now.
  void Free(hal_drv_context* context, hal_drv_buffer* buffer) {
    std::erase(buffers_, std::pair{context, buffer});
    table_->buffer_free(context, buffer);
  }

  hal_drv_stream* CreateStream(hal_drv_context* context,
                               hal_stream_priority priority = HAL_STREAM_PRIORITY_NORMAL) {
    const hal_stream_desc desc{HAL_STRUCTURE_TYPE_STREAM_DESC, nullptr, priority};
    hal_drv_stream* stream = nullptr;
    EXPECT_EQ(table_->stream_create(context, &desc, &stream), HAL_SUCCESS)
        << table_->last_error_message();
    if (stream != nullptr) streams_.push_back(stream);
    return stream;
  }

  hal_drv_event* CreateEvent(hal_drv_context* context) {
    const hal_event_desc desc{HAL_STRUCTURE_TYPE_EVENT_DESC, nullptr, 0};
    hal_drv_event* event = nullptr;
    EXPECT_EQ(table_->event_create(context, &desc, &event), HAL_SUCCESS)
        << table_->last_error_message();
    if (event != nullptr) events_.push_back(event);
    return event;
  }

  // The standard bundle's image of `format` (all kernels in one image).
  static std::vector<uint8_t> StandardImage(const std::string& format) {
    const auto bundle = KernelBundle::ReadFile(Fake::kBundlePath);
    if (!bundle.ok()) return {};
    for (const KernelImage& image : bundle->images()) {
      if (image.format == format) return image.data;
    }
    return {};
  }

  hal_result LoadModule(hal_drv_context* context, const char* format,
                        const std::vector<uint8_t>& image, hal_drv_module** out_module) {
    const hal_module_desc desc{HAL_STRUCTURE_TYPE_MODULE_DESC, nullptr, format, image.data(),
                               image.size()};
    const hal_result result = table_->module_load(context, &desc, out_module);
    if (result == HAL_SUCCESS) modules_.push_back(*out_module);
    return result;
  }

  // Destroys a module of LoadModule's before the test ends.
  void UnloadModule(hal_drv_module* module) {
    std::erase(modules_, module);
    table_->module_destroy(module);
  }

  hal_result GetKernel(hal_drv_module* module, const char* name,
                       const hal_kernel_signature& signature, hal_drv_kernel** out_kernel) {
    const hal_kernel_desc desc{HAL_STRUCTURE_TYPE_KERNEL_DESC, nullptr, name, signature};
    return table_->kernel_get(module, &desc, out_kernel);
  }

  // fill_f32 of the standard bundle's `format` image (the fake's default
  // format when null), loaded in `context`; nullptr when the bundle has no
  // such image (its toolchain was not found).
  hal_drv_kernel* FillKernel(hal_drv_context* context, const char* format = nullptr) {
    if (format == nullptr) format = Fake::kDefaultFormat;
    const std::vector<uint8_t> image = StandardImage(format);
    if (image.empty()) return nullptr;
    hal_drv_module* module = nullptr;
    EXPECT_EQ(LoadModule(context, format, image, &module), HAL_SUCCESS)
        << table_->last_error_message();
    if (module == nullptr) return nullptr;
    hal_drv_kernel* kernel = nullptr;
    EXPECT_EQ(GetKernel(module, "fill_f32", {1, 8, {256, 1, 1}}, &kernel), HAL_SUCCESS)
        << table_->last_error_message();
    return kernel;
  }

  hal_result Fill(hal_drv_stream* stream, hal_drv_kernel* kernel, hal_drv_buffer* buffer,
                  float value, uint32_t n) {
    const hal_binding binding{buffer, 0};
    const ElementConstants constants{value, n};
    const hal_dispatch_desc desc{HAL_STRUCTURE_TYPE_DISPATCH_DESC,
                                 nullptr,
                                 {(n + 255) / 256, 1, 1},
                                 &binding,
                                 1,
                                 &constants,
                                 sizeof(constants)};
    return table_->stream_dispatch(stream, kernel, &desc);
  }

  template <typename T>
  std::vector<T> Download(hal_drv_stream* stream, hal_drv_buffer* buffer, uint64_t offset,
                          size_t count) {
    std::vector<T> values(count);
    EXPECT_EQ(table_->stream_copy_device_to_host(stream, buffer, offset, values.data(),
                                                 count * sizeof(T)),
              HAL_SUCCESS)
        << table_->last_error_message();
    EXPECT_EQ(table_->stream_synchronize(stream), HAL_SUCCESS) << table_->last_error_message();
    return values;
  }

  inline static const hal_driver_table* table_ = nullptr;
  inline static typename Fake::Control fake_;
  inline static std::string load_error_;
  hal_drv_context* context_ = nullptr;
  // Outlives the contexts charging it: context_destroy uncharges the cache.
  Ledger ledger_;

 private:
  std::vector<hal_drv_context*> contexts_;
  std::vector<std::pair<hal_drv_context*, hal_drv_buffer*>> buffers_;
  std::vector<hal_drv_stream*> streams_;
  std::vector<hal_drv_event*> events_;
  std::vector<hal_drv_module*> modules_;
};

#define HAL_REQUIRE_KERNEL(kernel) \
  if ((kernel) == nullptr) GTEST_SKIP() << "the standard bundle has no image of this format"

}  // namespace hal::gpu::testing

#endif  // HAL_BACKENDS_GPU_CORE_DRIVER_ABI_FIXTURE_H_
