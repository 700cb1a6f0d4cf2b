#pragma once
// The contract every cloud implements: one asynchronous API call at a time, in the engine's
// vocabulary. A cloud_api translates one call into one or more HTTP requests and parses the
// answers. It never retries, paces, fans out or keeps state across calls (the provider actor
// does all of that: it is the only door to the cloud) and does no I/O of its own (it goes
// through an injected transport or timer).

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <caf/meta/type_name.hpp>

#include "common/time.hpp"
#include "messages/cloud_error.hpp"
#include "messages/cloud_types.hpp"

namespace styx {

/// watch: the stream of a cloud that pushes its instances' changes (cloud_api::watch), a read.
enum class api_op : uint8_t { create, describe, stop, start, terminate, list, catalog, watch };

const char* to_string(api_op x);

/// How a cloud tells which instance of a create call is which engine instance: the identity
/// comes from the create call itself, never from a follow-up call.
///   name         each instance is named (or tagged) after its engine instance id in the create
///                call (sim, GCP, Azure, Kubernetes): cloud_instance::owner_instance() finds it;
///   token_index  a batch's instances share the call's client token and are told apart by
///                their launch index: slot i of the call is the instance with launch_index i
///                (EC2: ClientToken, amiLaunchIndex).
enum class slot_identity : uint8_t { name, token_index };

/// One instance of a create batch.
struct create_slot {
  instance_id id;
  request_id request;
  std::string name;
};

/// One API call. Which fields matter depends on `op`.
struct api_call {
  api_op op = api_op::describe;
  // create
  launch_spec spec;
  std::vector<create_slot> slots;
  std::string client_token;            // idempotency token of the batch
  // describe, stop, start, terminate
  std::vector<std::string> cloud_ids;
  // list
  tag_map filter;
  // describe: every detail the cloud has (tags, state reason), not only the states. The
  // provider asks for it only for instances that ended without being asked.
  bool detail = false;
  // A continuation: the cloud accepted this call earlier and answered that its work was still
  // under way (api_reply::operations: GCP's zone operations). Set, the call asks the cloud how
  // these operations went instead of making the call again; its other fields stay as they
  // were (the create's slots and token, the change's ids still unanswered), so that the
  // cloud_api can build the answer once they are done.
  std::vector<std::string> operations;
  // watch: where the stream starts, the cursor of the list (api_reply::cursor) or of the last
  // push (push_batch::cursor). Opaque to the engine (Kubernetes: a resourceVersion).
  std::string cursor;

  bool continues() const { return !operations.empty(); }
  /// Instances this call counts against a resource bucket (a continuation: none).
  size_t size() const {
    if (continues())
      return 0;
    return op == api_op::create ? slots.size() : cloud_ids.size();
  }
};

/// One instance's part of a change call failed while the rest went through (a cloud that
/// changes each instance with a request of its own: GCP).
struct instance_error {
  std::string cloud_id;
  cloud_error error;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, instance_error& x) {
  return f(caf::meta::type_name("instance_error"), x.cloud_id, x.error);
}

/// The answer to one API call.
struct api_reply {
  cloud_error error;                    // set: the whole call failed
  std::vector<cloud_instance> instances; // create, describe, change, list
  catalog offerings;                     // catalog
  // describe, stop, start, terminate failed with not_found: the ids the cloud named as
  // unknown. The provider answers those and sends the rest again as a new call.
  std::vector<std::string> unknown_ids;
  // HTTP requests the call made, failed ones included: a paginated list or the catalog makes
  // several. The provider charges every one beyond the first to the call's bucket.
  uint32_t requests = 1;
  // stop, start, terminate: the ids whose part failed, with why; `instances` has the others.
  std::vector<instance_error> failed;
  // The cloud accepted the call but its work is still under way: the cloud's handles of it
  // (opaque to the engine). The provider answers what `instances` and `failed` settle and
  // sends the rest of the call again later, as a continuation (api_call::operations), through
  // the describe bucket: asking how an operation went is a read.
  std::vector<std::string> operations;
  // list: where a watch of what was listed starts (a cloud that pushes; else empty).
  // watch: the stream ended; `error` says why (code "Expired": the cursor is too old, list
  // again; anything else: the stream broke).
  std::string cursor;
  // What the cloud said is left of the rate budget this call drew from (Azure's
  // x-ms-ratelimit-remaining-* headers), the least of its answers; < 0: it said nothing. The
  // provider lowers the call's request bucket to it, so that it slows down before the cloud
  // throttles it (a budget shared with other clients, or smaller than configured).
  double remaining = -1;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, api_reply& x) {
  return f(caf::meta::type_name("api_reply"), x.error, x.instances, x.offerings, x.unknown_ids,
           x.requests, x.failed, x.operations, x.cursor, x.remaining);
}

using reply_handler = std::function<void(api_reply)>;

/// What a watch pushed: instances whose state the cloud reports changed (a deleted one as
/// terminated), and instances the cloud reports a problem of (a capacity error: the cloud
/// cannot place it; any other: its state is not known now). `cursor` resumes the stream after
/// these events (a bookmark moves it with no instances at all).
struct push_batch {
  std::vector<cloud_instance> instances;
  std::vector<instance_error> failed;
  std::string cursor;
};

using push_handler = std::function<void(push_batch)>;

class cloud_api {
public:
  virtual ~cloud_api() = default;

  virtual const provider_id& id() const = 0;

  /// Starts `call` and returns at once. `done` runs exactly once, on any thread.
  virtual void start(api_call call, reply_handler done) = 0;

  /// The most instances one call may carry, per operation (EC2: 1000).
  virtual size_t max_batch(api_op) const { return 1000; }

  /// How the instances of a create call are told apart (see slot_identity).
  virtual slot_identity identity() const { return slot_identity::name; }

  /// True for a cloud that pushes its instances' changes (Kubernetes' watch). Its provider
  /// then lists (api_op::list, empty filter: every instance of every engine it holds) and
  /// follows one watch from the list's cursor instead of polling, and lists again when the
  /// watch ends.
  virtual bool pushes() const { return false; }

  /// Opens the watch `call` (api_op::watch, from call.cursor) and returns at once. `push` runs
  /// for every batch of changes as they arrive and `done` exactly once when the stream ends,
  /// all on any thread and one at a time; returns what cancels the stream. A cloud that does
  /// not push answers an error at once.
  virtual std::function<void()> watch(api_call call, push_handler push, reply_handler done) {
    (void)call;
    (void)push;
    api_reply r;
    r.error = make_cloud_error(error_kind::fatal, "NotSupported", "this cloud does not push");
    done(std::move(r));
    return [] {};
  }
};

using cloud_api_ptr = std::shared_ptr<cloud_api>;

/// Runs callbacks later. Declared here for the clouds that need time to pass (the simulated
/// one); implemented by the layer that owns time.
class timer {
public:
  virtual ~timer() = default;
  /// Runs `fn` once, `delay` from now, on any thread.
  virtual void after(duration delay, std::function<void()> fn) = 0;
};

} // namespace styx
