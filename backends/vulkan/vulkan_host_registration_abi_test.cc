// Host registration through the Vulkan driver's C ABI
// (VK_EXT_external_memory_host): the caller's pages as a staging buffer that
// copies, fills and dispatches read and write in place, refused when
// misaligned, and left to the caller when freed.
#include <unistd.h>

#include <memory>

#include "backends/vulkan/vulkan_driver_abi_fixture.h"

namespace hal::vulkan_abi_test {
namespace {

class VulkanHostRegistrationAbiTest : public VulkanDriverAbiTest {
 protected:
  void SetUp() override {
    VulkanDriverAbiTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    if ((Properties().capabilities & HAL_CAPABILITY_HOST_REGISTRATION) == 0) {
      GTEST_SKIP() << Properties().name << " has no VK_EXT_external_memory_host";
    }
  }

  static uint64_t PageSize() { return static_cast<uint64_t>(sysconf(_SC_PAGESIZE)); }

  // `count` pages of the test's own, freed after the test's buffers.
  uint8_t* CallerPages(uint64_t count) {
    pages_.reset(static_cast<uint8_t*>(std::aligned_alloc(PageSize(), count * PageSize())));
    return pages_.get();
  }

  static hal_result CallRegister(void* host, uint64_t size, hal_drv_buffer** out_buffer) {
    const hal_host_registration_desc desc{HAL_STRUCTURE_TYPE_HOST_REGISTRATION_DESC, nullptr, host,
                                          size};
    return table_->host_register(context_, &desc, out_buffer);
  }

  // A registration the test frees in TearDown.
  hal_drv_buffer* Register(void* host, uint64_t size) {
    hal_drv_buffer* buffer = nullptr;
    EXPECT_EQ(CallRegister(host, size, &buffer), HAL_SUCCESS) << table_->last_error_message();
    if (buffer != nullptr) buffers_.push_back(buffer);
    return buffer;
  }

 private:
  struct Free {
    void operator()(uint8_t* pages) const { std::free(pages); }
  };
  std::unique_ptr<uint8_t, Free> pages_;
};

TEST_F(VulkanDriverAbiTest, LavapipeReportsHostRegistration) {
  const hal_device_properties props = Properties();
  if (std::string(props.name).find("llvmpipe") == std::string::npos) {
    GTEST_SKIP() << props.name << " is not lavapipe";
  }
  EXPECT_NE(props.capabilities & HAL_CAPABILITY_HOST_REGISTRATION, 0u)
      << "lavapipe has VK_EXT_external_memory_host with a 4096-byte alignment";
}

TEST_F(VulkanHostRegistrationAbiTest, CopiesAndFillsReadAndWriteTheCallersPagesInPlace) {
  const uint64_t page = PageSize();
  uint8_t* pages = CallerPages(4);
  for (uint64_t i = 0; i < 4 * page; ++i) pages[i] = static_cast<uint8_t>(i * 13 + 1);
  const std::vector<uint8_t> written(pages, pages + 4 * page);
  hal_drv_buffer* registered = Register(pages, 4 * page);
  ASSERT_NE(registered, nullptr);
  void* mapped = nullptr;
  ASSERT_EQ(table_->buffer_map(context_, registered, &mapped), HAL_SUCCESS);
  EXPECT_EQ(mapped, pages) << "the caller's own pages";

  // Registered -> device: the device read the caller's bytes.
  hal_drv_buffer* device = Allocate(4 * page);
  ASSERT_EQ(table_->stream_copy_buffer(stream_, registered, 0, device, 0, 4 * page), HAL_SUCCESS);
  std::vector<uint8_t> read(4 * page);
  ASSERT_EQ(table_->stream_copy_device_to_host(stream_, device, 0, read.data(), 4 * page),
            HAL_SUCCESS);
  // A fill of the second page, and device -> registered into the third.
  ASSERT_EQ(table_->stream_fill(stream_, registered, page, page, 0xa5a5a5a5u), HAL_SUCCESS);
  ASSERT_EQ(table_->stream_copy_buffer(stream_, device, 0, registered, 2 * page, page),
            HAL_SUCCESS);
  ASSERT_EQ(table_->stream_synchronize(stream_), HAL_SUCCESS) << table_->last_error_message();
  EXPECT_TRUE(read == written);
  EXPECT_TRUE(std::equal(pages, pages + page, written.begin())) << "outside the commands";
  EXPECT_EQ(std::count(pages + page, pages + 2 * page, 0xa5), static_cast<ptrdiff_t>(page));
  EXPECT_TRUE(std::equal(pages + 2 * page, pages + 3 * page, written.begin()));
  EXPECT_TRUE(std::equal(pages + 3 * page, pages + 4 * page, written.begin() + 3 * page));
}

TEST_F(VulkanHostRegistrationAbiTest, ADispatchBindingItWritesTheCallersPages) {
  hal_drv_module* module = LoadSaxpyModule();
  ASSERT_NE(module, nullptr);
  hal_drv_kernel* kernel = SaxpyKernel(module);
  ASSERT_NE(kernel, nullptr);
  const uint32_t n = static_cast<uint32_t>(PageSize() / sizeof(float));
  std::vector<float> x(n);
  std::iota(x.begin(), x.end(), 0.0f);
  auto* y = reinterpret_cast<float*>(CallerPages(1));
  std::fill_n(y, n, 1.0f);
  hal_drv_buffer* x_buffer = Allocate(n * sizeof(float));
  hal_drv_buffer* y_buffer = Register(y, PageSize());
  ASSERT_NE(y_buffer, nullptr);
  ASSERT_EQ(table_->stream_copy_host_to_device(stream_, x.data(), x_buffer, 0, n * sizeof(float)),
            HAL_SUCCESS);
  const hal_binding bindings[] = {{x_buffer, 0}, {y_buffer, 0}};
  const SaxpyConstants constants{2.0f, n};
  ASSERT_EQ(CallDispatch(stream_, kernel, {(n + 255) / 256, 1, 1}, bindings, constants),
            HAL_SUCCESS);
  ASSERT_EQ(table_->stream_synchronize(stream_), HAL_SUCCESS) << table_->last_error_message();
  for (uint32_t i = 0; i < n; ++i) ASSERT_EQ(y[i], 2.0f * i + 1.0f) << "element " << i;
}

TEST_F(VulkanHostRegistrationAbiTest, ItsNativeHandleIsItsOwnVkBuffer) {
  hal_drv_buffer* registered = Register(CallerPages(1), PageSize());
  ASSERT_NE(registered, nullptr);
  const hal_native_handle handle = NativeHandle(HAL_OBJECT_BUFFER, registered);
  EXPECT_STREQ(handle.kind, "VkBuffer");
  EXPECT_NE(handle.value, 0u);
  EXPECT_EQ(NativeHandle(HAL_OBJECT_BUFFER, registered).value, handle.value);
}

TEST_F(VulkanHostRegistrationAbiTest, MisalignedOrEmptyMemoryIsInvalidAndLeavesNothingBehind) {
  const uint64_t page = PageSize();
  uint8_t* pages = CallerPages(2);
  struct Case {
    const char* what;
    void* host;
    uint64_t size;
    const char* message;
  };
  const Case cases[] = {
      {"a misaligned address", pages + 1, page, "minImportedHostPointerAlignment"},
      {"a misaligned size", pages, page - 1, "minImportedHostPointerAlignment"},
      {"a size of 0", pages, 0, "at least 1 byte"},
      {"a null address", nullptr, page, "non-null"},
  };
  for (const Case& c : cases) {
    hal_drv_buffer* buffer = nullptr;
    EXPECT_EQ(CallRegister(c.host, c.size, &buffer), HAL_ERROR_INVALID_ARGUMENT) << c.what;
    EXPECT_THAT(table_->last_error_message(), HasSubstr(c.message)) << c.what;
    EXPECT_EQ(buffer, nullptr) << c.what;
  }
  // The same pages register afterwards: no import of them was left behind.
  EXPECT_NE(Register(pages, 2 * page), nullptr);
}

TEST_F(VulkanHostRegistrationAbiTest, FreeingLeavesTheCallersBytesIntact) {
  const uint64_t page = PageSize();
  uint8_t* pages = CallerPages(2);
  std::fill_n(pages, 2 * page, 0x11);
  hal_drv_buffer* registered = nullptr;
  ASSERT_EQ(CallRegister(pages, 2 * page, &registered), HAL_SUCCESS)
      << table_->last_error_message();
  ASSERT_EQ(table_->stream_fill(stream_, registered, 0, page, 0x77777777u), HAL_SUCCESS);
  ASSERT_EQ(table_->stream_synchronize(stream_), HAL_SUCCESS) << table_->last_error_message();
  table_->buffer_free(context_, registered);
  EXPECT_EQ(std::count(pages, pages + page, 0x77), static_cast<ptrdiff_t>(page));
  EXPECT_EQ(std::count(pages + page, pages + 2 * page, 0x11), static_cast<ptrdiff_t>(page));
  pages[0] = 0x42;  // still the caller's, writable
  EXPECT_EQ(pages[0], 0x42);
}

}  // namespace
}  // namespace hal::vulkan_abi_test
