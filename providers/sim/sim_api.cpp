#include "providers/sim/sim_api.hpp"

#include <utility>

namespace styx {

sim_api::sim_api(std::shared_ptr<sim_cloud> cloud, provider_id id, timer& t)
  : cloud_(std::move(cloud)), id_(std::move(id)), timer_(t) {
  // nop
}

namespace {

api_reply handle_for(sim_cloud& cloud, const provider_id& id, const api_call& call) {
  auto reply = cloud.handle(id.region, call);
  for (auto& o : reply.offerings) // the catalog names this provider, wherever it lives
    o.provider = id;
  return reply;
}

} // namespace

void sim_api::start(api_call call, reply_handler done) {
  if (cloud_->config().latency_median <= duration::zero()) {
    // No latency: the cloud does its work on the timer's thread, as a cloud does it away from
    // the caller. The caller is a provider actor, whose one thread paces every call of its
    // provider: the sim's work there was half of that actor's time (bench/README.md).
    timer_.after(duration::zero(), [cloud = cloud_, id = id_, call = std::move(call),
                                    done = std::move(done)] { done(handle_for(*cloud, id, call)); });
    return;
  }
  auto reply = handle_for(*cloud_, id_, call);
  auto delay = cloud_->draw_latency();
  // std::function needs a copyable callable: share the reply instead of copying it.
  auto shared = std::make_shared<api_reply>(std::move(reply));
  timer_.after(delay, [shared, done = std::move(done)] { done(std::move(*shared)); });
}

} // namespace styx
