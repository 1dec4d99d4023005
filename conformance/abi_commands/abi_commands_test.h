// What the table-level tests of commands (streams, copies, fills, events,
// modules, kernels, dispatch) share, on top of DriverTableTest: kernels of the
// standard set by name, dispatch with a typed push-constant block, host bytes
// in and out of buffers, and a stream kept busy long enough to watch
// "not ready" answers.
#ifndef HAL_CONFORMANCE_ABI_COMMANDS_ABI_COMMANDS_TEST_H_
#define HAL_CONFORMANCE_ABI_COMMANDS_ABI_COMMANDS_TEST_H_

#include <array>
#include <cstdint>
#include <cstring>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "conformance/abi/driver_table_test.h"
#include "hal/kernel_bundle.h"
#include "hal/driver/hal_driver.h"

namespace hal::cts {

// `size` bytes in which neighbours differ and no short period repeats, so a
// shifted or partial copy shows: byte i is (i * 7 + seed) mod 251, plus 1.
std::vector<uint8_t> PatternBytes(size_t size, uint8_t seed = 0);

class AbiCommandsTest : public DriverTableTest {
 protected:
  // A kernel of the standard set with the module that holds it (kernels live
  // as long as their module).
  struct LoadedKernel {
    DrvModule module;
    hal_drv_kernel* kernel = nullptr;
  };
  // An image of the standard bundle that this device takes and that holds
  // `kernel_name` (alone or with every other kernel); null (and a failure)
  // when the bundle has none.
  const KernelImage* ImageHolding(absl::string_view kernel_name) const;
  // An image of the standard bundle in a format this device does not take;
  // null (and a failure) when the bundle has none.
  const KernelImage* ForeignImage() const;
  // module_load of `size` bytes at `image` in `format`.
  hal_result LoadModule(const char* format, const void* image, size_t size,
                        hal_drv_module** out_module);
  // The manifest's signature of `name` (a failure and zeros when absent).
  hal_kernel_signature ManifestSignature(absl::string_view name) const;
  // kernel_get of `name` with `signature`.
  hal_result GetKernel(hal_drv_module* module, absl::string_view name,
                       const hal_kernel_signature& signature, hal_drv_kernel** out_kernel);
  // LoadStandardModule(name) and GetStandardKernel; a null kernel (and a
  // failure) on error.
  LoadedKernel LoadKernel(absl::string_view name);

  // stream_dispatch of `kernel` over `grid` with `bindings` and `constants`
  // as the push-constant block (none for the kernels that take none).
  template <typename Constants>
  hal_result Dispatch(const DrvStream& stream, hal_drv_kernel* kernel,
                      const std::array<uint32_t, 3>& grid, absl::Span<const hal_binding> bindings,
                      const Constants& constants) {
    return DispatchRaw(stream, kernel, grid, bindings, &constants, sizeof(constants));
  }
  hal_result DispatchRaw(const DrvStream& stream, hal_drv_kernel* kernel,
                         const std::array<uint32_t, 3>& grid,
                         absl::Span<const hal_binding> bindings, const void* push_constants,
                         uint32_t push_constant_size);

  // stream_copy_host_to_device of `bytes` at `offset`, then stream_synchronize.
  void Write(const DrvStream& stream, hal_drv_buffer* buffer, uint64_t offset,
             absl::Span<const uint8_t> bytes);
  // ReadBack as `count` values of T.
  template <typename T>
  std::vector<T> ReadBackAs(const DrvStream& stream, hal_drv_buffer* buffer, uint64_t offset,
                            size_t count) {
    const std::vector<uint8_t> bytes = ReadBack(stream, buffer, offset, count * sizeof(T));
    std::vector<T> values(bytes.size() / sizeof(T));
    if (!values.empty()) std::memcpy(values.data(), bytes.data(), values.size() * sizeof(T));
    return values;
  }
  // stream_signal_event, failing the test on error.
  void Signal(const DrvStream& stream, hal_drv_event* event);
  // event_timestamp_ns of a reached event, failing the test on error.
  uint64_t Timestamp(hal_drv_event* event);

  // Checks an answer given while a stream is busy. Each attempt enqueues on
  // `stream` a chain of 128x128x128 gemm_f32 dispatches, then the signal of a
  // witness event, then what `then()` enqueues; asks `query()`; and then asks
  // whether the witness was reached. HAL_NOT_READY there proves that all the
  // chain precedes was still pending when `query` answered, which must then
  // have been `expected`. Chains double from 1 to 1024 gemms until that proof
  // comes (a failure says so when it never does); every attempt is
  // synchronized. No answer is judged without the proof, so a loaded machine
  // makes the test slower, never flaky.
  void ExpectAnswerWhileBusy(const DrvStream& stream, absl::FunctionRef<void()> then,
                             absl::FunctionRef<hal_result()> query, hal_result expected);
  // Enqueues `rounds` gemm_f32 dispatches (128x128x128 on buffers of ones)
  // on `stream`; the first call loads the kernel and its buffers.
  void EnqueueGemmChain(const DrvStream& stream, int rounds);
  // What EnqueueGemmChain's last gemm leaves in every element of C.
  static constexpr float kGemmChainResult = 128.0f;
  // The chain's output, for tests that check the chain ran to its end.
  hal_drv_buffer* gemm_chain_output() const { return gemm_c_.get(); }

  // DriverTableTest::SetUp, then stream(); TearDown releases what the
  // fixture holds before the context goes.
  void SetUp() override;
  void TearDown() override;
  // A stream of normal priority, created in SetUp.
  const DrvStream& stream() const { return stream_; }

 private:
  DrvStream stream_;
  LoadedKernel gemm_;
  DrvBuffer gemm_ab_;
  DrvBuffer gemm_c_;
};

}  // namespace hal::cts

#endif  // HAL_CONFORMANCE_ABI_COMMANDS_ABI_COMMANDS_TEST_H_
