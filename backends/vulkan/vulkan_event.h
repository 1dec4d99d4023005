// Timelines (a stream's timeline semaphore) and events: an event remembers the
// timeline value of its latest signal and holds a one-query timestamp pool the
// signalling stream writes.
#ifndef HAL_BACKENDS_VULKAN_VULKAN_EVENT_H_
#define HAL_BACKENDS_VULKAN_VULKAN_EVENT_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>

#include "backends/vulkan/vulkan_symbols.h"
#include "hal/driver/hal_driver.h"

namespace hal::vulkan {

class Context;

// What submits a timeline's recorded work: its stream.
class TimelineSubmitter {
 public:
  virtual ~TimelineSubmitter() = default;
  // Submits everything recorded so far. Called with the timeline's submit
  // mutex held.
  virtual hal_result SubmitRecorded() = 0;
  // Finishes the host side of completed work (device-to-host copies out of
  // staging). Called with the timeline's submit mutex held.
  virtual hal_result CompleteHostWork() = 0;
};

// A timeline semaphore, shared by its stream and the events it signalled, so
// that an event outliving its stream can still be queried.
//
// A stream records an event's signal into its open batch without submitting
// it (a submission per event would make every timed dispatch three). A waiter
// for a value the stream has not submitted yet calls EnsureSubmitted, which
// has the stream submit it. The stream holds submit_mutex() while it records
// or submits, so the two never interleave; the mutex is taken alone, never
// while holding another stream's.
class Timeline {
 public:
  static hal_result Create(Context& context, std::shared_ptr<Timeline>* out_timeline);
  ~Timeline();
  Timeline(const Timeline&) = delete;
  Timeline& operator=(const Timeline&) = delete;

  VkSemaphore semaphore() const { return semaphore_; }
  // The counter value at creation: a recycled semaphore keeps counting from
  // where its previous stream left it.
  uint64_t initial_value() const { return initial_value_; }
  hal_result Wait(uint64_t value) const;
  hal_result Reached(uint64_t value, bool* out_reached) const;

  std::mutex& submit_mutex() { return submit_mutex_; }
  // Set and cleared by the stream, with submit_mutex() held.
  void set_submitter(TimelineSubmitter* submitter) { submitter_ = submitter; }
  // The stream submitted the batch signalling `value` (submit_mutex() held).
  void MarkSubmitted(uint64_t value) { submitted_.store(value, std::memory_order_release); }
  // Makes sure the batch that signals `value` was submitted. Without
  // `may_block`, HAL_NOT_READY when the stream is busy recording.
  hal_result EnsureSubmitted(uint64_t value, bool may_block);
  // The oldest timeline value whose batch has host work left (UINT64_MAX:
  // none), kept by the stream with submit_mutex() held.
  void set_host_work_from(uint64_t value) {
    host_work_from_.store(value, std::memory_order_release);
  }
  // Once `value` was reached: has the stream finish the host work of the
  // batches up to it, so that what they copied to the host is there. Without
  // `may_block`, HAL_NOT_READY when the stream is busy recording.
  hal_result CompleteHostWork(uint64_t value, bool may_block);

 private:
  explicit Timeline(Context& context) : context_(context) {}
  Context& context_;
  VkSemaphore semaphore_ = VK_NULL_HANDLE;
  uint64_t initial_value_ = 0;
  std::atomic<uint64_t> submitted_{0};
  std::atomic<uint64_t> host_work_from_{UINT64_MAX};
  std::mutex submit_mutex_;
  TimelineSubmitter* submitter_ = nullptr;  // guarded by submit_mutex_
};

// Where an event's latest signal lands: a timeline reaching a value.
struct SignalPoint {
  std::shared_ptr<Timeline> timeline;
  uint64_t value = 0;
};

class Event {
 public:
  static hal_result Create(Context& context, std::unique_ptr<Event>* out_event);
  // Waits for the latest signal so the query pool is idle, then frees it.
  ~Event();
  Event(const Event&) = delete;
  Event& operator=(const Event&) = delete;

  VkQueryPool query_pool() const { return query_pool_; }
  void SetLatestSignal(SignalPoint point);
  // Empty timeline when never signalled.
  SignalPoint latest_signal() const;

  // Both first have the signalling stream submit the signal if it has not.
  hal_result Query() const;
  hal_result Synchronize() const;
  hal_result TimestampNs(uint64_t* out_ns) const;

 private:
  explicit Event(Context& context) : context_(context) {}
  Context& context_;
  VkQueryPool query_pool_ = VK_NULL_HANDLE;
  mutable std::mutex mutex_;
  SignalPoint latest_;
};

}  // namespace hal::vulkan

#endif  // HAL_BACKENDS_VULKAN_VULKAN_EVENT_H_
