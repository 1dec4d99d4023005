#include "daemon/server.h"

#include <malloc.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <csignal>
#include <set>
#include <cstring>
#include <iostream>
#include <thread>

#include "absl/strings/str_cat.h"
#include "daemon/pool_reload.h"

namespace hal::daemon {
namespace {

void Notify(int eventfd) {
  const uint64_t one = 1;
  // Only fails when the counter would overflow: it is then readable anyway.
  [[maybe_unused]] ssize_t written = write(eventfd, &one, sizeof(one));
}

void Drain(int eventfd) {
  uint64_t count;
  [[maybe_unused]] ssize_t read_bytes = read(eventfd, &count, sizeof(count));
}

}  // namespace

Server::Server(const Runtime& runtime, Pool& pool, std::string pool_file, AccessPolicy policy)
    : runtime_(runtime), pool_file_(std::move(pool_file)), context_(pool, std::move(policy)) {}

absl::StatusOr<std::unique_ptr<Server>> Server::Create(
    const Runtime& runtime, Pool& pool, std::string pool_file, AccessPolicy policy,
    const std::vector<remote::Endpoint>& endpoints) {
  std::unique_ptr<Server> server(
      new Server(runtime, pool, std::move(pool_file), std::move(policy)));
  server->wake_.reset(eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
  if (!server->wake_.valid()) {
    return absl::InternalError(absl::StrCat("eventfd: ", std::strerror(errno)));
  }
  for (remote::Endpoint endpoint : endpoints) {
    absl::StatusOr<remote::UniqueFd> listener = remote::Listen(endpoint);
    if (!listener.ok()) return listener.status();
    if (endpoint.kind == remote::Endpoint::Kind::kUnix) {
      if (chmod(endpoint.path.c_str(), 0666) != 0) {
        return absl::InternalError(
            absl::StrCat("chmod 0666 ", endpoint.path, ": ", std::strerror(errno)));
      }
    } else if (endpoint.port == 0) {
      absl::StatusOr<uint16_t> port = remote::BoundPort(listener->get());
      if (!port.ok()) return port.status();
      endpoint.port = *port;
    }
    server->listeners_.push_back(*std::move(listener));
    server->endpoints_.push_back(endpoint);
  }
  return server;
}

Server::~Server() {
  CloseAll();
  for (const remote::Endpoint& endpoint : endpoints_) {
    if (endpoint.kind == remote::Endpoint::Kind::kUnix) unlink(endpoint.path.c_str());
  }
}

void Server::Stop() {
  stop_.store(true);
  Notify(wake_.get());
}

void Server::Reload() {
  std::lock_guard<std::mutex> lock(reload_mu_);
  std::cerr << "hald: reloading " << pool_file_ << "\n";
  absl::StatusOr<AccessPolicy> policy = AccessPolicy::FromPoolFile(pool_file_);
  if (!policy.ok()) {
    std::cerr << "hald: reload: access rules kept: " << policy.status().message() << "\n";
  } else {
    context_.ReplacePolicy(*std::move(policy));
  }
  // Admin requests wait: the names of the dynamic virtual devices hold.
  std::lock_guard<std::mutex> admin_lock(context_.admin_mutex());
  std::set<std::string, std::less<>> dynamic;
  for (auto& [name, owner] : context_.Owners()) dynamic.insert(name);
  if (absl::Status status =
          ReloadVirtualDevices(runtime_, context_.pool(), pool_file_, dynamic, std::cerr);
      !status.ok()) {
    std::cerr << "hald: reload: virtual devices kept: " << status.message() << "\n";
  }
}

absl::Status Server::Run(int signal_fd) {
  for (const remote::Endpoint& endpoint : endpoints_) {
    std::cerr << "hald: listening on " << endpoint.ToString() << std::endl;
  }
  std::vector<pollfd> fds;
  for (const remote::UniqueFd& listener : listeners_) fds.push_back({listener.get(), POLLIN, 0});
  fds.push_back({wake_.get(), POLLIN, 0});
  if (signal_fd >= 0) fds.push_back({signal_fd, POLLIN, 0});
  while (!stop_.load()) {
    if (poll(fds.data(), fds.size(), -1) < 0) {
      if (errno == EINTR) continue;
      return absl::InternalError(absl::StrCat("poll: ", std::strerror(errno)));
    }
    for (size_t i = 0; i < listeners_.size(); ++i) {
      if (fds[i].revents & POLLIN) Accept(listeners_[i].get());
    }
    if (fds[listeners_.size()].revents & POLLIN) {
      Drain(wake_.get());
      ReapFinished();
    }
    if (signal_fd >= 0 && (fds.back().revents & POLLIN)) {
      signalfd_siginfo info;
      if (read(signal_fd, &info, sizeof(info)) == sizeof(info)) {
        if (info.ssi_signo == SIGHUP) {
          Reload();
        } else {
          std::cerr << "hald: " << strsignal(static_cast<int>(info.ssi_signo))
                    << ": closing every session\n";
          stop_.store(true);
        }
      }
    }
  }
  listeners_.clear();
  CloseAll();
  return absl::OkStatus();
}

void Server::Accept(int listener) {
  remote::UniqueFd socket(accept4(listener, nullptr, nullptr, SOCK_CLOEXEC));
  if (!socket.valid()) {
    if (errno == EAGAIN || errno == EINTR || errno == ECONNABORTED) return;
    std::cerr << "hald: accept: " << std::strerror(errno) << "\n";
    // Out of descriptors or memory: give sessions a moment to end instead
    // of spinning on a listener that stays readable.
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    return;
  }
  auto channel = std::make_unique<remote::Channel>(std::move(socket));
  const int wake = wake_.get();
  auto session = std::make_unique<Session>(context_, std::move(channel), [wake] { Notify(wake); });
  Session* started = session.get();
  sessions_.emplace(session->id(), std::move(session));
  started->Start();
}

void Server::ReapFinished() {
  bool reaped = false;
  for (auto it = sessions_.begin(); it != sessions_.end();) {
    if (it->second->finished()) {
      it = sessions_.erase(it);  // joins its thread, which has ended
      reaped = true;
    } else {
      ++it;
    }
  }
  // What a session freed stays in the malloc arenas of the threads that
  // served it; a daemon serving thousands of sessions gives it back.
  if (reaped) malloc_trim(0);
}

void Server::CloseAll() {
  for (auto& [id, session] : sessions_) session->Close();
  sessions_.clear();  // each joins once it has freed everything
}

}  // namespace hal::daemon
