#include "actors/provider_internal.hpp"

// The provider's answers to the cloud's replies: a create's instances matched to their slots
// and owners, a change's instances to their waiters, a describe's observations to the owners
// of watched instances, a list, a catalog; and a call that failed for good. The in-flight
// window and the retries that lead here are actors/provider.cpp's.

#include <unordered_map>
#include <unordered_set>

#include <caf/send.hpp>

namespace styx::provider_detail {

namespace {

/// The instance of each slot of a create call's answer, null where the answer lacks it. Which
/// instance is which comes from the create call alone (slot_identity): a named instance
/// carries its slot's id; a batch's instance is the slot at its launch index, and gets its
/// slot's ownership tags here, as the engine knows them (the cloud holds only the shared ones).
std::vector<cloud_instance*> match_slots(slot_identity identity,
                                         const std::vector<create_slot>& slots,
                                         std::vector<cloud_instance>& launched) {
  std::vector<cloud_instance*> result(slots.size(), nullptr);
  if (identity == slot_identity::token_index) {
    for (auto& inst : launched) {
      auto k = static_cast<size_t>(inst.launch_index);
      if (inst.launch_index < 0 || k >= slots.size() || result[k] != nullptr)
        continue;
      result[k] = &inst;
      inst.tags[ownership_tag::instance] = slots[k].id.to_string();
      if (!slots[k].name.empty())
        inst.tags[ownership_tag::name] = slots[k].name;
    }
    return result;
  }
  std::unordered_map<instance_id, size_t, uuid_hash> slot_of;
  for (size_t k = 0; k < slots.size(); ++k)
    slot_of.emplace(slots[k].id, k);
  for (auto& inst : launched)
    if (auto i = slot_of.find(inst.owner_instance()); i != slot_of.end())
      result[i->second] = &inst;
  return result;
}

} // namespace

/// `o` failed with not_found naming `unknown` ids: those waiters are answered (a describe
/// reports them as vanished), and the rest go again as a new call, through the buckets.
void resend_known(provider_self self, outgoing& o, const api_reply& reply) {
  auto& st = self->state;
  std::unordered_set<std::string> unknown(reply.unknown_ids.begin(), reply.unknown_ids.end());
  outgoing rest;
  rest.call = o.call;
  rest.call.cloud_ids.clear();
  rest.attempt = o.attempt;
  for (auto& id : o.call.cloud_ids)
    if (unknown.count(id) == 0)
      rest.call.cloud_ids.push_back(id);
  if (o.call.op == api_op::describe) {
    // The rest goes again below as the same round's call; nothing of the round ended yet.
    std::vector<std::string> gone(reply.unknown_ids.begin(), reply.unknown_ids.end());
    for (auto& u : st.polls.on_described(o.sent_at, gone, {}, nullptr, false))
      self->send(u.owner, instance_update{std::move(u.instance), {}});
  }
  for (auto& w : o.waiters) {
    if (unknown.count(w.cloud_id) > 0)
      w.rp.deliver(instance_update{{}, reply.error});
    else
      rest.waiters.push_back(std::move(w));
  }
  if (!rest.call.cloud_ids.empty())
    enqueue_call(self, std::move(rest));
  else if (o.call.op == api_op::describe)
    st.polls.on_describe_failed(!o.call.detail); // nothing left to ask: this call ended
}

/// Answers the waiters of a change call whose instance `reply` settles: changed (in
/// `instances`) or failed (in `failed`). The others are answered not_found, unless the call
/// goes on (`more`: a continuation follows); then they stay in `o`, their ids its only ones.
void answer_changes(provider_self self, outgoing& o, api_reply& reply, bool more) {
  struct answered {
    cloud_instance* inst;
    size_t waiting; // waiters it answers: the last one gets it moved, not copied
  };
  std::unordered_map<std::string, answered> by_id;
  for (auto& inst : reply.instances)
    by_id.emplace(inst.cloud_id, answered{&inst, 0});
  for (auto& w : o.waiters)
    if (auto a = by_id.find(w.cloud_id); a != by_id.end())
      ++a->second.waiting;
  std::unordered_map<std::string, const cloud_error*> failed;
  for (auto& f : reply.failed)
    failed.emplace(f.cloud_id, &f.error);
  std::vector<waiter> rest;
  for (auto& w : o.waiters) {
    if (auto f = failed.find(w.cloud_id); f != failed.end()) {
      w.rp.deliver(instance_update{{}, *f->second});
      continue;
    }
    auto found = by_id.find(w.cloud_id);
    if (found == by_id.end()) {
      if (more)
        rest.push_back(std::move(w));
      else
        w.rp.deliver(instance_update{{}, make_cloud_error(error_kind::not_found,
                                                          "InvalidInstanceID.NotFound",
                                                          w.cloud_id + " is unknown")});
      continue;
    }
    auto owner = caf::actor_cast<instance_actor>(w.owner);
    auto& a = found->second;
    auto state = a.inst->state;
    if (--a.waiting == 0) // before any push watch() applies
      w.rp.deliver(instance_update{std::move(*a.inst), {}});
    else
      w.rp.deliver(instance_update{*a.inst, {}});
    watch_instance(self, std::move(w.cloud_id), std::move(owner), state);
  }
  if (more) {
    o.waiters = std::move(rest);
    o.call.cloud_ids.clear();
    for (auto& w : o.waiters)
      o.call.cloud_ids.push_back(w.cloud_id);
  }
}

void answer(provider_self self, outgoing& o, api_reply& reply) {
  auto& st = self->state;
  switch (o.call.op) {
    case api_op::create: {
      auto slots = match_slots(st.cloud->identity(), o.call.slots, reply.instances);
      for (size_t i = 0; i < o.waiters.size(); ++i) {
        auto& w = o.waiters[i];
        cloud_instance* inst = slots[i];
        if (inst == nullptr) {
          w.rp.deliver(instance_update{{}, make_cloud_error(error_kind::fatal, "MissingInstance",
                                                            "create answer lacks the instance")});
          continue;
        }
        ++st.stats.instances_created;
        // The answer first: a push watch() applies must reach the owner after it. Moved, not
        // copied (the reply is done with it); the watch keeps the id.
        auto cloud_id = inst->cloud_id;
        auto state = inst->state;
        w.rp.deliver(instance_update{std::move(*inst), {}});
        watch_instance(self, std::move(cloud_id), caf::actor_cast<instance_actor>(w.owner), state);
      }
      break;
    }
    case api_op::stop:
    case api_op::start:
    case api_op::terminate:
      answer_changes(self, o, reply, false);
      break;
    case api_op::describe: {
      std::vector<std::string> need_detail;
      auto asked = without_problems(o.call.cloud_ids, reply.failed);
      report_problems(self, reply.failed);
      for (auto& u : st.polls.on_described(o.sent_at, asked, reply.instances,
                                           o.call.detail ? nullptr : &need_detail,
                                           !o.call.detail))
        self->send(u.owner, instance_update{std::move(u.instance), {}});
      if (!need_detail.empty()) { // ended without being asked: why, in one more call
        outgoing detail;
        detail.call.op = api_op::describe;
        detail.call.detail = true;
        detail.call.cloud_ids = std::move(need_detail);
        enqueue_call(self, std::move(detail));
      }
      st.stats.watched = static_cast<int64_t>(st.polls.watched());
      break;
    }
    case api_op::list:
      if (o.relist)
        push_listed(self, o, reply);
      else
        o.list_rp.deliver(std::move(reply.instances));
      break;
    case api_op::catalog:
      st.cached_catalog = reply.offerings;
      for (auto& rp : st.catalog_waiters)
        rp.deliver(reply.offerings);
      st.catalog_waiters.clear();
      break;
    case api_op::watch: // never answered as a call: provider_push.cpp
      break;
  }
}

void fail(provider_self self, outgoing& o, const cloud_error& err) {
  auto& st = self->state;
  ++st.stats.failed_calls;
  count_failed(st, o, err);
  for (auto& w : o.waiters)
    w.rp.deliver(instance_update{{}, err});
  switch (o.call.op) {
    case api_op::describe:
      st.polls.on_describe_failed(!o.call.detail); // the next poll asks again
      break;
    case api_op::list:
      if (o.relist)
        push_list_failed(self);
      else
        o.list_rp.deliver(make_error(styx_error::cloud_refused, err.to_string()));
      break;
    case api_op::catalog:
      for (auto& rp : st.catalog_waiters)
        rp.deliver(make_error(styx_error::cloud_refused, err.to_string()));
      st.catalog_waiters.clear();
      break;
    default:
      break;
  }
}

} // namespace styx::provider_detail
