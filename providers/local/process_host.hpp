#pragma once
// Processes on this machine as the "local" cloud's translation (providers/local/local_api.hpp)
// sees them: plain values for what to start and what a process is now, and the asynchronous
// host that spawns, signals, reaps and inspects them. Declared here; implemented in runtime/
// (runtime/process_manager.hpp), as http_transport is. The host is the local cloud's own
// state: it keeps the registry of its processes (pid, start time, process group, command) and
// tells a process of its own from another that got the same pid.

#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "common/time.hpp"
#include "messages/resources.hpp"

namespace styx {

/// One process to start: `/bin/sh -c command` in a session and process group of its own.
struct process_launch {
  std::string key;     // its name on the host, chosen by the caller and unique ("proc-<id>")
  std::string command;
  std::vector<std::pair<std::string, std::string>> env; // added to the host's environment
  tag_map labels;      // kept with the process, handed back in its facts
  double cpus = 0;     // reserved while it lives
  double memory_gib = 0;
};

enum class process_op : uint8_t {
  spawn,   // launches: each key the host has already is answered as it is (idempotent)
  stop,    // SIGSTOP to the group
  resume,  // SIGCONT to the group
  end,     // SIGTERM (and SIGCONT) to the group, SIGKILL after the host's grace period
  inspect, // the facts of `keys`
  list,    // the facts of every process the host knows
};

/// What the host last asked of a process.
enum class process_wish : uint8_t { none, stop, resume, end };

/// Where a process is, from /proc: alive and not stopped (R, S, D, ...), stopped (T), or
/// ended (exited, reaped, a zombie, or its pid now another process's).
enum class process_status : uint8_t { running, stopped, ended };

/// One process as the host knows it now.
struct process_fact {
  std::string key;
  int pid = 0;
  int pgid = 0;
  uint64_t start_time = 0; // /proc/PID/stat field 22, clock ticks after boot
  std::string command;
  tag_map labels;
  double cpus = 0;
  double memory_gib = 0;
  unix_ms launched_at = 0;
  process_status status = process_status::running;
  process_wish wish = process_wish::none;
  bool seen_up = false;    // an inspect saw it alive at least once before this one
  // ended: how. exit_known when the host reaped it as its parent.
  bool exit_known = false;
  int exit_code = 0;       // exited normally: its status
  int exit_signal = 0;     // killed by this signal (0: exited normally)
  std::string note;        // ended without a known status: why not (adopted, pid reused)
};

/// Why the host refused a request as a whole.
enum class process_failure : uint8_t {
  none,
  no_room,      // spawn: the batch does not fit the machine's free cpus or memory
  spawn_failed, // spawn: posix_spawn failed (the batch's earlier processes were ended)
  io_error,     // the registry could not be written
  stopped,      // the host is shutting down
};

/// One request to the host.
struct process_request {
  process_op op = process_op::inspect;
  std::vector<process_launch> launches; // spawn
  std::vector<std::string> keys;        // stop, resume, end, inspect
  // spawn: what the live processes reserve plus the batch must fit in, else the whole batch
  // is refused (no_room).
  double cpu_limit = 0;
  double memory_limit_gib = 0;
};

struct process_reply {
  process_failure failure = process_failure::none;
  std::string error;                // one line, when failure is set
  std::vector<process_fact> facts;  // spawn: the batch's; change, inspect: each known key's;
                                    // list: every one
  std::vector<std::string> unknown; // asked keys the host does not know
};

/// The machine's size, as the host measured it.
struct machine_size {
  double cpus = 0;       // online cores
  double memory_gib = 0; // physical memory
};

using process_handler = std::function<void(process_reply)>;

/// The machine's processes, as a service: requests in, facts out, asynchronously.
/// Thread rules: submit() and machine() from any thread; answers on the host's own thread.
/// Lifetimes: an implementation outlives every caller's calls in flight (it answers each
/// exactly once, a refusal when it is shutting down) and keeps nothing of a caller.
class process_host {
public:
  virtual ~process_host() = default;
  /// Queues `req` and returns at once; `done` runs exactly once, on the host's thread (or
  /// the caller's, when the host is stopped).
  virtual void submit(process_request req, process_handler done) = 0;
  virtual machine_size machine() const = 0;
};

} // namespace styx
