#pragma once
// Starting one local process: `/bin/sh -c COMMAND` through posix_spawn in a new session (so
// its own process group, led by it), signal mask cleared and the usual signals at their
// defaults, stdin from /dev/null, stdout and stderr appended to `log`, every other descriptor
// closed, and the caller's environment plus `env`. Used by the process manager's thread only;
// it keeps nothing.

#include <string>
#include <utility>
#include <vector>

namespace styx {

struct spawned {
  int pid = 0;   // 0: failed
  int error = 0; // errno of the failure
};

spawned spawn_process(const std::string& command, const std::string& log,
                      const std::vector<std::pair<std::string, std::string>>& env);

} // namespace styx
