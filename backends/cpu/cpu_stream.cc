#include "backends/cpu/cpu_stream.h"

#include <utility>
#include <variant>

namespace hal::cpu {

Stream::Stream(Context& context) : context_(context), worker_([this] { WorkerLoop(); }) {}

Stream::~Stream() {
  stopping_.store(true);
  work_submitted_.NotifyAll();
  worker_.join();
}

void Stream::Submit(Command command) {
  {
    std::lock_guard lock(pending_mutex_);
    pending_.push_back(std::move(command));
  }
  submitted_.fetch_add(1);
  work_submitted_.NotifyAll();
}

void Stream::Synchronize() {
  const uint64_t target = submitted_.load(std::memory_order_relaxed);
  work_completed_.Wait([this, target] { return completed_.load() >= target; });
}

bool Stream::Idle() const {
  const uint64_t target = submitted_.load(std::memory_order_relaxed);
  if (completed_.load() >= target) return true;
  std::lock_guard lock(signal_mutex_);
  return completed_.load() >= target;
}

void Stream::WorkerLoop() {
  // The worker takes all pending commands at once and swaps vectors with the
  // submitter, so in a steady state no submission allocates.
  std::vector<Command> batch;
  uint64_t completed = 0;
  for (;;) {
    work_submitted_.Wait([&] { return submitted_.load() > completed || stopping_.load(); });
    {
      std::lock_guard lock(pending_mutex_);
      batch.swap(pending_);
    }
    // Woken by stopping_ with nothing left: the destructor submits no more.
    if (batch.empty()) return;
    for (const Command& command : batch) {
      std::unique_lock signal_lock(signal_mutex_, std::defer_lock);
      if (std::holds_alternative<SignalEventCommand>(command)) signal_lock.lock();
      Execute(command, context_.pool());
      completed_.store(++completed);
      if (signal_lock.owns_lock()) signal_lock.unlock();
      work_completed_.NotifyAll();
    }
    batch.clear();
  }
}

}  // namespace hal::cpu
