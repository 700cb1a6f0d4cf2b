#include "actors/instance.hpp"

#include "messages/transition.hpp"

#include <memory>

#include <caf/actor_system.hpp>
#include <caf/detail/sync_request_bouncer.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

namespace styx {

namespace {

/// Why the engine ends an instance for a reason of its own, when it does (cancelled, given up:
/// failed; reconcile's surplus and orphans: terminated). Rare, so kept out of line.
struct given_up {
  state_reason why = state_reason::none;
  std::string detail;
};

/// One instance actor's state: what its state machine needs, not a record (the supervisor
/// keeps that). About 200 bytes: the CAF actor around it is most of an instance's cost.
struct instance_data {
  static inline const char* name = "styx.instance";

  instance_id id;
  request_id request;
  std::string inst_name;
  std::string cloud_id;
  std::string zone;       // where the cloud put it; empty: the spec's
  std::string last_error;
  std::shared_ptr<const placement_basis> basis; // provider and spec, shared; null until placed
  supervisor_actor supervisor;
  instance_config cfg;
  unix_ms since = 0;
  // Set when the engine ends it for a reason of its own (given up, cancelled, or reconcile's
  // surplus and orphans, end_atom): the reason its end carries, failed or terminated.
  std::unique_ptr<given_up> give_up;
  // While a handler may take two steps (a create or change answered): the delta not sent yet.
  std::optional<instance_delta>* held = nullptr;
  instance_state state = instance_state::requested;
  state_reason reason = state_reason::none;
  std::optional<change_op> change_in_flight;
  bool create_in_flight = false;
  bool terminate_wanted = false;  // asked while the create was on the wire
  bool user_changed = false;      // the last move was asked for, not observed
  bool identity_unsent = false;   // cloud id and zone go with the next delta
  bool watch_at_start = false;    // adopted live: asks its provider to poll it as it starts
  bool place_at_start = false;    // spawned placed: creates itself as it starts
};

using instance_self = instance_actor::stateful_pointer<instance_data>;

unix_ms wall_now(const instance_data& st) {
  if (st.cfg.wall != nullptr)
    return st.cfg.wall->wall_ms();
  return system_clock{}.wall_ms();
}

/// What the supervisor's record says of it, from what this actor keeps.
instance_record record_of(const instance_data& st) {
  instance_record r;
  r.id = st.id;
  r.request = st.request;
  r.name = st.inst_name;
  if (st.basis) {
    r.provider = st.basis->id;
    r.zone = st.basis->spec.zone;
    r.instance_type = st.basis->spec.instance_type;
    r.market = st.basis->spec.market;
  }
  if (!st.zone.empty())
    r.zone = st.zone;
  r.cloud_id = st.cloud_id;
  r.state = st.state;
  r.since = st.since;
  r.reason = st.reason;
  r.last_error = st.last_error;
  return r;
}

/// Holds the deltas of one handler that may take two steps, and sends them as it ends.
class delta_hold {
public:
  explicit delta_hold(instance_self self) : self_(self) { self_->state.held = &d_; }
  ~delta_hold() {
    self_->state.held = nullptr;
    if (d_)
      self_->send(self_->state.supervisor, std::move(*d_));
  }
  delta_hold(const delta_hold&) = delete;
  delta_hold& operator=(const delta_hold&) = delete;

private:
  instance_self self_;
  std::optional<instance_delta> d_;
};

/// Tells the supervisor of a step from -> to (from == to: words for last_error only); held
/// while a delta_hold is open, and merged with the held step when that one had no reason and
/// no words.
void emit(instance_self self, instance_state from, instance_state to, state_reason why,
          const std::string& detail) {
  auto& st = self->state;
  instance_delta d;
  d.id = st.id;
  d.from = d.via = from;
  d.state = to;
  d.reason = why;
  d.since = st.since;
  d.detail = detail;
  if (st.identity_unsent) {
    st.identity_unsent = false;
    d.cloud_id = st.cloud_id;
    d.zone = st.zone;
    if (st.basis) {
      d.instance_type = st.basis->spec.instance_type;
      d.market = st.basis->spec.market;
      if (d.zone.empty())
        d.zone = st.basis->spec.zone;
    }
  }
  if (st.held == nullptr) {
    self->send(st.supervisor, std::move(d));
    return;
  }
  auto& held = *st.held;
  if (held && held->state == from && from != to && held->via == held->from
      && held->reason == state_reason::none && held->detail.empty() && d.cloud_id.empty()) {
    held->via = from;
    held->state = to;
    held->reason = why;
    held->since = d.since;
    held->detail = std::move(d.detail);
    return;
  }
  if (held)
    self->send(st.supervisor, std::move(*held));
  held = std::move(d);
}

/// Moves the state through the table (may_follow, messages/transition.hpp) and tells the
/// supervisor. False when the table refuses the move: the state stays as it is.
bool transition(instance_self self, instance_state to, state_reason why = state_reason::none,
                std::string detail = {}) {
  auto& st = self->state;
  auto from = st.state;
  if (to == from) { // nothing moves; words replace last_error, untold (as advance() does)
    if (!detail.empty())
      st.last_error = std::move(detail);
    return true;
  }
  if (!may_follow(from, st.reason, to, why))
    return false;
  st.state = to;
  st.reason = why;
  st.since = wall_now(st);
  st.last_error = std::move(detail);
  emit(self, from, to, why, st.last_error);
  if (is_final(to))
    self->quit();
  return true;
}

/// A failed change leaves the state; its words go to last_error and the supervisor.
void annotate(instance_self self, std::string detail) {
  auto& st = self->state;
  st.last_error = std::move(detail);
  emit(self, st.state, st.state, state_reason::none, st.last_error);
}

/// Ends an instance the engine gave up on or cancelled, with the reason it was given.
void end_as_given_up(instance_self self) {
  auto& st = self->state;
  if (!st.give_up)
    transition(self, instance_state::failed, state_reason::cancelled, "cancelled before creation");
  else
    transition(self, instance_state::failed, st.give_up->why, st.give_up->detail);
}

void request_change(instance_self self, change_op op);

/// A state the cloud reports, from a create or change answer or from polling.
void observe(instance_self self, const cloud_instance& inst) {
  auto& st = self->state;
  auto from = st.state;
  auto to = inst.state;
  if (to == from)
    return;
  // After a start the cloud says pending (EC2); after a terminate it may still say the old
  // state for a while: both are stale views, not transitions.
  if (from == instance_state::starting && to == instance_state::pending)
    return;
  if (from == instance_state::terminating && to != instance_state::terminated)
    return;
  // Why it moved: the engine's own reason when it gave up on it; the cloud's when nobody here
  // asked; none for a move that was asked for.
  auto why = state_reason::none;
  std::string detail;
  if (to == instance_state::terminated && st.give_up) {
    why = st.give_up->why;
    detail = st.give_up->detail;
  } else if (!st.user_changed && (inst.reason != state_reason::none || is_final(to))) {
    why = inst.reason != state_reason::none ? inst.reason : state_reason::cloud_ended;
    detail = inst.reason_code.empty() ? to_string(why) : inst.reason_code;
  }
  // Refused: an older observation overtaken by a newer one; the next poll settles it.
  transition(self, to, why, std::move(detail));
}

void on_created(instance_self self, instance_update& u) {
  auto& st = self->state;
  st.create_in_flight = false;
  if (u.error) {
    if (st.terminate_wanted) {
      end_as_given_up(self);
    } else if (is_placement_error(u.error.kind)) {
      self->send(st.supervisor,
                 placement_failed{st.id, st.request, st.basis->spec, st.basis->id, u.error});
    } else {
      transition(self, instance_state::failed, state_reason::create_failed, u.error.to_string());
    }
    return;
  }
  st.cloud_id = u.instance.cloud_id;
  if (u.instance.zone != st.basis->spec.zone)
    st.zone = u.instance.zone;
  st.identity_unsent = true;
  {
    delta_hold hold{self}; // pending and the state the answer gives, in one message
    transition(self, instance_state::pending);
    if (u.instance.state != instance_state::pending)
      observe(self, u.instance);
  }
  if (st.terminate_wanted && !is_final(st.state))
    request_change(self, change_op::terminate);
}

instance_state target_of(change_op op) {
  switch (op) {
    case change_op::stop: return instance_state::stopping;
    case change_op::start: return instance_state::starting;
    default: return instance_state::terminating;
  }
}

/// Sends a legal change to the provider; the state moves when the cloud accepted it.
void request_change(instance_self self, change_op op) {
  auto& st = self->state;
  if (st.change_in_flight == op)
    return;
  st.change_in_flight = op;
  st.user_changed = true;
  self->request(st.basis->provider, caf::infinite, change_instance{st.id, st.cloud_id, op})
    .then(
      [=](instance_update& u) {
        auto& st = self->state;
        st.change_in_flight.reset();
        delta_hold hold{self}; // the change accepted and the state the answer gives
        if (u.error) {
          if (u.error.kind == error_kind::not_found) {
            transition(self, instance_state::terminated, state_reason::vanished,
                       std::string{to_string(op)} + ": its provider no longer knows it");
            return;
          }
          annotate(self, std::string{to_string(op)} + " failed: " + u.error.to_string());
          return;
        }
        transition(self, target_of(op)); // refused when the cloud got there first
        observe(self, u.instance);
      },
      [=](caf::error& err) {
        auto& st = self->state;
        st.change_in_flight.reset();
        annotate(self, std::string{to_string(op)} + " failed: " + self->system().render(err));
      });
}

/// The engine gives up on an instance that is not running yet: a failure of its request.
void give_up(instance_self self, state_reason why, std::string detail) {
  auto& st = self->state;
  if (st.state != instance_state::requested && st.state != instance_state::pending)
    return;
  st.give_up = std::make_unique<given_up>(given_up{why, std::move(detail)});
  if (st.state == instance_state::pending)
    request_change(self, change_op::terminate);
  else if (st.create_in_flight) // terminate it as soon as it exists
    st.terminate_wanted = true;
  else
    end_as_given_up(self);
}

/// The record as the answer to a change; none for an anonymous ask (the supervisor's changes
/// of many instances at once), which nobody would receive: a record of strings per instance
/// made for nothing.
caf::result<instance_record> answer_of(instance_self self) {
  if (!self->current_sender())
    return caf::delegated<instance_record>{};
  return record_of(self->state);
}

/// Stop, start or terminate, as the supervisor or the engine asked. An error when the table
/// has no such move from the current state.
caf::result<instance_record> ask_change(instance_self self, change_op op) {
  auto& st = self->state;
  if (st.state == instance_state::requested && op == change_op::terminate) {
    if (st.create_in_flight) {
      st.terminate_wanted = true;
      return answer_of(self);
    }
    st.user_changed = true;
    end_as_given_up(self);
    return answer_of(self);
  }
  auto target = target_of(op);
  if (st.change_in_flight == op || st.state == target)
    return answer_of(self); // already under way
  if (!is_legal_transition(st.state, target))
    return make_error(styx_error::illegal_transition,
                      std::string{"illegal transition "} + to_string(st.state) + " -> "
                        + to_string(target));
  request_change(self, op);
  return answer_of(self);
}

/// Creates the instance on the provider of `ref`, unless it is past that.
void place(instance_self self, placement_ref ref) {
  auto& st = self->state;
  if (st.state != instance_state::requested || st.create_in_flight || !ref.basis)
    return;
  if (st.terminate_wanted) {
    end_as_given_up(self);
    return;
  }
  st.basis = std::move(ref.basis);
  st.zone.clear();
  st.create_in_flight = true;
  self->request(st.basis->provider, caf::infinite,
                create_instance{st.id, st.request, st.inst_name, st.basis->spec})
    .then([=](instance_update& u) { on_created(self, u); },
          [=](caf::error& err) {
            instance_update u;
            u.error = make_cloud_error(error_kind::transient, "ProviderUnreachable",
                                       self->system().render(err));
            on_created(self, u);
          });
}

/// The instance actor. Every instance shares one behavior (shared_behavior()): its handlers
/// capture nothing and find the instance they run for through self(), which resume() sets on
/// the worker thread while this actor runs there. A behavior of its own per actor, each handler
/// capturing its self, cost 384 bytes of heap per instance, a seventh of an instance.
///
/// Thread rules: CAF runs an actor on one worker thread at a time and only within resume(); its
/// behavior's handlers run only there, so self() is this actor whenever one of them runs.
/// Response handlers (request().then) capture their self as usual. Lifetime: CAF's; the state
/// is set up in the constructor, and the first messages go out in make_behavior().
class instance_impl : public caf::stateful_actor<instance_data, instance_actor::base> {
public:
  using super = caf::stateful_actor<instance_data, instance_actor::base>;

  instance_impl(caf::actor_config& cfg, instance_init init) : super(cfg) {
    auto& st = state;
    auto& rec = init.record;
    st.id = rec.id;
    st.request = rec.request;
    st.inst_name = std::move(rec.name);
    st.cloud_id = std::move(rec.cloud_id);
    st.last_error = std::move(rec.last_error);
    st.state = rec.state;
    st.reason = rec.reason;
    st.since = rec.since;
    st.supervisor = std::move(init.supervisor);
    st.cfg = init.cfg;
    if (init.provider) { // adopted: its provider and where it runs, from the record
      st.basis = basis_of(rec, std::move(init.provider));
      st.watch_at_start = is_live(st.state);
    } else if (init.placed.basis) { // placed at once: it creates itself as it starts
      st.basis = std::move(init.placed.basis);
      st.place_at_start = true;
    }
  }

  behavior_type make_behavior() override {
    auto& st = state;
    if (st.watch_at_start) // ask to be polled
      send(st.basis->provider, watch_atom::value, st.cloud_id, st.state);
    if (st.place_at_start)
      place(this, placement_ref{std::move(st.basis)});
    st.watch_at_start = st.place_at_start = false;
    return shared_behavior();
  }

  resume_result resume(caf::execution_unit* ctx, size_t max_throughput) override {
    auto* outer = running;
    running = this;
    auto result = super::resume(ctx, max_throughput);
    running = outer; // `this` may be gone by now: not touched again
    return result;
  }

  /// What CAF 0.17.6's scheduled_actor::cleanup and local_actor::cleanup do, but for the
  /// last step: `clock().cancel_timeouts(this)`. That step allocates a cancellation, queues it
  /// for the actor clock's thread and wakes that thread, for every actor that ends: 6.6 % of a
  /// lifecycle's CPU (bench/README.md). An instance sets no timeout to cancel: its requests
  /// wait without one (caf::infinite) and its pending timeout is the supervisor's. An actor
  /// that may have a timeout (a detached one, never spawned here) takes CAF's path.
  bool cleanup(caf::error&& fail_state, caf::execution_unit* host) override {
    if (getf(is_detached_flag))
      return super::cleanup(std::move(fail_state), host);
    awaited_responses_.clear();
    multiplexed_responses_.clear();
    for (auto& kvp : stream_managers_)
      kvp.second->stop(fail_state);
    for (auto& kvp : pending_stream_managers_)
      kvp.second->stop(fail_state);
    stream_managers_.clear();
    pending_stream_managers_.clear();
    get_downstream_queue().cleanup();
    if (!mailbox_.closed()) { // what is still queued: requests get an error, the rest goes
      mailbox_.close();
      get_normal_queue().flush_cache();
      get_urgent_queue().flush_cache();
      caf::detail::sync_request_bouncer bounce{fail_state};
      while (mailbox_.queue().new_round(1000, bounce).consumed_items)
        ; // nop
    }
    unregister_from_system();
    monitorable_actor::cleanup(std::move(fail_state), host);
    return true;
  }

  /// The instance whose handler runs on this thread.
  static instance_self self() { return running; }

private:
  /// The behavior every instance shares, made once.
  static const instance_actor::behavior_type& shared_behavior();

  static thread_local instance_impl* running;
};

thread_local instance_impl* instance_impl::running = nullptr;

const instance_actor::behavior_type& instance_impl::shared_behavior() {
  static const instance_actor::behavior_type shared{
      [](place_atom, provider_actor& provider, provider_id& pid, launch_spec& spec) {
        auto self = instance_impl::self();
        auto b = std::make_shared<placement_basis>(
          placement_basis{std::move(provider), std::move(pid), std::move(spec)});
        place(self, placement_ref{std::move(b)});
      },
      [](place_atom, placement_ref& ref) { place(instance_impl::self(), std::move(ref)); },
      [](give_up_atom, state_reason why, std::string& detail) {
        auto self = instance_impl::self();
        give_up(self, why, std::move(detail));
      },
      [](change_op op) { return ask_change(instance_impl::self(), op); },
      [](end_atom, state_reason why, std::string& detail) {
        auto self = instance_impl::self();
        auto& st = self->state;
        if (is_final(st.state))
          return;
        st.give_up = std::make_unique<given_up>(given_up{why, std::move(detail)});
        ask_change(self, change_op::terminate); // illegal only where nothing is left to end
      },
      [](record_atom) { return record_of(instance_impl::self()->state); },
      [](instance_update& u) {
        auto self = instance_impl::self();
        if (!u.error) {
          observe(self, u.instance);
          return;
        }
        // A problem the cloud reports of it (a watch): no capacity for a pod it took (ended and
        // placed again elsewhere), or its state is not known now (said, not changed).
        auto& st = self->state;
        if (is_placement_error(u.error.kind) && st.state == instance_state::pending)
          give_up(self, state_reason::no_capacity, u.error.to_string());
        else if (!is_placement_error(u.error.kind) && st.last_error != u.error.to_string())
          annotate(self, u.error.to_string());
      },
    };
  return shared;
}

} // namespace

instance_actor spawn_instance(caf::actor_system& sys, instance_init init) {
  return sys.spawn<instance_impl>(std::move(init));
}

} // namespace styx
