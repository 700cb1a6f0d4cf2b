// engine::resume() and engine::cancel(): a stored request's state moves here, through the
// engine's public API only (runtime/engine.hpp). Also engine::quote().

#include <algorithm>

#include <caf/actor_system.hpp>
#include <caf/scoped_actor.hpp>

#include "runtime/engine.hpp"
#include "runtime/reconcile.hpp"
#include "runtime/store.hpp"

namespace styx {

resume_result engine::resume(const request_id& id) {
  reconcile(); // adopts what the interrupted run created; throws without a state dir
  auto db = durable_store();
  auto name = id.to_string();
  auto old = db->find_request(id);
  if (!old)
    throw request_refused("no request " + name + " in the store");
  if (old->state == request_state::cancelled)
    throw request_refused("request " + name
                          + " was cancelled (styx down --request); it cannot be resumed");
  auto spec = old->request();
  if (!spec)
    throw request_refused("request " + name + " has no stored spec to resume");
  selector sel;
  sel.requests.push_back(id);
  resume_result out;
  out.count = old->count;
  for (auto& r : list(sel))
    if (is_live(r.state))
      ++out.live;
  db->set_request_state(id, request_state::resumed);
  int missing = out.count - out.live;
  if (missing <= 0)
    return out;
  auto& req = out.rest.emplace(std::move(*spec));
  req.id(request_id{});
  req.count(missing);
  if (req.min_count() > 0)
    req.min_count(std::max(1, std::min(missing, req.min_count() - out.live)));
  return out;
}

int engine::cancel(const request_id& id) {
  if (auto db = durable_store()) {
    db->set_request_state(id, request_state::cancelled);
    db->flush();
  }
  selector sel;
  sel.requests.push_back(id);
  return terminate(sel);
}

placement_quote engine::quote(const provision_request& req) {
  caf::scoped_actor self{system()};
  placement_quote q;
  std::string err;
  self->request(supervisor(), std::chrono::minutes(1), quote_atom::value, req)
    .receive([&](placement_quote& x) { q = std::move(x); },
             [&](caf::error& e) { err = system().render(e); });
  if (!err.empty())
    throw engine_error(err);
  return q;
}

} // namespace styx
