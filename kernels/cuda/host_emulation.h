// Runs the standard CUDA kernels on the host, for their tests (no GPU here):
// the CUDA C++ of kernels/cuda compiles as plain C++ with the few CUDA
// keywords it uses defined below, and Launch() runs a grid one block at a
// time, each thread of the block a std::thread, __syncthreads a barrier of
// the block, and __shared__ arrays function statics (one block runs at a
// time, so they are that block's shared memory). Include this before a
// kernel's .cu file. Slow (a thread per CUDA thread): small grids only.
#ifndef HAL_KERNELS_CUDA_HOST_EMULATION_H_
#define HAL_KERNELS_CUDA_HOST_EMULATION_H_

#include <algorithm>
#include <barrier>
#include <cstdint>
#include <thread>
#include <vector>

struct dim3 {
  uint32_t x = 1, y = 1, z = 1;
};

inline thread_local dim3 threadIdx;
inline thread_local dim3 blockIdx;
inline dim3 blockDim;
inline dim3 gridDim;
inline std::barrier<>* hal_emulated_block_barrier = nullptr;

#define __global__
#define __device__
#define __shared__ static
#define __launch_bounds__(threads)
#define __restrict__ __restrict

inline void __syncthreads() { hal_emulated_block_barrier->arrive_and_wait(); }
using std::min;

namespace hal::kernels::testing {

// Runs kernel(args...) over `grid` blocks of `block` threads, as
// kernel<<<grid, block>>>(args...) would, and returns when it is done.
template <typename... Params, typename... Args>
void Launch(void (*kernel)(Params...), dim3 grid, dim3 block, Args... args) {
  gridDim = grid;
  blockDim = block;
  const uint32_t threads = block.x * block.y * block.z;
  for (uint32_t bz = 0; bz < grid.z; ++bz) {
    for (uint32_t by = 0; by < grid.y; ++by) {
      for (uint32_t bx = 0; bx < grid.x; ++bx) {
        std::barrier<> barrier(threads);
        hal_emulated_block_barrier = &barrier;
        std::vector<std::thread> block_threads;
        for (uint32_t t = 0; t < threads; ++t) {
          const dim3 thread{t % block.x, t / block.x % block.y, t / (block.x * block.y)};
          block_threads.emplace_back([=] {
            threadIdx = thread;
            blockIdx = {bx, by, bz};
            kernel(args...);
          });
        }
        for (std::thread& thread : block_threads) thread.join();
      }
    }
  }
}

}  // namespace hal::kernels::testing

#endif  // HAL_KERNELS_CUDA_HOST_EMULATION_H_
