#include "backends/cpu/cpu_commands.h"

#include <algorithm>
#include <bit>
#include <cstring>

#include "backends/common/streaming_stores.h"

namespace hal::cpu {
namespace {

static_assert(std::endian::native == std::endian::little,
              "fill patterns are little-endian and are stored as native words");
static_assert(ThreadPool::kBlockBytes % sizeof(uint32_t) == 0, "fill blocks keep whole words");

bool Overlap(const std::byte* first, const std::byte* second, uint64_t size) {
  const auto a = reinterpret_cast<uintptr_t>(first);
  const auto b = reinterpret_cast<uintptr_t>(second);
  return a < b + size && b < a + size;
}

void ExecuteCopy(const CopyCommand& copy, ThreadPool& pool) {
  // A buffer copied onto an overlapping range of itself copies as memmove
  // does; parallel blocks could read bytes another block already overwrote.
  if (Overlap(copy.source, copy.destination, copy.size)) {
    std::memmove(copy.destination, copy.source, copy.size);
    return;
  }
  pool.Copy(copy.destination, copy.source, copy.size, copy.streaming_stores);
}

void ExecuteFill(const FillCommand& fill, ThreadPool& pool) {
  pool.ForEachBlock(fill.size, [&](uint64_t begin, uint64_t end) {
    auto* words = reinterpret_cast<uint32_t*>(fill.destination + begin);
    if (fill.streaming_stores) {
      driver_support::StreamingFill(words, (end - begin) / sizeof(uint32_t), fill.pattern);
    } else {
      driver_support::FillWords(words, (end - begin) / sizeof(uint32_t), fill.pattern);
    }
  });
}

void ExecuteDispatch(const DispatchCommand& dispatch, ThreadPool& pool) {
  const uint32_t* count = dispatch.workgroup_count;
  const uint64_t total = uint64_t{count[0]} * count[1] * count[2];
  pool.ParallelFor(total, [&](uint64_t begin, uint64_t end) {
    hal_cpu_dispatch args{};
    std::copy_n(dispatch.workgroup_count, 3, args.workgroup_count);
    std::copy_n(dispatch.workgroup_size, 3, args.workgroup_size);
    args.bindings = dispatch.bindings.data();
    args.binding_count = dispatch.binding_count;
    args.binding_sizes = dispatch.binding_sizes.data();
    args.push_constants = dispatch.push_constants.data();
    args.push_constant_size = dispatch.push_constant_size;
    // x varies fastest; step the id instead of dividing for every workgroup.
    uint32_t* id = args.workgroup_id;
    id[0] = static_cast<uint32_t>(begin % count[0]);
    id[1] = static_cast<uint32_t>(begin / count[0] % count[1]);
    id[2] = static_cast<uint32_t>(begin / count[0] / count[1]);
    for (uint64_t flat = begin; flat < end; ++flat) {
      dispatch.function(&args);
      if (++id[0] == count[0]) {
        id[0] = 0;
        if (++id[1] == count[1]) {
          id[1] = 0;
          ++id[2];
        }
      }
    }
  });
}

}  // namespace

void Execute(const Command& command, ThreadPool& pool) {
  struct Executor {
    ThreadPool& pool;
    void operator()(const CopyCommand& copy) const { ExecuteCopy(copy, pool); }
    void operator()(const FillCommand& fill) const { ExecuteFill(fill, pool); }
    void operator()(const DispatchCommand& dispatch) const { ExecuteDispatch(dispatch, pool); }
    void operator()(const SignalEventCommand& signal) const {
      signal.event->CompleteSignal(signal.generation);
    }
    void operator()(const WaitEventCommand& wait) const { wait.event->WaitFor(wait.generation); }
  };
  std::visit(Executor{pool}, command);
}

}  // namespace hal::cpu
