#pragma once
// The embedding API: Styx as an engine inside a larger scheduler. No CAF knowledge needed.
//
//   styx::engine_config cfg;                         // the simulated cloud by default
//   auto eng = styx::engine::start(cfg);             // throws engine_error on bad config
//   auto h = eng->submit(provision_request::make("job", resources{}.cpus(4)).count(100));
//   eng->subscribe([](const styx::engine_event& ev) { ... });  // on an engine thread
//   styx::scoped_subscription sub{*eng, callback};  // or one that ends with its scope
//   request_done result = h.wait();                  // or h.result() (a shared_future)
//   eng->terminate(selector::everything());
//   eng->wait_for_state(selector::everything(), instance_state::terminated, 5min);
//   // ~engine: drains the actors, saves the simulated cloud's state
//
// An actor user gets the supervisor's typed handle from supervisor() and talks to it directly.
// Every method is thread-safe. Callbacks run on engine threads and must not block.

#include <functional>
#include <future>
#include <memory>
#include <optional>
#include <stdexcept>
#include <utility>
#include <variant>
#include <vector>

#include <caf/fwd.hpp>

#include "actors/protocol.hpp"
#include "runtime/engine_config.hpp"
#include "runtime/reach.hpp"

namespace styx {

class store;
struct reconcile_report;

struct engine_error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

/// engine::resume() refused the request: unknown, cancelled, or without a stored spec.
struct request_refused : engine_error {
  using engine_error::engine_error;
};

/// What engine::resume() found.
struct resume_result {
  int count = 0; // the old request's count
  int live = 0;  // its live instances after the reconcile
  /// A new request (fresh id) for the count - live missing instances; nullopt when none is.
  std::optional<provision_request> rest;
};

using engine_event
  = std::variant<instance_state_changed, request_progress, request_done, provider_returned>;
using event_callback = std::function<void(const engine_event&)>;

/// A submitted request: its latest progress and, once done, its result.
class request_handle {
public:
  struct slot; // shared with the engine
  request_handle() = default;
  explicit request_handle(std::shared_ptr<slot> s) : slot_(std::move(s)) {}

  const request_id& id() const;
  request_progress progress() const;
  bool done() const;
  /// Blocks until the request is done.
  request_done wait() const;
  /// Null when `timeout` passed first.
  std::optional<request_done> wait_for(duration timeout) const;
  std::shared_future<request_done> result() const;

private:
  std::shared_ptr<slot> slot_;
};

class engine {
public:
  /// Starts the actor system, the clouds and the actors; with a state dir (and
  /// cfg.reconcile_on_start) reconciles before returning. Throws engine_error.
  static std::unique_ptr<engine> start(engine_config cfg);
  ~engine();

  engine(const engine&) = delete;
  engine& operator=(const engine&) = delete;

  /// Submits a request. An invalid request, or any request to an engine that places no
  /// instances (engine_config::places_instances), completes at once with ok == false and
  /// `error`.
  request_handle submit(provision_request req);

  /// The plan the engine would follow for `req` now, without submitting it: its split over
  /// the providers and when all would be created (actors/placement_quote.hpp). Waits for the
  /// providers' catalogs. Throws engine_error for an invalid request. In engine_requests.cpp.
  placement_quote quote(const provision_request& req);

  std::vector<instance_record> list(const selector& sel = selector::everything());
  /// Each returns how many instances were asked to move.
  int stop(const selector& sel);
  int start_instances(const selector& sel); // starts stopped instances
  int terminate(const selector& sel);
  /// Terminates for a reason of the engine's own (reconcile: surplus, orphan), which each
  /// record's end then carries, with `detail` as its last error.
  int terminate(const selector& sel, state_reason why, const std::string& detail);
  /// Finds this engine's instances on every provider (by its ownership tag) and takes them
  /// over; returns how many. With a state dir the store's records are adopted first, so that
  /// instances known by their create call (no styx:instance tag) keep their ids; one that no
  /// record or tag explains is taken over under a new id. `styx status --refresh` and
  /// `styx down` in a new process start with it.
  int adopt();
  /// Adopts known records (e.g. the store's) without asking any cloud: live records on a
  /// configured provider get an instance actor, and polling corrects what went stale.
  int adopt(std::vector<instance_record> known);
  /// The instances as the store last recorded them, without any cloud call. Throws
  /// engine_error when the engine has no state dir.
  std::vector<instance_record> records_from_store();
  /// Lists every registered provider by the ownership tag and matches the store
  /// (runtime/reconcile.hpp): identifies instances a crash left without styx:instance, adopts,
  /// terminates surplus and orphans, marks vanished the records of providers that answered,
  /// resolves open intents. Throws engine_error without a state dir.
  reconcile_report reconcile();
  /// Finishes an interrupted request (`styx up --resume`): reconciles (adopting what its run
  /// created), marks it resumed and returns what is missing, to submit. Throws
  /// request_refused (one line) for an unknown or cancelled request or one without a stored
  /// spec, engine_error without a state dir. Defined in engine_requests.cpp.
  resume_result resume(const request_id& id);
  /// Cancels a request for good (`styx down --request`): marks it cancelled in the store
  /// (committed before anything ends, so that neither resume nor a reconcile brings it back),
  /// then terminates its instances this engine follows (adopt() first for an earlier
  /// process's). Returns how many were asked to terminate.
  int cancel(const request_id& id);
  /// The durable store, null without a state dir.
  std::shared_ptr<styx::store> durable_store() const;

  /// Blocks until every selected instance is in `target` or a final state; false when
  /// `timeout` passed first. Woken by the state events that can end the wait (and at least
  /// every 500 ms), not by polling. Defined in engine_wait.cpp.
  bool wait_for_state(const selector& sel, instance_state target, duration timeout);

  /// Registers a callback for every event; returns an id for unsubscribe(). Callbacks run on
  /// an engine thread, one event at a time.
  uint64_t subscribe(event_callback cb);
  /// Returns once no call of the callback is under way, and it is not called again; called
  /// from the callback itself, it returns at once.
  void unsubscribe(uint64_t id);

  std::vector<provider_stats> stats();
  /// The engine's metrics in the Prometheus text exposition format 0.0.4 (README "Metrics"):
  /// the providers' calls, throttles, retries, buckets and batches (asked now), instances
  /// by state, times to created and running, preemptions, reconcile actions.
  std::string metrics_text();
  /// The providers registered now: the local ones and those of the nodes connected.
  std::vector<provider_id> providers();
  /// The providers left out at start (engine_config::skip_unavailable), each with why.
  const std::vector<unavailable_provider>& unavailable() const;
  /// Which of `records` (live, with a cloud id) are on a provider that is not registered,
  /// by node or local provider (runtime/reach.hpp): what a command reports as not reached
  /// and leaves as it is. Nodes are named by the address they last answered at.
  std::vector<unreached> unreached_of(const std::vector<instance_record>& records);
  const std::string& engine_id() const;
  supervisor_actor supervisor() const;
  caf::actor_system& system();

  /// Stops every actor and saves the simulated cloud. Idempotent; the destructor calls it.
  void shutdown();

  struct impl;

private:
  explicit engine(std::unique_ptr<impl> p);
  std::unique_ptr<impl> impl_;
};

/// A subscription that ends with its scope: the destructor unsubscribes, and so returns once
/// no call of the callback is under way. Declare it after what the callback captures, and
/// the captures outlive every call, on every way out of the scope (a return, a throw).
/// Thread rules: made and destroyed on one thread; the callback runs on an engine thread.
/// Lifetimes: must not outlive the engine. Move-only.
class scoped_subscription {
public:
  scoped_subscription(engine& eng, event_callback cb)
    : eng_(&eng), id_(eng.subscribe(std::move(cb))) {}
  scoped_subscription(scoped_subscription&& other) noexcept
    : eng_(std::exchange(other.eng_, nullptr)), id_(other.id_) {}
  scoped_subscription& operator=(scoped_subscription&&) = delete;
  scoped_subscription(const scoped_subscription&) = delete;
  ~scoped_subscription() {
    if (eng_ != nullptr)
      eng_->unsubscribe(id_);
  }

private:
  engine* eng_;
  uint64_t id_;
};

} // namespace styx
