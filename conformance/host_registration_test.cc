// Device::RegisterHostMemory (Capability::kHostRegistration): the caller's
// pages as a host-staging buffer that copies read and write in place, which
// takes no device memory and leaves the memory to the caller when released.
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <vector>

#include "conformance/buffer_io.h"
#include "conformance/coverage/coverage.h"
#include "conformance/device_test.h"
#include "conformance/status_matchers.h"

namespace hal::cts {
namespace {

class HostRegistration : public DeviceTest {
 protected:
  // Page-aligned memory of the test's own, freed after the test.
  uint8_t* CallerPages(uint64_t size) {
    pages_.reset(static_cast<uint8_t*>(std::aligned_alloc(PageSize(), size)));
    return pages_.get();
  }
  static uint64_t PageSize() { return static_cast<uint64_t>(sysconf(_SC_PAGESIZE)); }

 private:
  struct Free {
    void operator()(uint8_t* pages) const { std::free(pages); }
  };
  // Declared first among the test's objects, so destroyed after its buffers.
  std::unique_ptr<uint8_t, Free> pages_;
};

HAL_CTS_COVERS("HostRegistration.CopiesReadAndWriteTheCallersPagesInPlace",
               {"host_register", "success"});
TEST_P(HostRegistration, CopiesReadAndWriteTheCallersPagesInPlace) {
  HAL_CTS_REQUIRE_CAPABILITY(Capability::kHostRegistration);
  const uint64_t size = 4 * PageSize();
  uint8_t* pages = CallerPages(size);
  for (uint64_t i = 0; i < size; ++i) pages[i] = static_cast<uint8_t>(i * 31 + 7);
  const std::vector<uint8_t> written(pages, pages + size);
  const uint64_t allocated_before = device().allocated_bytes();
  HAL_CTS_ASSERT_OK_AND_ASSIGN(std::shared_ptr<Buffer> registered,
                               device().RegisterHostMemory(pages, size));
  EXPECT_EQ(registered->kind(), BufferKind::kHostStaging);
  EXPECT_EQ(registered->size(), size);
  EXPECT_EQ(device().allocated_bytes(), allocated_before) << "it takes no device memory";
  HAL_CTS_ASSERT_OK_AND_ASSIGN(void* mapped, registered->Map());
  EXPECT_EQ(mapped, pages);

  // Registered -> device -> host: the device read the caller's bytes.
  HAL_CTS_ASSERT_OK_AND_ASSIGN(std::shared_ptr<Buffer> device_buffer, device().Allocate(size));
  HAL_CTS_ASSERT_OK(queue().CopyBuffer(*registered, 0, *device_buffer, 0, size));
  HAL_CTS_ASSERT_OK_AND_ASSIGN(std::vector<uint8_t> read, DownloadBytes(queue(), *device_buffer));
  EXPECT_TRUE(read == written);
  // Device -> registered, at an offset: the caller's pages changed in place.
  HAL_CTS_ASSERT_OK(queue().Fill(*device_buffer, 0, size, 0xa5a5a5a5u));
  HAL_CTS_ASSERT_OK(queue().CopyBuffer(*device_buffer, 0, *registered, PageSize(), PageSize()));
  HAL_CTS_ASSERT_OK(queue().Synchronize());
  EXPECT_TRUE(std::equal(pages, pages + PageSize(), written.begin())) << "outside the copy";
  EXPECT_EQ(std::count(pages + PageSize(), pages + 2 * PageSize(), 0xa5),
            static_cast<ptrdiff_t>(PageSize()));
  // Host <-> registered.
  HAL_CTS_ASSERT_OK(queue().CopyHostToDevice(written.data(), *registered, 0, size));
  HAL_CTS_ASSERT_OK(queue().Synchronize());
  EXPECT_TRUE(std::equal(pages, pages + size, written.begin()));

  registered.reset();
  EXPECT_TRUE(std::equal(pages, pages + size, written.begin())) << "released, untouched";
}

TEST_P(HostRegistration, UnalignedMemoryIsInvalidArgument) {
  HAL_CTS_REQUIRE_CAPABILITY(Capability::kHostRegistration);
  uint8_t* pages = CallerPages(2 * PageSize());
  EXPECT_THAT(device().RegisterHostMemory(pages + 1, PageSize()),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(device().RegisterHostMemory(pages, PageSize() - 1),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(device().RegisterHostMemory(nullptr, PageSize()),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

HAL_CTS_COVERS("HostRegistration.UnimplementedWithoutTheCapability",
               {"host_register", "capability-absent"});
TEST_P(HostRegistration, UnimplementedWithoutTheCapability) {
  if (properties().capabilities.has(Capability::kHostRegistration)) {
    HAL_CTS_SKIP_UNSUPPORTED("the driver reports the host-registration capability");
  }
  uint8_t* pages = CallerPages(PageSize());
  EXPECT_THAT(device().RegisterHostMemory(pages, PageSize()),
              StatusIs(absl::StatusCode::kUnimplemented));
}

HAL_CTS_INSTANTIATE_DEVICE_TESTS(HostRegistration);

}  // namespace
}  // namespace hal::cts
