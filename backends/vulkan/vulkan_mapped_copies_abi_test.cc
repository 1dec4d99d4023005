// Host copies from and to inside the mapping of a HOST_STAGING or registered
// buffer, through the Vulkan driver's C ABI: such a copy is a copy between
// buffers, so it is ordered on the stream like one (a later copy from the
// same bytes sees what an earlier one wrote there), and a range that leaves
// the buffer goes through the stream's staging ring as any host memory does.
#include <unistd.h>

#include <cstdlib>
#include <memory>

#include "backends/vulkan/vulkan_driver_abi_fixture.h"

namespace hal::vulkan_abi_test {
namespace {

class VulkanMappedCopiesAbiTest : public VulkanDriverAbiTest {
 protected:
  static uint64_t PageSize() { return static_cast<uint64_t>(sysconf(_SC_PAGESIZE)); }

  // The mapping of a new HOST_STAGING buffer (freed after the test) and its
  // allocated size.
  uint8_t* StagingMapping(uint64_t size, uint64_t* out_allocated) {
    hal_drv_buffer* buffer = nullptr;
    EXPECT_EQ(CallBufferAllocate(HAL_BUFFER_HOST_STAGING, size, &buffer, out_allocated),
              HAL_SUCCESS)
        << table_->last_error_message();
    if (buffer == nullptr) return nullptr;
    buffers_.push_back(buffer);
    void* host = nullptr;
    EXPECT_EQ(table_->buffer_map(context_, buffer, &host), HAL_SUCCESS);
    return static_cast<uint8_t*>(host);
  }

  // `total` pages of the test's own, the first `registered` of them
  // registered (unregistered after the test); null, the test skipped, where
  // the device cannot register host memory.
  uint8_t* RegisteredPages(uint64_t total, uint64_t registered) {
    if ((Properties().capabilities & HAL_CAPABILITY_HOST_REGISTRATION) == 0) return nullptr;
    pages_.reset(static_cast<uint8_t*>(std::aligned_alloc(PageSize(), total * PageSize())));
    const hal_host_registration_desc desc{HAL_STRUCTURE_TYPE_HOST_REGISTRATION_DESC, nullptr,
                                          pages_.get(), registered * PageSize()};
    hal_drv_buffer* buffer = nullptr;
    EXPECT_EQ(table_->host_register(context_, &desc, &buffer), HAL_SUCCESS)
        << table_->last_error_message();
    if (buffer == nullptr) return nullptr;
    buffers_.push_back(buffer);
    return pages_.get();
  }

  // In `mapped` (at least 3 pages): x = 0, 1, 2... at page 1 goes to the
  // device as x and y, a dispatch makes y 3x, y comes back into page 2, and
  // page 2 goes to the device again and back into plain memory. Every copy
  // but the last is from or to the mapping, so the stream orders them as
  // buffer copies: the second copy of page 2 must carry 3x, not what the
  // page held when it was called.
  void ExpectStreamOrderedCopiesThrough(uint8_t* mapped) {
    hal_drv_module* module = LoadSaxpyModule();
    ASSERT_NE(module, nullptr);
    hal_drv_kernel* kernel = SaxpyKernel(module);
    ASSERT_NE(kernel, nullptr);
    const uint64_t page = PageSize();
    const uint32_t n = static_cast<uint32_t>(page / sizeof(float));
    auto* x = reinterpret_cast<float*>(mapped + page);
    auto* y = reinterpret_cast<float*>(mapped + 2 * page);
    for (uint32_t i = 0; i < n; ++i) x[i] = static_cast<float>(i);
    std::fill_n(y, n, -1.0f);
    hal_drv_buffer* x_buffer = Allocate(page);
    hal_drv_buffer* y_buffer = Allocate(page);
    hal_drv_buffer* again = Allocate(page);
    ASSERT_EQ(table_->stream_copy_host_to_device(stream_, x, x_buffer, 0, page), HAL_SUCCESS);
    ASSERT_EQ(table_->stream_copy_host_to_device(stream_, x, y_buffer, 0, page), HAL_SUCCESS);
    const hal_binding bindings[] = {{x_buffer, 0}, {y_buffer, 0}};
    const SaxpyConstants constants{2.0f, n};
    ASSERT_EQ(CallDispatch(stream_, kernel, {(n + 255) / 256, 1, 1}, bindings, constants),
              HAL_SUCCESS);
    ASSERT_EQ(table_->stream_copy_device_to_host(stream_, y_buffer, 0, y, page), HAL_SUCCESS);
    ASSERT_EQ(table_->stream_copy_host_to_device(stream_, y, again, 0, page), HAL_SUCCESS);
    std::vector<float> out(n);
    ASSERT_EQ(table_->stream_copy_device_to_host(stream_, again, 0, out.data(), page), HAL_SUCCESS);
    ASSERT_EQ(table_->stream_synchronize(stream_), HAL_SUCCESS) << table_->last_error_message();
    for (uint32_t i = 0; i < n; ++i) {
      ASSERT_EQ(y[i], 3.0f * i) << "element " << i << " in the mapping";
      ASSERT_EQ(out[i], 3.0f * i) << "element " << i << " copied again from the mapping";
      ASSERT_EQ(x[i], static_cast<float>(i)) << "element " << i << " of the source";
    }
  }

  // 32 bytes around `boundary`, the end of the buffer the range starts in,
  // go to the device, come back into plain memory, and back again into
  // where they were after it was cleared.
  void ExpectCopiesAcross(uint8_t* boundary) {
    uint8_t* at = boundary - 16;
    std::vector<uint8_t> written(32);
    std::iota(written.begin(), written.end(), uint8_t{0x40});
    std::copy(written.begin(), written.end(), at);
    hal_drv_buffer* device = Allocate(32);
    std::vector<uint8_t> out(32);
    ASSERT_EQ(table_->stream_copy_host_to_device(stream_, at, device, 0, 32), HAL_SUCCESS);
    ASSERT_EQ(table_->stream_copy_device_to_host(stream_, device, 0, out.data(), 32), HAL_SUCCESS);
    ASSERT_EQ(table_->stream_synchronize(stream_), HAL_SUCCESS) << table_->last_error_message();
    EXPECT_EQ(out, written);
    std::fill_n(at, 32, 0);
    ASSERT_EQ(table_->stream_copy_device_to_host(stream_, device, 0, at, 32), HAL_SUCCESS);
    ASSERT_EQ(table_->stream_synchronize(stream_), HAL_SUCCESS) << table_->last_error_message();
    EXPECT_TRUE(std::equal(written.begin(), written.end(), at));
  }

 private:
  struct Free {
    void operator()(uint8_t* pages) const { std::free(pages); }
  };
  std::unique_ptr<uint8_t, Free> pages_;
};

TEST_F(VulkanMappedCopiesAbiTest, CopiesInsideAStagingBufferAreOrderedAsBufferCopies) {
  uint64_t allocated = 0;
  uint8_t* mapped = StagingMapping(4 * PageSize(), &allocated);
  ASSERT_NE(mapped, nullptr);
  ExpectStreamOrderedCopiesThrough(mapped);
}

TEST_F(VulkanMappedCopiesAbiTest, CopiesInsideARegisteredBufferAreOrderedAsBufferCopies) {
  uint8_t* pages = RegisteredPages(4, 4);
  if (pages == nullptr && !HasFailure()) GTEST_SKIP() << "no host registration";
  ASSERT_NE(pages, nullptr);
  ExpectStreamOrderedCopiesThrough(pages);
}

// Across the end of one staging buffer into the next: the ring, and the
// bytes arrive.
TEST_F(VulkanMappedCopiesAbiTest, CopiesAcrossTwoStagingBuffersGoThroughTheRing) {
  uint64_t sizes[2] = {};
  uint8_t* mapped[2] = {StagingMapping(PageSize(), &sizes[0]),
                        StagingMapping(PageSize(), &sizes[1])};
  ASSERT_TRUE(mapped[0] != nullptr && mapped[1] != nullptr);
  const int lower = mapped[0] < mapped[1] ? 0 : 1;
  if (mapped[lower] + sizes[lower] != mapped[1 - lower]) {
    GTEST_SKIP() << "the staging buffers are not side by side in one mapping";
  }
  ExpectCopiesAcross(mapped[1 - lower]);
}

// A copy into the mapping lands after an earlier one through the ring into
// the same bytes, though the ring's bytes reach the host only when its batch
// completed.
TEST_F(VulkanMappedCopiesAbiTest, ACopyIntoTheMappingLandsAfterAnEarlierOneThroughTheRing) {
  uint8_t* pages = RegisteredPages(3, 2);
  if (pages == nullptr && !HasFailure()) GTEST_SKIP() << "no host registration";
  ASSERT_NE(pages, nullptr);
  uint8_t* end = pages + 2 * PageSize();  // of the registered range
  hal_drv_buffer* first = Allocate(32);
  hal_drv_buffer* second = Allocate(16);
  ASSERT_EQ(table_->stream_fill(stream_, first, 0, 32, 0x11111111u), HAL_SUCCESS);
  ASSERT_EQ(table_->stream_fill(stream_, second, 0, 16, 0x22222222u), HAL_SUCCESS);
  // Across the end: through the ring. Then wholly inside, over its first half.
  ASSERT_EQ(table_->stream_copy_device_to_host(stream_, first, 0, end - 16, 32), HAL_SUCCESS);
  ASSERT_EQ(table_->stream_copy_device_to_host(stream_, second, 0, end - 16, 16), HAL_SUCCESS);
  ASSERT_EQ(table_->stream_synchronize(stream_), HAL_SUCCESS) << table_->last_error_message();
  EXPECT_EQ(std::count(end - 16, end, 0x22), 16) << "the later copy's bytes";
  EXPECT_EQ(std::count(end, end + 16, 0x11), 16);
}

// Across the end of a registered range into the caller's unregistered page.
TEST_F(VulkanMappedCopiesAbiTest, CopiesAcrossTheEndOfARegisteredBufferGoThroughTheRing) {
  uint8_t* pages = RegisteredPages(3, 2);
  if (pages == nullptr && !HasFailure()) GTEST_SKIP() << "no host registration";
  ASSERT_NE(pages, nullptr);
  ExpectCopiesAcross(pages + 2 * PageSize());
}

}  // namespace
}  // namespace hal::vulkan_abi_test
