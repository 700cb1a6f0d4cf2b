#pragma once
// What the provider actor needs from durable storage, declared here and implemented by the
// runtime's store: the intent of every create call is made durable BEFORE the call goes out,
// and its outcome after, so that a crash at any point leaves enough behind to find (by the
// client token and the ownership tags) everything the call may have created.

#include <functional>
#include <string>
#include <vector>

#include "providers/cloud_api.hpp"

namespace styx {

struct create_intent {
  std::string client_token; // the call's idempotency token, the same on every retry
  provider_id provider;
  launch_spec spec;
  std::vector<create_slot> slots;
};

class journal {
public:
  virtual ~journal() = default;

  /// Makes `intent` durable. `done` runs exactly once, on any thread: with an empty string
  /// when the intent is committed, otherwise with why it could not be (the call is then not
  /// made). Implementations may group the commits of many intents.
  virtual void record_intent(create_intent intent, std::function<void(std::string)> done) = 0;

  /// The final answer to the create with `client_token`: what it created, or its error.
  virtual void record_outcome(const std::string& client_token,
                              const std::vector<cloud_instance>& created,
                              const cloud_error& error) = 0;
};

} // namespace styx
