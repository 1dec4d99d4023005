// One tenant's random workload for the overcommit property tests: random
// allocate / write / dispatch / copy / read / free on a virtual device,
// checked against a host model of every live buffer, so data lost to
// eviction, restore or reordering shows up as a mismatch.
#ifndef HAL_TESTS_TENANT_WORKLOAD_H_
#define HAL_TESTS_TENANT_WORKLOAD_H_

#include <bit>
#include <cstring>
#include <deque>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "hal/hal.h"
#include "hal/virtual_device.h"

namespace hal::testing {

// One tenant's random workload against a host model of every live buffer.
class TenantWorkload {
 public:
  TenantWorkload(const std::shared_ptr<VirtualDevice>& vd, const KernelBundle& bundle,
                 uint32_t seed)
      : TenantWorkload(vd->device(), vd->name(), bundle, seed) {}
  // On any device whose quota refusals name "quota" (a remote device served
  // by hald's virtual device, tests/remote); `name` names it in errors.
  TenantWorkload(std::shared_ptr<Device> device, std::string name, const KernelBundle& bundle,
                 uint32_t seed)
      : device_(std::move(device)), name_(std::move(name)), random_(seed) {
    queue_ = *device_->CreateQueue();
    fill_ = *device_->LoadKernel(bundle, "fill_f32");
  }

  // Runs `steps` random operations; returns the first mismatch or error.
  absl::Status Run(int steps) {
    for (int step = 0; step < steps; ++step) {
      HAL_RETURN_IF_ERROR(Step(), "at step ", step, " of tenant ", name_);
    }
    HAL_RETURN_IF_ERROR(queue_->Synchronize());
    for (auto& [id, entry] : buffers_) HAL_RETURN_IF_ERROR(CheckRead(entry));
    return absl::OkStatus();
  }

 private:
  struct Entry {
    std::shared_ptr<Buffer> buffer;
    std::vector<uint8_t> model;  // what the buffer holds once the queue is idle
  };

  absl::Status Step() {
    const int op = static_cast<int>(random_() % 10);
    if (buffers_.empty() || (op == 0 && buffers_.size() < 12)) return Allocate();
    Entry& entry = Pick();
    switch (op) {
      case 1:
      case 2:
        return Write(entry);
      case 3:
        return Dispatch(entry);
      case 4: {
        Entry& other = Pick();
        // A copy within one buffer may not overlap itself (Queue::CopyBuffer).
        return &other == &entry ? CheckRead(entry) : Copy(entry, other);
      }
      case 5:
      case 6:
        return CheckRead(entry);
      case 7:
        return Free();
      default:
        return Allocate();
    }
  }

  Entry& Pick() {
    auto it = buffers_.begin();
    std::advance(it, random_() % buffers_.size());
    return it->second;
  }

  absl::Status Allocate() {
    const uint64_t size = 4 * (1024 + random_() % (48 * 1024));  // 4 KiB .. 196 KiB, words
    auto buffer = device_->Allocate(size);
    if (!buffer.ok()) {
      // Over its own quota is the only acceptable refusal.
      if (buffer.status().code() == absl::StatusCode::kResourceExhausted &&
          absl::StrContains(buffer.status().message(), "quota")) {
        return Free();
      }
      return buffer.status();
    }
    buffers_[next_id_++] = Entry{*std::move(buffer), std::vector<uint8_t>(size, 0)};
    return absl::OkStatus();
  }

  absl::Status Write(Entry& entry) {
    const uint64_t offset = random_() % entry.model.size();
    const uint64_t size = 1 + random_() % (entry.model.size() - offset);
    auto& source = pending_sources_.emplace_back(size);
    for (auto& byte : source) byte = static_cast<uint8_t>(random_());
    HAL_RETURN_IF_ERROR(queue_->CopyHostToDevice(source.data(), *entry.buffer, offset, size));
    std::copy(source.begin(), source.end(), entry.model.begin() + offset);
    return MaybeSynchronize();
  }

  absl::Status Dispatch(Entry& entry) {
    const uint32_t n = static_cast<uint32_t>(entry.model.size() / 4);
    const float value = static_cast<float>(random_() % 1000);
    struct {
      float value;
      uint32_t n;
    } constants{value, n};
    const BufferBinding bindings[] = {{entry.buffer.get(), 0}};
    HAL_RETURN_IF_ERROR(queue_->Dispatch(*fill_, {(n + 255) / 256, 1, 1}, bindings, constants));
    for (uint32_t i = 0; i < n; ++i) {
      const uint32_t bits = std::bit_cast<uint32_t>(value);
      for (int b = 0; b < 4; ++b) entry.model[4 * i + b] = static_cast<uint8_t>(bits >> (8 * b));
    }
    return MaybeSynchronize();
  }

  absl::Status Copy(Entry& from, Entry& to) {
    const uint64_t size = 1 + random_() % std::min(from.model.size(), to.model.size());
    HAL_RETURN_IF_ERROR(queue_->CopyBuffer(*from.buffer, 0, *to.buffer, 0, size));
    std::memcpy(to.model.data(), from.model.data(), size);
    return MaybeSynchronize();
  }

  absl::Status CheckRead(Entry& entry) {
    std::vector<uint8_t> actual(entry.model.size());
    HAL_RETURN_IF_ERROR(queue_->CopyDeviceToHost(*entry.buffer, 0, actual.data(), actual.size()));
    HAL_RETURN_IF_ERROR(Synchronize());
    if (actual != entry.model) {
      size_t first = 0;
      while (actual[first] == entry.model[first]) ++first;
      return absl::DataLossError(absl::StrCat("buffer of ", actual.size(),
                                              " bytes differs from the model at byte ", first));
    }
    return absl::OkStatus();
  }

  absl::Status Free() {
    if (buffers_.empty()) return absl::OkStatus();
    buffers_.erase(buffers_.begin()->first == next_id_ - 1 ? buffers_.begin()
                                                           : std::prev(buffers_.end()));
    return absl::OkStatus();
  }

  // Lets a few operations pile up in flight before waiting, so eviction meets
  // buffers that in-flight work still uses.
  absl::Status MaybeSynchronize() {
    return pending_sources_.size() > 4 || random_() % 4 == 0 ? Synchronize() : absl::OkStatus();
  }
  absl::Status Synchronize() {
    HAL_RETURN_IF_ERROR(queue_->Synchronize());
    pending_sources_.clear();
    return absl::OkStatus();
  }

  std::shared_ptr<Device> device_;
  std::string name_;
  std::mt19937 random_;
  std::unique_ptr<Queue> queue_;
  std::shared_ptr<Kernel> fill_;
  std::map<uint64_t, Entry> buffers_;
  uint64_t next_id_ = 0;
  std::deque<std::vector<uint8_t>> pending_sources_;  // host sources of in-flight uploads
};

}  // namespace hal::testing

#endif  // HAL_TESTS_TENANT_WORKLOAD_H_
