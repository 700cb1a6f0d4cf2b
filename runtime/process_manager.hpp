#pragma once
// The local cloud's host (providers/local/process_host.hpp): real child processes on this
// machine. One thread of its own does all the process work: spawns (posix_spawn, a session
// and process group per process, stdout and stderr to <dir>/<key>.log), group signals, reads
// of /proc, reaping, the SIGKILL after a terminate's grace period and the registry writes
// (runtime/local_registry.hpp, <dir>/processes.json). Exits are learned there and nowhere
// else: each process has a pidfd in the thread's epoll set, and the thread reaps its own
// children by pid (no SIGCHLD handler and no waitpid(-1), so the other children of the
// process are left alone).
//
// Identity: a process is its (pid, start time); a registry entry whose pid now has another
// start time ended, and that pid is never signalled. A group is signalled only while its
// leader is ours: alive with our start time, or our unreaped zombie (whose pid, and so the
// group's id, cannot be taken meanwhile).
//
// Restarts: the registry is loaded at construction. A process still alive is adopted (a child
// of this very process again, when it is one: its exit status is then known; else it is known
// only that it ended). A spawn whose pid never reached the registry (a kill -9 between spawn
// and write) is found by its environment (STYX_LOCAL_KEY, STYX_LOCAL_HOME). The processes
// outlive the manager: destroying it stops the thread and nothing else.
//
// Thread rules: submit() and machine() from any thread; handlers run on the manager's thread
// (on the caller's after shutdown began). Lifetimes: the manager must outlive every
// local_api that uses it; it holds nothing of a caller's after answering.

#include <memory>
#include <string>

#include "common/time.hpp"
#include "providers/local/process_host.hpp"

namespace styx {

class process_manager final : public process_host {
public:
  /// `dir` holds the registry and the logs (created if missing). Throws std::runtime_error
  /// when the directory or the registry cannot be read or made.
  process_manager(std::string dir, duration grace);
  ~process_manager() override;

  process_manager(const process_manager&) = delete;
  process_manager& operator=(const process_manager&) = delete;

  void submit(process_request req, process_handler done) override;
  machine_size machine() const override;

  const std::string& dir() const;

  struct impl;

private:
  std::unique_ptr<impl> impl_;
};

} // namespace styx
