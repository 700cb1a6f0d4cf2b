#include "actors/instance.hpp"

#include "messages/transition.hpp"

#include <memory>

#include <caf/actor_system.hpp>
#include <caf/typed_event_based_actor.hpp>

namespace styx {

namespace {

struct instance_data {
  static inline const char* name = "styx.instance";

  instance_record rec;
  std::unique_ptr<launch_spec> spec; // while it is being created: 160 bytes spared afterwards
  provider_actor provider;
  supervisor_actor supervisor;
  instance_config cfg;
  bool create_in_flight = false;
  bool terminate_wanted = false;  // asked while the create was on the wire
  bool user_changed = false;      // the last move was asked for, not observed
  // Set when the engine ends it as a failure (cancelled, given up): the reason its end carries.
  state_reason give_up_why = state_reason::none;
  std::string give_up_detail;
  std::optional<change_op> change_in_flight;
  uint64_t timeout_token = 0;
};

using instance_self = instance_actor::stateful_pointer<instance_data>;

unix_ms wall_now(const instance_data& st) {
  if (st.cfg.wall != nullptr)
    return st.cfg.wall->wall_ms();
  return system_clock{}.wall_ms();
}

/// Moves the record through the one transition function (messages/transition.hpp) and tells
/// the supervisor. False when the table refuses the move: the record stays as it is.
bool transition(instance_self self, instance_state to, state_reason why = state_reason::none,
                std::string detail = {}) {
  auto& st = self->state;
  auto r = advance(std::move(st.rec), observation{to, why, wall_now(st), std::move(detail)});
  st.rec = std::move(r.record);
  if (!r.changed)
    return !r.refused;
  self->send(st.supervisor, instance_state_changed{st.rec, r.from});
  if (to == instance_state::pending && st.cfg.pending_timeout > duration::zero())
    self->delayed_send(self, st.cfg.pending_timeout, timeout_atom::value, ++st.timeout_token);
  if (is_final(to))
    self->quit();
  return true;
}

/// A failed change leaves the state; its words go to last_error and the supervisor.
void annotate(instance_self self, std::string detail) {
  auto& st = self->state;
  auto state = st.rec.state;
  st.rec = advance(std::move(st.rec), observation{state, {}, 0, std::move(detail)}).record;
  self->send(st.supervisor, instance_state_changed{st.rec, state});
}

/// Ends an instance the engine gave up on or cancelled, with the reason it was given.
void end_as_given_up(instance_self self) {
  auto& st = self->state;
  if (st.give_up_why == state_reason::none)
    transition(self, instance_state::failed, state_reason::cancelled, "cancelled before creation");
  else
    transition(self, instance_state::failed, st.give_up_why, st.give_up_detail);
}

void request_change(instance_self self, change_op op);

/// A state the cloud reports, from a create or change answer or from polling.
void observe(instance_self self, const cloud_instance& inst) {
  auto& st = self->state;
  if (!inst.zone.empty())
    st.rec.zone = inst.zone;
  if (!inst.instance_type.empty())
    st.rec.instance_type = inst.instance_type;
  auto from = st.rec.state;
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
  if (to == instance_state::terminated && st.give_up_why != state_reason::none) {
    why = st.give_up_why;
    detail = st.give_up_detail;
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
                 placement_failed{st.rec.id, st.rec.request, *st.spec, st.rec.provider, u.error});
    } else {
      transition(self, instance_state::failed, state_reason::create_failed, u.error.to_string());
    }
    return;
  }
  st.spec.reset(); // needed only to create (or to re-place after a placement error)
  st.rec.cloud_id = u.instance.cloud_id;
  st.rec.zone = u.instance.zone;
  st.rec.instance_type = u.instance.instance_type;
  st.rec.market = u.instance.market;
  transition(self, instance_state::pending);
  if (u.instance.state != instance_state::pending)
    observe(self, u.instance);
  if (st.terminate_wanted && !is_final(st.rec.state))
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
  self->request(st.provider, caf::infinite, change_instance{st.rec.id, st.rec.cloud_id, op})
    .then(
      [=](instance_update& u) {
        auto& st = self->state;
        st.change_in_flight.reset();
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
  if (st.rec.state != instance_state::requested && st.rec.state != instance_state::pending)
    return;
  st.give_up_why = why;
  st.give_up_detail = std::move(detail);
  if (st.rec.state == instance_state::pending)
    request_change(self, change_op::terminate);
  else if (st.create_in_flight) // terminate it as soon as it exists
    st.terminate_wanted = true;
  else
    end_as_given_up(self);
}

instance_actor::behavior_type instance_behavior(instance_self self, instance_init init) {
  auto& st = self->state;
  st.rec = std::move(init.record);
  st.supervisor = std::move(init.supervisor);
  st.cfg = init.cfg;
  st.provider = std::move(init.provider);
  if (st.provider && is_live(st.rec.state)) // adopted: ask to be polled
    self->send(st.provider, watch_atom::value, st.rec.cloud_id, st.rec.state);
  return {
    [=](place_atom, provider_actor& provider, provider_id& pid, launch_spec& spec) {
      auto& st = self->state;
      if (st.rec.state != instance_state::requested || st.create_in_flight)
        return;
      if (st.terminate_wanted) {
        end_as_given_up(self);
        return;
      }
      st.provider = std::move(provider);
      st.rec.provider = std::move(pid);
      st.rec.zone = spec.zone;
      st.rec.instance_type = spec.instance_type;
      st.rec.market = spec.market;
      st.spec = std::make_unique<launch_spec>(std::move(spec));
      st.create_in_flight = true;
      self->request(st.provider, caf::infinite,
                    create_instance{st.rec.id, st.rec.request, st.rec.name, *st.spec})
        .then([=](instance_update& u) { on_created(self, u); },
              [=](caf::error& err) {
                instance_update u;
                u.error = make_cloud_error(error_kind::transient, "ProviderUnreachable",
                                           self->system().render(err));
                on_created(self, u);
              });
    },
    [=](give_up_atom, state_reason why, std::string& detail) {
      give_up(self, why, std::move(detail));
    },
    [=](change_op op) -> caf::result<instance_record> {
      auto& st = self->state;
      if (st.rec.state == instance_state::requested && op == change_op::terminate) {
        if (st.create_in_flight) {
          st.terminate_wanted = true;
          return st.rec;
        }
        st.user_changed = true;
        end_as_given_up(self);
        return st.rec;
      }
      auto target = target_of(op);
      if (st.change_in_flight == op || st.rec.state == target)
        return st.rec; // already under way
      if (!is_legal_transition(st.rec.state, target))
        return make_error(styx_error::illegal_transition,
                          std::string{"illegal transition "} + to_string(st.rec.state) + " -> "
                            + to_string(target));
      request_change(self, op);
      return st.rec;
    },
    [=](record_atom) { return self->state.rec; },
    [=](instance_update& u) {
      if (!u.error) {
        observe(self, u.instance);
        return;
      }
      // A problem the cloud reports of it (a watch): no capacity for a pod it took (ended and
      // placed again elsewhere), or its state is not known now (said, not changed).
      auto& st = self->state;
      if (is_placement_error(u.error.kind) && st.rec.state == instance_state::pending)
        give_up(self, state_reason::no_capacity, u.error.to_string());
      else if (!is_placement_error(u.error.kind) && st.rec.last_error != u.error.to_string())
        annotate(self, u.error.to_string());
    },
    [=](timeout_atom, uint64_t token) {
      if (token == self->state.timeout_token)
        give_up(self, state_reason::given_up, "pending timeout");
    },
  };
}

} // namespace

instance_actor spawn_instance(caf::actor_system& sys, instance_init init) {
  return sys.spawn(instance_behavior, std::move(init));
}

} // namespace styx
