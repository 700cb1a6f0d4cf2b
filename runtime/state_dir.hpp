#pragma once
// The state directory (~/.styx by default): where the engine's id, the simulated cloud and
// the store live (a node's: its id and its simulated cloud). One process at a time holds it.

#include <string>

namespace styx {

/// --state-dir if given, else $STYX_STATE_DIR, else $HOME/.styx.
std::string resolve_state_dir(const std::string& flag);

/// Holds an exclusive lock on <dir>/lock for its lifetime; creates <dir> if needed. Throws
/// engine_error when the directory cannot be made or another process holds it.
class state_dir_lock {
public:
  explicit state_dir_lock(const std::string& dir);
  ~state_dir_lock();
  state_dir_lock(const state_dir_lock&) = delete;
  state_dir_lock& operator=(const state_dir_lock&) = delete;

private:
  int fd_ = -1;
};

/// The engine id in <dir>/engine-id, written on first use.
std::string load_or_create_engine_id(const std::string& dir);

/// A node's durable id in <dir>/node-id, written on first use: the `node` of its providers'
/// ids (messages/ids.hpp), so a node restarted on the same state dir is the same provider.
std::string load_or_create_node_id(const std::string& dir);

} // namespace styx
