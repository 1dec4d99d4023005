#include "backends/gpu_core/event_clock.h"

#include <algorithm>

namespace hal::gpu {
namespace {

constexpr double kNsPerMs = 1e6;

}  // namespace

EventClock::~EventClock() {
  if (started_) source_.DestroyAnchor(anchor_);
}

hal_result EventClock::Start() {
  std::lock_guard lock(mutex_);
  if (const hal_result result = source_.RecordAnchor(&anchor_); result != HAL_SUCCESS) return result;
  started_ = true;
  anchor_ns_ = 0;
  return HAL_SUCCESS;
}

hal_result EventClock::TimestampNs(uint64_t event, uint64_t* out_ns) {
  std::lock_guard lock(mutex_);
  float ms = 0;
  if (const hal_result result = source_.ElapsedMs(anchor_, event, &ms); result != HAL_SUCCESS) {
    return result;
  }
  if (ms > kRebaseMs) {
    // Move the anchor up to now; the event is then measured from it over a
    // short, precise interval (negative: the event came before the anchor).
    uint64_t next = 0;
    float hop_ms = 0;
    float event_ms = 0;
    if (source_.RecordAnchor(&next) == HAL_SUCCESS) {
      if (source_.ElapsedMs(anchor_, next, &hop_ms) == HAL_SUCCESS &&
          source_.ElapsedMs(next, event, &event_ms) == HAL_SUCCESS) {
        source_.DestroyAnchor(anchor_);
        anchor_ = next;
        anchor_ns_ += hop_ms * kNsPerMs;
        ms = event_ms;
      } else {
        source_.DestroyAnchor(next);
      }
    }
  }
  *out_ns = static_cast<uint64_t>(std::max(0.0, anchor_ns_ + ms * kNsPerMs));
  return HAL_SUCCESS;
}

}  // namespace hal::gpu
