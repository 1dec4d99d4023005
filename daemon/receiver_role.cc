#include "daemon/receiver_role.h"

#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <cstdint>

namespace hal::daemon {
namespace {

// epoll data of the two descriptors the standby watches.
constexpr uint64_t kSocketTag = 1;
constexpr uint64_t kStopTag = 2;

}  // namespace

ReceiverRole::ReceiverRole(StartHelper start_helper, std::function<void()> receive_turn,
                           int socket)
    : start_helper_(std::move(start_helper)),
      receive_turn_(std::move(receive_turn)),
      socket_(socket) {}

ReceiverRole::~ReceiverRole() { StopStandby(); }

bool ReceiverRole::Acquire() {
  std::unique_lock<std::mutex> lock(mu_);
  return TakeWhenFree(lock);
}

bool ReceiverRole::AcquireAsHelper() {
  std::unique_lock<std::mutex> lock(mu_);
  --starting_;
  return TakeWhenFree(lock);
}

bool ReceiverRole::TakeWhenFree(std::unique_lock<std::mutex>& lock) {
  ++waiting_;
  free_.wait(lock, [this] { return end_.has_value() || !held_; });
  --waiting_;
  if (end_.has_value()) return false;
  TakeLocked();
  return true;
}

bool ReceiverRole::HoldsRole() const {
  std::lock_guard<std::mutex> lock(mu_);
  return held_ && holder_ == std::this_thread::get_id();
}

void ReceiverRole::TakeLocked() {
  held_ = true;
  holder_ = std::this_thread::get_id();
}

void ReceiverRole::ReleaseLocked() {
  held_ = false;
  holder_ = std::thread::id();
}

bool ReceiverRole::BeginInlineWait() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (socket_ < 0 || standby_busy_ || end_.has_value()) return false;
    if (!standby_.joinable() && !StartStandbyLocked()) return false;
    armed_ = true;
  }
  // A frame already waiting wakes the standby at once.
  Watch(EPOLLIN | EPOLLONESHOT);
  return true;
}

void ReceiverRole::EndInlineWait() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    armed_ = false;
  }
  // Disarmed but registered: a hang-up is reported at most once (ONESHOT).
  Watch(EPOLLONESHOT);
}

bool ReceiverRole::HandOff() {
  std::unique_lock<std::mutex> lock(mu_);
  ReleaseLocked();
  if (waiting_ + starting_ > 0) {
    lock.unlock();
    free_.notify_one();
    return true;
  }
  ++starting_;  // counted now: a second hand-off before it starts starts no other
  lock.unlock();
  if (start_helper_()) return true;
  lock.lock();
  --starting_;
  // A thread that came to Acquire meanwhile may have taken it.
  if (held_ || end_.has_value()) return true;
  TakeLocked();
  return false;
}

void ReceiverRole::End(absl::Status status) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!end_.has_value()) end_ = std::move(status);
    ReleaseLocked();
  }
  free_.notify_all();
}

absl::Status ReceiverRole::end_status() const {
  std::lock_guard<std::mutex> lock(mu_);
  return end_.value_or(absl::OkStatus());
}

bool ReceiverRole::StartStandbyLocked() {
  remote::UniqueFd epoll(epoll_create1(EPOLL_CLOEXEC));
  remote::UniqueFd stop(eventfd(0, EFD_CLOEXEC));
  if (epoll.get() < 0 || stop.get() < 0) return false;
  epoll_event socket_event{};
  socket_event.events = EPOLLONESHOT;
  socket_event.data.u64 = kSocketTag;
  epoll_event stop_event{};
  stop_event.events = EPOLLIN;
  stop_event.data.u64 = kStopTag;
  if (epoll_ctl(epoll.get(), EPOLL_CTL_ADD, socket_, &socket_event) != 0 ||
      epoll_ctl(epoll.get(), EPOLL_CTL_ADD, stop.get(), &stop_event) != 0) {
    return false;
  }
  epoll_ = std::move(epoll);
  stop_ = std::move(stop);
  standby_ = std::thread([this] { StandbyLoop(); });
  return true;
}

void ReceiverRole::Watch(uint32_t events) const {
  epoll_event event{};
  event.events = events;
  event.data.u64 = kSocketTag;
  // Fails only for a descriptor already closed: the session is ending then.
  epoll_ctl(epoll_.get(), EPOLL_CTL_MOD, socket_, &event);
}

void ReceiverRole::StandbyLoop() {
  for (;;) {
    epoll_event event{};
    const int ready = epoll_wait(epoll_.get(), &event, 1, -1);
    if (ready < 0) continue;  // EINTR
    if (ready == 1 && event.data.u64 == kStopTag) return;
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (end_.has_value()) return;
      // Woken after the wait ended (or by a hang-up while disarmed): the
      // receiver receives that frame itself.
      if (!held_ || !armed_) continue;
      armed_ = false;
      standby_busy_ = true;
      TakeLocked();
    }
    receive_turn_();
    std::lock_guard<std::mutex> lock(mu_);
    standby_busy_ = false;
  }
}

void ReceiverRole::StopStandby() {
  std::thread standby;
  {
    std::lock_guard<std::mutex> lock(mu_);
    standby.swap(standby_);
  }
  if (!standby.joinable()) return;
  const uint64_t one = 1;
  // An eventfd write of 8 bytes is whole or fails only past 2^64 - 2 writes.
  [[maybe_unused]] const ssize_t written = write(stop_.get(), &one, sizeof(one));
  standby.join();
}

}  // namespace hal::daemon
