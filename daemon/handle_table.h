// One kind of a session's objects by the handle the client chose for it.
// Handles are hostile input: 0, a handle in use, an unknown one, or one of
// another kind (each kind has its own table) is InvalidArgument naming the
// kind and the handle; a session never reaches another session's table.
#ifndef HAL_DAEMON_HANDLE_TABLE_H_
#define HAL_DAEMON_HANDLE_TABLE_H_

#include <cstdint>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"

namespace hal::daemon {

template <typename T>
class HandleTable {
 public:
  // `kind` names the objects in messages ("buffer"); a session holds at most
  // `limit` of them at once (ResourceExhausted past it), which bounds what a
  // client can make the daemon keep for objects that charge no quota.
  HandleTable(const char* kind, size_t limit) : kind_(kind), limit_(limit) {}

  absl::Status Insert(uint64_t handle, T value) {
    if (absl::Status status = CheckFree(handle); !status.ok()) return status;
    objects_.emplace(handle, std::move(value));
    return absl::OkStatus();
  }

  // Whether `handle` could be inserted now; for checks made before creating
  // the object.
  absl::Status CheckFree(uint64_t handle) const {
    if (handle == 0) return absl::InvalidArgumentError(absl::StrCat(kind_, " handle 0 is invalid"));
    if (objects_.size() >= limit_) {
      return absl::ResourceExhaustedError(
          absl::StrCat("a session may hold at most ", limit_, " ", kind_, "s"));
    }
    if (objects_.contains(handle)) {
      return absl::InvalidArgumentError(
          absl::StrCat(kind_, " handle ", handle, " is already in use in this session"));
    }
    return absl::OkStatus();
  }

  absl::StatusOr<T> Find(uint64_t handle) const {
    absl::StatusOr<const T*> found = Borrow(handle);
    if (!found.ok()) return found.status();
    return **found;
  }

  // The object in the table rather than a copy, for a use that ends before
  // the table next changes, such as a command the receiving thread executes:
  // copying a shared_ptr costs two atomic operations, on every command.
  absl::StatusOr<const T*> Borrow(uint64_t handle) const {
    auto it = objects_.find(handle);
    if (it == objects_.end()) return Unknown(handle);
    return &it->second;
  }

  absl::StatusOr<T> Remove(uint64_t handle) {
    auto it = objects_.find(handle);
    if (it == objects_.end()) return Unknown(handle);
    T value = std::move(it->second);
    objects_.erase(it);
    return value;
  }

  size_t size() const { return objects_.size(); }
  // Drops every object (session end).
  void Clear() { objects_.clear(); }
  template <typename F>
  void ForEach(F&& f) const {
    for (const auto& [handle, value] : objects_) f(value);
  }

 private:
  absl::Status Unknown(uint64_t handle) const {
    return absl::InvalidArgumentError(
        absl::StrCat("no ", kind_, " with handle ", handle, " in this session"));
  }

  const char* kind_;
  size_t limit_;
  absl::flat_hash_map<uint64_t, T> objects_;
};

}  // namespace hal::daemon

#endif  // HAL_DAEMON_HANDLE_TABLE_H_
