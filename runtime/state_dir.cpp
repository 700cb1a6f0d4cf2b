#include "runtime/state_dir.hpp"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include "common/uuid.hpp"
#include "runtime/engine.hpp"

namespace styx {

std::string resolve_state_dir(const std::string& flag) {
  if (!flag.empty())
    return flag;
  if (const char* env = std::getenv("STYX_STATE_DIR"); env != nullptr && *env != '\0')
    return env;
  const char* home = std::getenv("HOME");
  return std::string{home != nullptr ? home : "."} + "/.styx";
}

state_dir_lock::state_dir_lock(const std::string& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec)
    throw engine_error("cannot create state directory " + dir + ": " + ec.message());
  auto path = dir + "/lock";
  fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd_ < 0)
    throw engine_error("cannot open " + path + ": " + std::strerror(errno));
  if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
    ::close(fd_);
    fd_ = -1;
    throw engine_error("another styx process is using the state directory " + dir);
  }
}

state_dir_lock::~state_dir_lock() {
  if (fd_ >= 0)
    ::close(fd_); // releases the lock
}

namespace {

/// The uuid in <dir>/<file>, written on first use; `what` names it in errors.
std::string load_or_create_id(const std::string& dir, const char* file, const char* what) {
  auto path = dir + "/" + file;
  {
    std::ifstream in{path};
    std::string id;
    if (in >> id) {
      if (!uuid::parse(id))
        throw engine_error(path + ": not " + what + ": '" + id + "'");
      return id;
    }
  }
  auto id = uuid_generator{}.next().to_string();
  auto tmp = path + ".tmp";
  {
    std::ofstream out{tmp, std::ios::trunc};
    out << id << '\n';
    if (!out)
      throw engine_error("cannot write " + tmp);
  }
  std::filesystem::rename(tmp, path);
  return id;
}

} // namespace

std::string load_or_create_engine_id(const std::string& dir) {
  return load_or_create_id(dir, "engine-id", "an engine id");
}

std::string load_or_create_node_id(const std::string& dir) {
  return load_or_create_id(dir, "node-id", "a node id");
}

} // namespace styx
