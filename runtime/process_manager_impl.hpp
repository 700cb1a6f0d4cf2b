#pragma once
// The process manager's inside (runtime/process_manager.hpp), shared by its two files:
// process_tracking.cpp (identity, exits, the registry) and process_manager.cpp (requests, the
// thread, the public face). Included by nothing else.
//
// Thread rules: `mtx` guards `queue` and `stopping`; everything below "the manager's thread
// only" belongs to the manager's thread (and to the constructor, before the thread starts).
// Lifetimes: owned by the process_manager; the thread is joined before it goes.

#include <chrono>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <unordered_map>
#include <utility>

#include "runtime/process_manager.hpp"

namespace styx {

namespace process_detail {

/// Now, in milliseconds since the epoch.
inline unix_ms wall_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
           std::chrono::system_clock::now().time_since_epoch())
    .count();
}

} // namespace process_detail

struct process_manager::impl {
  struct entry {
    process_fact fact;
    unix_ms ended_at = 0;
    int pidfd = -1;
    bool child = false; // a child of this process: reaped here, its exit status known
    std::optional<std::chrono::steady_clock::time_point> kill_at;
  };

  std::string dir;
  std::string home; // dir, absolute: the STYX_LOCAL_HOME of its processes
  std::string registry_path;
  duration grace;
  machine_size size;

  std::mutex mtx;
  std::deque<std::pair<process_request, process_handler>> queue;
  bool stopping = false;
  int epfd = -1;
  int wakefd = -1;
  std::thread thread;

  // The manager's thread only (the constructor's before it starts).
  std::map<std::string, entry> entries;
  std::unordered_map<int, std::string> key_of_pidfd;
  bool dirty = false;


  // -- identity and exits ---------------------------------------------------------------
  void watch(entry& e);
  void unwatch(entry& e);
  void finish(entry& e, std::string note);
  /// Learns where `e` is now: reaps it if it is our exited child, ends it if its pid is gone
  /// or another process's, else reads running or stopped from /proc.
  void check(entry& e);
  /// Signals `e`'s group, if its leader is still ours (check() first).
  bool signal_group(entry& e, int sig);
  void fire_kills();
  /// Without pidfds (an old kernel): look at the live ones on every turn.
  void poll_unwatched();
  std::optional<int> next_timeout_ms() const;
  // -- the registry ---------------------------------------------------------------------
  bool save(std::string* error);
  void save_if_dirty();
  void load();
  /// A spawn the registry has no pid of (a kill -9 between spawn and write): its process, by
  /// the environment it was started with.
  bool recover_pid(process_fact& f);

  // -- requests -------------------------------------------------------------------------
  process_reply spawn(const process_request& req);
  process_reply change(const process_request& req);
  void look(entry& e, process_reply& r);
  process_reply handle(const process_request& req);
  void run();
};

} // namespace styx
