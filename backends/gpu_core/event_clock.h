// Per-context monotonic event timestamps in nanoseconds from a vendor that
// only measures the time between two events, as a float of milliseconds
// (cuEventElapsedTime, hipEventElapsedTime).
//
// Precision: a float has a 24-bit mantissa, so one interval of T ms is exact
// to about T * 6e-8 ms: 0.06 us at 1 s, but 0.2 ms after an hour. The clock
// therefore measures each event from an anchor event no more than about a
// second older: when an event lies further than kRebaseMs past the anchor,
// a new anchor is recorded and placed by one hop from the old. Durations
// between nearby events stay exact to well under a microsecond however long
// the context lives; the hop after a long idle gap carries that gap's float
// error once, as a constant offset for everything after it.
#ifndef HAL_BACKENDS_GPU_CORE_EVENT_CLOCK_H_
#define HAL_BACKENDS_GPU_CORE_EVENT_CLOCK_H_

#include <cstdint>
#include <mutex>

#include "hal/driver/hal_driver.h"

namespace hal::gpu {

// The vendor's events, as opaque 64-bit handles.
class AnchorSource {
 public:
  virtual ~AnchorSource() = default;
  // Records a new event now and waits for it to complete.
  virtual hal_result RecordAnchor(uint64_t* out_event) = 0;
  virtual void DestroyAnchor(uint64_t event) = 0;
  // Milliseconds from `from` to `to` (negative when `to` came first).
  virtual hal_result ElapsedMs(uint64_t from, uint64_t to, float* out_ms) = 0;
};

class EventClock {
 public:
  static constexpr float kRebaseMs = 1000.0f;

  explicit EventClock(AnchorSource& source) : source_(source) {}
  ~EventClock();
  EventClock(const EventClock&) = delete;
  EventClock& operator=(const EventClock&) = delete;

  // Records the base anchor: time 0 of the context's clock.
  hal_result Start();
  // The time of completed event `event` on this clock.
  hal_result TimestampNs(uint64_t event, uint64_t* out_ns);

 private:
  AnchorSource& source_;
  std::mutex mutex_;
  uint64_t anchor_ = 0;
  bool started_ = false;
  double anchor_ns_ = 0;  // the anchor's time on this clock
};

}  // namespace hal::gpu

#endif  // HAL_BACKENDS_GPU_CORE_EVENT_CLOCK_H_
