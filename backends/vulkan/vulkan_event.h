// Timelines (a stream's timeline semaphore) and events: an event remembers the
// timeline value of its latest signal and holds a one-query timestamp pool the
// signalling stream writes.
#ifndef HAL_BACKENDS_VULKAN_VULKAN_EVENT_H_
#define HAL_BACKENDS_VULKAN_VULKAN_EVENT_H_

#include <memory>
#include <mutex>

#include "backends/vulkan/vulkan_symbols.h"
#include "hal/driver/hal_driver.h"

namespace hal::vulkan {

class Context;

// A timeline semaphore, shared by its stream and the events it signalled, so
// that an event outliving its stream can still be queried.
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

 private:
  explicit Timeline(Context& context) : context_(context) {}
  Context& context_;
  VkSemaphore semaphore_ = VK_NULL_HANDLE;
  uint64_t initial_value_ = 0;
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
