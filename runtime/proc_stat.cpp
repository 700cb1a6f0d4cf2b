#include "runtime/proc_stat.hpp"

#include <cerrno>
#include <cstdlib>
#include <dirent.h>
#include <fcntl.h>
#include <sstream>
#include <unistd.h>

namespace styx {

namespace {

/// Every numeric entry of /proc.
std::vector<int> all_pids() {
  std::vector<int> out;
  DIR* d = ::opendir("/proc");
  if (d == nullptr)
    return out;
  while (auto* e = ::readdir(d)) {
    char* end = nullptr;
    long pid = std::strtol(e->d_name, &end, 10);
    if (end != e->d_name && *end == '\0' && pid > 0)
      out.push_back(static_cast<int>(pid));
  }
  ::closedir(d);
  return out;
}

} // namespace

std::string read_proc_file(const std::string& path) {
  std::string out;
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return out;
  char buf[4096];
  for (;;) {
    auto n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      break;
    out.append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  return out;
}

std::optional<proc_stat> read_proc_stat(int pid) {
  if (pid <= 0)
    return std::nullopt;
  auto text = read_proc_file("/proc/" + std::to_string(pid) + "/stat");
  // "PID (COMM) STATE PPID PGRP SESSION ..."; COMM may hold spaces and parentheses.
  auto close = text.rfind(')');
  if (close == std::string::npos)
    return std::nullopt;
  std::istringstream in(text.substr(close + 1));
  proc_stat s;
  std::string skip;
  in >> s.state >> s.ppid >> s.pgid >> s.sid;
  for (int field = 7; field < 22 && in; ++field) // fields 7..21
    in >> skip;
  in >> s.start_time;
  if (!in)
    return std::nullopt;
  return s;
}

std::string env_of(int pid, const std::string& name) {
  auto text = read_proc_file("/proc/" + std::to_string(pid) + "/environ");
  auto prefix = name + "=";
  size_t at = 0;
  while (at < text.size()) {
    auto end = text.find('\0', at);
    if (end == std::string::npos)
      end = text.size();
    if (text.compare(at, prefix.size(), prefix) == 0)
      return text.substr(at + prefix.size(), end - at - prefix.size());
    at = end + 1;
  }
  return {};
}

std::vector<int> processes_with_env(const std::string& name, const std::string& value) {
  std::vector<int> out;
  for (int pid : all_pids())
    if (!value.empty() && env_of(pid, name) == value)
      out.push_back(pid);
  return out;
}

std::vector<int> group_members(int pgid) {
  std::vector<int> out;
  for (int pid : all_pids())
    if (auto s = read_proc_stat(pid); s && s->pgid == pgid && s->state != 'Z')
      out.push_back(pid);
  return out;
}

} // namespace styx
