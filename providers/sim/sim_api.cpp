#include "providers/sim/sim_api.hpp"

#include <utility>

namespace styx {

sim_api::sim_api(std::shared_ptr<sim_cloud> cloud, provider_id id, timer& t)
  : cloud_(std::move(cloud)), id_(std::move(id)), timer_(t) {
  // nop
}

void sim_api::start(api_call call, reply_handler done) {
  auto reply = cloud_->handle(id_.region, call);
  for (auto& o : reply.offerings) // the catalog names this provider, wherever it lives
    o.provider = id_;
  auto delay = cloud_->draw_latency();
  if (delay <= duration::zero()) {
    done(std::move(reply));
    return;
  }
  // std::function needs a copyable callable: share the reply instead of copying it.
  auto shared = std::make_shared<api_reply>(std::move(reply));
  timer_.after(delay, [shared, done = std::move(done)] { done(std::move(*shared)); });
}

} // namespace styx
