// Kernels stay inside their bindings: a standard kernel given an n larger
// than its buffers, on a virtual device, leaves the buffer allocated right
// after its binding, and another tenant's buffer, as they were, and the
// process alive. The CPU driver's kernels skip what their bindings do not
// hold; Vulkan virtual-device contexts have robust buffer access
// (docs/virtual-devices.md, "Isolation").
#include <cstdint>
#include <memory>
#include <vector>

#include "conformance/buffer_io.h"
#include "conformance/byte_units.h"
#include "conformance/device_test.h"
#include "conformance/standard_kernels.h"
#include "conformance/status_matchers.h"

namespace hal::cts {
namespace {

constexpr uint32_t kSmallElements = 1024;  // a 4 KiB binding
constexpr uint32_t kClaimed = 1u << 22;    // the n the kernels are told: 16 MiB of floats
constexpr uint32_t kPattern = 0x7E57AB1E;  // what the neighbours hold

class BindingBounds : public DeviceTest {
 protected:
  void SetUp() override {
    DeviceTest::SetUp();
    if (IsSkipped()) return;
    PoolOptions options;
    options.capacity_caps[physical_device().id()] = 128 * kMiB;
    HAL_CTS_ASSERT_OK_AND_ASSIGN(pool_, Pool::Create({&physical_device()}, options));
    HAL_CTS_ASSERT_OK_AND_ASSIGN(tenant_, pool_->CreateVirtualDevice(Spec("careless")));
    HAL_CTS_ASSERT_OK_AND_ASSIGN(other_, pool_->CreateVirtualDevice(Spec("bystander")));
    HAL_CTS_ASSERT_OK_AND_ASSIGN(queue_, tenant_->device()->CreateQueue());
    HAL_CTS_ASSERT_OK_AND_ASSIGN(other_queue_, other_->device()->CreateQueue());
    HAL_CTS_ASSERT_OK_AND_ASSIGN(other_buffer_, Patterned(*other_, *other_queue_, 4 * kMiB));
  }

  static VirtualDeviceSpec Spec(const std::string& name) {
    VirtualDeviceSpec spec;
    spec.name = name;
    spec.memory_quota = 48 * kMiB;
    spec.compute_share = 0.5;
    return spec;
  }

  // A new buffer of the careless tenant holding `values`, and the buffer
  // allocated right after it, which holds kPattern.
  std::shared_ptr<Buffer> SmallWithNeighbour(const std::vector<float>& values) {
    auto small = Upload<float>(*tenant_->device(), *queue_, values);
    EXPECT_TRUE(small.ok()) << small.status();
    auto neighbour = Patterned(*tenant_, *queue_, 4 * kMiB);
    EXPECT_TRUE(neighbour.ok()) << neighbour.status();
    if (neighbour.ok()) neighbours_.push_back(*neighbour);
    return small.ok() ? *small : nullptr;
  }

  std::shared_ptr<Buffer> Large(uint64_t elements) {
    auto buffer = Upload<float>(*tenant_->device(), *queue_, std::vector<float>(elements, 1.0f));
    EXPECT_TRUE(buffer.ok()) << buffer.status();
    return buffer.ok() ? *buffer : nullptr;
  }

  absl::StatusOr<std::shared_ptr<Kernel>> Load(absl::string_view name) {
    return tenant_->device()->LoadKernel(kernels(), name);
  }

  // The dispatch completed without error and no neighbour changed.
  template <typename Constants>
  void RunAndExpectNeighboursIntact(const Kernel& kernel, GridSize grid,
                                    absl::Span<const BufferBinding> bindings,
                                    const Constants& constants) {
    HAL_CTS_ASSERT_OK(queue_->Dispatch(kernel, grid, bindings, constants));
    HAL_CTS_ASSERT_OK(queue_->Synchronize());
    for (const auto& neighbour : neighbours_) ExpectPattern(*queue_, *neighbour, "the neighbour");
    ExpectPattern(*other_queue_, *other_buffer_, "another tenant's buffer");
  }

  GridSize GridOver(uint64_t elements, uint64_t per_workgroup) const {
    return GridFor(WorkgroupsFor(elements, per_workgroup), properties().max_workgroup_count[0]);
  }

  Queue& tenant_queue() { return *queue_; }

 private:
  static absl::StatusOr<std::shared_ptr<Buffer>> Patterned(VirtualDevice& vd, Queue& queue,
                                                           uint64_t size) {
    HAL_ASSIGN_OR_RETURN(std::shared_ptr<Buffer> buffer, vd.device()->Allocate(size));
    HAL_RETURN_IF_ERROR(queue.Fill(*buffer, 0, size, kPattern));
    HAL_RETURN_IF_ERROR(queue.Synchronize());
    return buffer;
  }

  static void ExpectPattern(Queue& queue, const Buffer& buffer, const char* what) {
    auto words = Download<uint32_t>(queue, buffer, buffer.size() / sizeof(uint32_t));
    ASSERT_TRUE(words.ok()) << words.status();
    for (size_t i = 0; i < words->size(); ++i) {
      ASSERT_EQ((*words)[i], kPattern) << what << " changed at word " << i;
    }
  }

  std::unique_ptr<Pool> pool_;
  std::shared_ptr<VirtualDevice> tenant_;
  std::shared_ptr<VirtualDevice> other_;
  std::unique_ptr<Queue> queue_;
  std::unique_ptr<Queue> other_queue_;
  std::shared_ptr<Buffer> other_buffer_;
  std::vector<std::shared_ptr<Buffer>> neighbours_;
};

TEST_P(BindingBounds, FillF32WritesOnlyItsBinding) {
  HAL_CTS_ASSERT_OK_AND_ASSIGN(auto kernel, Load("fill_f32"));
  auto out = SmallWithNeighbour(std::vector<float>(kSmallElements, 0.0f));
  ASSERT_NE(out, nullptr);
  const BufferBinding bindings[] = {{out.get(), 0}};
  RunAndExpectNeighboursIntact(*kernel, GridOver(kClaimed, kElementwiseWorkgroupSize), bindings,
                               FillF32Constants{4.5f, kClaimed});
  HAL_CTS_ASSERT_OK_AND_ASSIGN(auto got, Download<float>(tenant_queue(), *out, kSmallElements));
  for (uint32_t i = 0; i < kSmallElements; ++i) ASSERT_EQ(got[i], 4.5f) << "element " << i;
}

TEST_P(BindingBounds, SaxpyF32WritesOnlyItsBinding) {
  HAL_CTS_ASSERT_OK_AND_ASSIGN(auto kernel, Load("saxpy_f32"));
  auto x = Large(kClaimed);
  auto y = SmallWithNeighbour(std::vector<float>(kSmallElements, 0.0f));
  ASSERT_TRUE(x && y);
  const BufferBinding bindings[] = {{x.get(), 0}, {y.get(), 0}};
  RunAndExpectNeighboursIntact(*kernel, GridOver(kClaimed, kElementwiseWorkgroupSize), bindings,
                               SaxpyF32Constants{2.0f, kClaimed});
}

TEST_P(BindingBounds, SaxpyF32ReadsNothingPastItsBinding) {
  HAL_CTS_ASSERT_OK_AND_ASSIGN(auto kernel, Load("saxpy_f32"));
  auto x = SmallWithNeighbour(std::vector<float>(kSmallElements, 3.0f));
  auto y = Large(kClaimed);
  ASSERT_TRUE(x && y);
  const BufferBinding bindings[] = {{x.get(), 0}, {y.get(), 0}};
  RunAndExpectNeighboursIntact(*kernel, GridOver(kClaimed, kElementwiseWorkgroupSize), bindings,
                               SaxpyF32Constants{1.0f, kClaimed});
  // Past x, an element is skipped (CPU) or reads zero (robust access): y
  // keeps its 1.0 either way and never shows the neighbour's pattern.
  HAL_CTS_ASSERT_OK_AND_ASSIGN(auto got, Download<float>(tenant_queue(), *y, kClaimed));
  for (uint32_t i = x->size() / sizeof(float); i < kClaimed; ++i) {
    ASSERT_EQ(got[i], 1.0f) << "element " << i;
  }
}

TEST_P(BindingBounds, VectorAddI32WritesOnlyItsBinding) {
  HAL_CTS_ASSERT_OK_AND_ASSIGN(auto kernel, Load("vector_add_i32"));
  auto a = Large(kClaimed);
  auto b = Large(kClaimed);
  auto c = SmallWithNeighbour(std::vector<float>(kSmallElements, 0.0f));
  ASSERT_TRUE(a && b && c);
  const BufferBinding bindings[] = {{a.get(), 0}, {b.get(), 0}, {c.get(), 0}};
  RunAndExpectNeighboursIntact(*kernel, GridOver(kClaimed, kElementwiseWorkgroupSize), bindings,
                               VectorAddI32Constants{kClaimed});
}

TEST_P(BindingBounds, ReduceSumF32WritesOnlyThePartialsItsOutputHolds) {
  HAL_CTS_ASSERT_OK_AND_ASSIGN(auto kernel, Load("reduce_sum_f32"));
  constexpr uint32_t kPerWorkgroup = 256;
  auto in = Large(kClaimed);
  auto out = SmallWithNeighbour(std::vector<float>(kSmallElements, 0.0f));  // of 16384 partials
  ASSERT_TRUE(in && out);
  const BufferBinding bindings[] = {{in.get(), 0}, {out.get(), 0}};
  RunAndExpectNeighboursIntact(*kernel, GridOver(kClaimed, kPerWorkgroup), bindings,
                               ReduceSumF32Constants{kClaimed, kPerWorkgroup});
}

TEST_P(BindingBounds, GemmF32WritesOnlyItsBinding) {
  HAL_CTS_ASSERT_OK_AND_ASSIGN(auto kernel, Load("gemm_f32"));
  constexpr uint32_t kSide = 512;  // C would be 1 MiB; it is 4 KiB
  auto a = Large(kSide * kSide);
  auto b = Large(kSide * kSide);
  auto c = SmallWithNeighbour(std::vector<float>(kSmallElements, 0.0f));
  ASSERT_TRUE(a && b && c);
  const BufferBinding bindings[] = {{a.get(), 0}, {b.get(), 0}, {c.get(), 0}};
  RunAndExpectNeighboursIntact(*kernel, {kSide / kGemmTile, kSide / kGemmTile, 1}, bindings,
                               GemmF32Constants{kSide, kSide, kSide, 1.0f, 1.0f});
}

}  // namespace

HAL_CTS_INSTANTIATE_DEVICE_TESTS(BindingBounds);

}  // namespace hal::cts
