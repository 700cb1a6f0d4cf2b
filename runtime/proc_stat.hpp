#pragma once
// What /proc says about a process: its state letter, parent, process group, session and start
// time (field 22 of /proc/PID/stat, in clock ticks after boot: with the pid, a process's
// identity, since a recycled pid has another start time), and scans of /proc by environment
// variable or process group. Plain functions; any thread; they read /proc and keep nothing.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace styx {

struct proc_stat {
  char state = '?';        // R, S, D, T, t, Z, ...
  int ppid = 0;
  int pgid = 0;
  int sid = 0;
  uint64_t start_time = 0;
};

/// The whole of a /proc file, or what was read before an error; empty when it cannot be
/// opened. A process that exits between open and read makes read() fail with ESRCH: that reads
/// as a short file, never as an exception (std::ifstream would throw from
/// basic_filebuf::underflow).
std::string read_proc_file(const std::string& path);

/// /proc/PID/stat; nullopt when there is no such process.
std::optional<proc_stat> read_proc_stat(int pid);

/// The pids of the processes whose environment has NAME=VALUE (those this user may read).
std::vector<int> processes_with_env(const std::string& name, const std::string& value);

/// The value of `name` in the environment of `pid`; empty if absent or unreadable.
std::string env_of(int pid, const std::string& name);

/// The live (not zombie) processes whose process group is `pgid`.
std::vector<int> group_members(int pgid);

} // namespace styx
