// Streams, copies and fills on their workers, events, and green contexts.
#include <gmock/gmock.h>

#include <vector>

#include "tests/fake_cuda/fake_cuda_fixture.h"

namespace hal::fake::cuda {
namespace {

class StreamTest : public FakeCudaTest {
 protected:
  CUstream MakeStream() {
    CUstream stream = nullptr;
    EXPECT_EQ(CU(cuStreamCreateWithPriority)(&stream, CU_STREAM_NON_BLOCKING, -1), CUDA_SUCCESS);
    return stream;
  }
  CUevent MakeEvent(unsigned int flags = 0) {
    CUevent event = nullptr;
    EXPECT_EQ(CU(cuEventCreate)(&event, flags), CUDA_SUCCESS);
    return event;
  }
};

TEST_F(StreamTest, CopiesAndFillsRunInOrderOnTheStream) {
  CUstream stream = MakeStream();
  const CUdeviceptr a = Allocate(4096);
  const CUdeviceptr b = Allocate(4096);
  std::vector<uint32_t> host(1024);
  for (uint32_t i = 0; i < 1024; ++i) host[i] = i;
  ASSERT_EQ(CU(cuMemcpyHtoDAsync)(a, host.data(), 4096, stream), CUDA_SUCCESS);
  ASSERT_EQ(CU(cuMemsetD32Async)(a + 16, 0xabcd, 2, stream), CUDA_SUCCESS);
  ASSERT_EQ(CU(cuMemcpyDtoDAsync)(b, a, 4096, stream), CUDA_SUCCESS);
  std::vector<uint32_t> back(1024);
  ASSERT_EQ(CU(cuMemcpyDtoHAsync)(back.data(), b + 8, 4096 - 8, stream), CUDA_SUCCESS);
  ASSERT_EQ(CU(cuStreamSynchronize)(stream), CUDA_SUCCESS);
  EXPECT_EQ(CU(cuStreamQuery)(stream), CUDA_SUCCESS);
  EXPECT_EQ(back[0], 2u);
  EXPECT_EQ(back[2], 0xabcdu);
  EXPECT_EQ(back[3], 0xabcdu);
  EXPECT_EQ(back[4], 6u);
  EXPECT_EQ(back[1021], 1023u);
  EXPECT_EQ(CU(cuStreamDestroy)(stream), CUDA_SUCCESS);
  EXPECT_EQ(CU(cuStreamDestroy)(stream), CUDA_ERROR_INVALID_HANDLE);
  EXPECT_EQ(CU(cuMemFree)(a), CUDA_SUCCESS);
  EXPECT_EQ(CU(cuMemFree)(b), CUDA_SUCCESS);
}

TEST_F(StreamTest, CopiesOutsideAnAllocationAreRefused) {
  const CUdeviceptr a = Allocate(512);
  std::vector<uint8_t> host(1024);
  EXPECT_EQ(CU(cuMemcpyHtoDAsync)(a, host.data(), 513, nullptr), CUDA_ERROR_INVALID_VALUE);
  EXPECT_EQ(CU(cuMemcpyDtoHAsync)(host.data(), a + 1, 512, nullptr), CUDA_ERROR_INVALID_VALUE);
  EXPECT_EQ(CU(cuMemsetD32Async)(a + 2, 0, 1, nullptr), CUDA_ERROR_INVALID_VALUE);
  EXPECT_EQ(CU(cuMemsetD32Async)(a, 0, 129, nullptr), CUDA_ERROR_INVALID_VALUE);
  EXPECT_EQ(CU(cuMemcpyHtoDAsync)(a, host.data(), 512, reinterpret_cast<CUstream>(&host)),
            CUDA_ERROR_INVALID_HANDLE);
  EXPECT_EQ(CU(cuMemFree)(a), CUDA_SUCCESS);
}

TEST_F(StreamTest, EventsMeasureTheTimeBetweenTheirRecords) {
  CUstream stream = MakeStream();
  CUevent start = MakeEvent();
  CUevent end = MakeEvent();
  float milliseconds = -1;
  EXPECT_EQ(CU(cuEventElapsedTime)(&milliseconds, start, end), CUDA_ERROR_INVALID_HANDLE);
  EXPECT_EQ(CU(cuEventQuery)(start), CUDA_SUCCESS);  // never recorded
  const size_t size = size_t{64} << 20;
  const CUdeviceptr buffer = Allocate(size);
  ASSERT_EQ(CU(cuEventRecord)(start, stream), CUDA_SUCCESS);
  ASSERT_EQ(CU(cuMemsetD32Async)(buffer, 1, size / 4, stream), CUDA_SUCCESS);
  ASSERT_EQ(CU(cuEventRecord)(end, stream), CUDA_SUCCESS);
  ASSERT_EQ(CU(cuEventSynchronize)(end), CUDA_SUCCESS);
  EXPECT_EQ(CU(cuEventQuery)(end), CUDA_SUCCESS);
  ASSERT_EQ(CU(cuEventElapsedTime)(&milliseconds, start, end), CUDA_SUCCESS);
  EXPECT_GT(milliseconds, 0.0f);  // a 64 MiB fill takes time
  EXPECT_LT(milliseconds, 10000.0f);
  CUevent untimed = MakeEvent(CU_EVENT_DISABLE_TIMING);
  ASSERT_EQ(CU(cuEventRecord)(untimed, stream), CUDA_SUCCESS);
  ASSERT_EQ(CU(cuEventSynchronize)(untimed), CUDA_SUCCESS);
  EXPECT_EQ(CU(cuEventElapsedTime)(&milliseconds, start, untimed), CUDA_ERROR_INVALID_HANDLE);
  for (CUevent event : {start, end, untimed}) EXPECT_EQ(CU(cuEventDestroy)(event), CUDA_SUCCESS);
  EXPECT_EQ(CU(cuEventDestroy)(start), CUDA_ERROR_INVALID_HANDLE);
  EXPECT_EQ(CU(cuStreamDestroy)(stream), CUDA_SUCCESS);
  EXPECT_EQ(CU(cuMemFree)(buffer), CUDA_SUCCESS);
}

TEST_F(StreamTest, AStreamWaitsForAnEventOfAnother) {
  CUstream producer = MakeStream();
  CUstream consumer = MakeStream();
  CUevent filled = MakeEvent();
  const size_t size = size_t{32} << 20;
  const CUdeviceptr buffer = Allocate(size);
  ASSERT_EQ(CU(cuMemsetD32Async)(buffer, 5, size / 4, producer), CUDA_SUCCESS);
  ASSERT_EQ(CU(cuEventRecord)(filled, producer), CUDA_SUCCESS);
  ASSERT_EQ(CU(cuStreamWaitEvent)(consumer, filled, 0), CUDA_SUCCESS);
  uint32_t last = 0;
  ASSERT_EQ(CU(cuMemcpyDtoHAsync)(&last, buffer + size - 4, 4, consumer), CUDA_SUCCESS);
  ASSERT_EQ(CU(cuStreamSynchronize)(consumer), CUDA_SUCCESS);
  EXPECT_EQ(last, 5u);
  EXPECT_EQ(CU(cuEventDestroy)(filled), CUDA_SUCCESS);
  EXPECT_EQ(CU(cuStreamDestroy)(producer), CUDA_SUCCESS);
  EXPECT_EQ(CU(cuStreamDestroy)(consumer), CUDA_SUCCESS);
  EXPECT_EQ(CU(cuMemFree)(buffer), CUDA_SUCCESS);
}

TEST_F(StreamTest, PriorityRange) {
  int least = 1, greatest = 1;
  ASSERT_EQ(CU(cuCtxGetStreamPriorityRange)(&least, &greatest), CUDA_SUCCESS);
  EXPECT_EQ(least, 0);
  EXPECT_EQ(greatest, -5);
}

class GreenContextTest : public StreamTest {
  const char* Config() const override { return "devices=2;sm=90,80;sms=132,108;green=1,1"; }

 protected:
  CUdevResource SmResource(CUdevice device) {
    CUdevResource resource{};
    EXPECT_EQ(CU(cuDeviceGetDevResource)(device, &resource, CU_DEV_RESOURCE_TYPE_SM),
              CUDA_SUCCESS);
    return resource;
  }
};

TEST_F(GreenContextTest, SplitsRoundToTheAlignmentAsOnAnH100) {
  const CUdevResource all = SmResource(0);
  EXPECT_EQ(all.sm.smCount, 132u);
  EXPECT_EQ(all.sm.minSmPartitionSize, 8u);
  EXPECT_EQ(all.sm.smCoscheduledAlignment, 8u);
  CUdevResource groups[4] = {};
  CUdevResource remaining{};
  unsigned int count = 4;
  ASSERT_EQ(CU(cuDevSmResourceSplitByCount)(groups, &count, &all, &remaining, 0, 33),
            CUDA_SUCCESS);
  EXPECT_EQ(count, 3u);  // 132 / 40
  EXPECT_EQ(groups[0].sm.smCount, 40u);
  EXPECT_EQ(remaining.sm.smCount, 12u);
  count = 1;
  ASSERT_EQ(CU(cuDevSmResourceSplitByCount)(groups, &count, &all, nullptr, 0, 3), CUDA_SUCCESS);
  EXPECT_EQ(groups[0].sm.smCount, 8u);  // the minimum partition
  EXPECT_EQ(CU(cuDevSmResourceSplitByCount)(groups, &count, &all, nullptr, 0, 200),
            CUDA_ERROR_INVALID_RESOURCE_CONFIGURATION);
  const CUdevResource older = SmResource(1);
  EXPECT_EQ(older.sm.smCoscheduledAlignment, 2u);
  count = 1;
  ASSERT_EQ(CU(cuDevSmResourceSplitByCount)(groups, &count, &older, nullptr, 0, 33),
            CUDA_SUCCESS);
  EXPECT_EQ(groups[0].sm.smCount, 34u);
}

TEST_F(GreenContextTest, StreamsOfAGreenContextRunAndReportTheirSms) {
  const CUdevResource all = SmResource(0);
  CUdevResource group{};
  unsigned int count = 1;
  ASSERT_EQ(CU(cuDevSmResourceSplitByCount)(&group, &count, &all, nullptr, 0, 16), CUDA_SUCCESS);
  CUdevResourceDesc desc = nullptr;
  ASSERT_EQ(CU(cuDevResourceGenerateDesc)(&desc, &group, 1), CUDA_SUCCESS);
  CUgreenCtx green = nullptr;
  ASSERT_EQ(CU(cuGreenCtxCreate)(&green, desc, 0, CU_GREEN_CTX_DEFAULT_STREAM), CUDA_SUCCESS);
  CUcontext as_context = nullptr;
  ASSERT_EQ(CU(cuCtxFromGreenCtx)(&as_context, green), CUDA_SUCCESS);
  CUstream stream = nullptr;
  EXPECT_EQ(CU(cuGreenCtxStreamCreate)(&stream, green, 0, 0), CUDA_ERROR_INVALID_VALUE);
  ASSERT_EQ(CU(cuGreenCtxStreamCreate)(&stream, green, CU_STREAM_NON_BLOCKING, 0), CUDA_SUCCESS);
  EXPECT_EQ(control_.stream_sm_count(reinterpret_cast<uintptr_t>(stream)), 16u);
  CUstream plain = MakeStream();
  EXPECT_EQ(control_.stream_sm_count(reinterpret_cast<uintptr_t>(plain)), 0u);
  ASSERT_EQ(CU(cuCtxPushCurrent)(as_context), CUDA_SUCCESS);
  const CUdeviceptr buffer = Allocate(64);
  ASSERT_EQ(CU(cuMemsetD32Async)(buffer, 3, 16, stream), CUDA_SUCCESS);
  uint32_t word = 0;
  ASSERT_EQ(CU(cuMemcpyDtoHAsync)(&word, buffer + 60, 4, stream), CUDA_SUCCESS);
  ASSERT_EQ(CU(cuStreamSynchronize)(stream), CUDA_SUCCESS);
  EXPECT_EQ(word, 3u);
  EXPECT_EQ(CU(cuMemFree)(buffer), CUDA_SUCCESS);
  CUcontext popped = nullptr;
  ASSERT_EQ(CU(cuCtxPopCurrent)(&popped), CUDA_SUCCESS);
  EXPECT_EQ(CU(cuGreenCtxDestroy)(green), CUDA_ERROR_CONTEXT_IS_DESTROYED);  // a stream lives
  EXPECT_EQ(CU(cuStreamDestroy)(stream), CUDA_SUCCESS);
  EXPECT_EQ(CU(cuStreamDestroy)(plain), CUDA_SUCCESS);
  EXPECT_EQ(CU(cuGreenCtxDestroy)(green), CUDA_SUCCESS);
  EXPECT_EQ(CU(cuCtxFromGreenCtx)(&as_context, green), CUDA_ERROR_INVALID_CONTEXT);
}

class NoGreenTest : public StreamTest {
  const char* Config() const override { return "green=0"; }
};

TEST_F(NoGreenTest, ADeviceWithoutGreenContextsSaysSo) {
  CUdevResource resource{};
  EXPECT_EQ(CU(cuDeviceGetDevResource)(0, &resource, CU_DEV_RESOURCE_TYPE_SM),
            CUDA_ERROR_NOT_SUPPORTED);
}

}  // namespace
}  // namespace hal::fake::cuda
