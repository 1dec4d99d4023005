#include "backends/gpu_core/event_clock.h"

#include <map>

#include "backends/gpu_core/driver_error.h"
#include "gtest/gtest.h"

namespace hal::gpu {
namespace {

// Events at exact times (in ns, as doubles); elapsed answers as the vendor
// does, a float of milliseconds.
class FakeTimeline : public AnchorSource {
 public:
  hal_result RecordAnchor(uint64_t* out_event) override {
    if (fail_anchors) return Fail(HAL_ERROR_UNAVAILABLE, "no anchor");
    *out_event = Add(now_ns);
    ++anchors_recorded;
    return HAL_SUCCESS;
  }
  void DestroyAnchor(uint64_t event) override {
    times_.erase(event);
    ++anchors_destroyed;
  }
  hal_result ElapsedMs(uint64_t from, uint64_t to, float* out_ms) override {
    *out_ms = static_cast<float>((times_.at(to) - times_.at(from)) / 1e6);
    return HAL_SUCCESS;
  }
  uint64_t Add(double ns) {
    times_[next_] = ns;
    return next_++;
  }

  double now_ns = 5e9;  // the base anchor's time on the device
  bool fail_anchors = false;
  int anchors_recorded = 0;
  int anchors_destroyed = 0;

 private:
  std::map<uint64_t, double> times_;
  uint64_t next_ = 1;
};

TEST(EventClockTest, TimestampsCountFromTheBaseAnchor) {
  FakeTimeline timeline;
  EventClock clock(timeline);
  ASSERT_EQ(clock.Start(), HAL_SUCCESS);
  uint64_t ns = 0;
  ASSERT_EQ(clock.TimestampNs(timeline.Add(5e9 + 250000), &ns), HAL_SUCCESS);
  EXPECT_NEAR(static_cast<double>(ns), 250000, 10);
}

// After an hour a single float interval is exact to only ~0.2 ms; the clock
// re-anchors so that two events 3 us apart still measure 3 us.
TEST(EventClockTest, ShortDurationsStayPreciseAfterAnHour) {
  FakeTimeline timeline;
  EventClock clock(timeline);
  ASSERT_EQ(clock.Start(), HAL_SUCCESS);
  uint64_t previous = 0;
  for (int second = 1; second <= 3600; ++second) {
    const double t = 5e9 + second * 1e9;
    timeline.now_ns = t + 100;
    uint64_t start = 0, end = 0;
    ASSERT_EQ(clock.TimestampNs(timeline.Add(t), &start), HAL_SUCCESS);
    ASSERT_EQ(clock.TimestampNs(timeline.Add(t + 3000), &end), HAL_SUCCESS);
    EXPECT_NEAR(static_cast<double>(end - start), 3000, 300) << "at second " << second;
    EXPECT_GE(start, previous) << "monotonic";
    previous = end;
  }
  EXPECT_NEAR(static_cast<double>(previous), 3600e9 + 3000, 1e6);
  EXPECT_EQ(timeline.anchors_recorded - timeline.anchors_destroyed, 1) << "one anchor kept";
}

TEST(EventClockTest, AFailedReanchorKeepsTheOldAnchor) {
  FakeTimeline timeline;
  EventClock clock(timeline);
  ASSERT_EQ(clock.Start(), HAL_SUCCESS);
  timeline.fail_anchors = true;
  uint64_t ns = 0;
  ASSERT_EQ(clock.TimestampNs(timeline.Add(5e9 + 2e9), &ns), HAL_SUCCESS);
  EXPECT_NEAR(static_cast<double>(ns), 2e9, 1e3);
}

TEST(EventClockTest, StartFailsWhenTheVendorCannotRecord) {
  FakeTimeline timeline;
  timeline.fail_anchors = true;
  EventClock clock(timeline);
  EXPECT_EQ(clock.Start(), HAL_ERROR_UNAVAILABLE);
}

}  // namespace
}  // namespace hal::gpu
