#include "runtime/durable_sim_api.hpp"

#include <spdlog/spdlog.h>

namespace styx {

durable_sim_api::durable_sim_api(std::shared_ptr<sim_cloud> cloud, provider_id id, timer& t,
                                 std::shared_ptr<std::mutex> save_mtx)
  : cloud_(std::move(cloud)), id_(std::move(id)), timer_(t), save_mtx_(std::move(save_mtx)) {}

void durable_sim_api::start(api_call call, reply_handler done) {
  auto op = call.op;
  auto reply = cloud_->handle(id_.region, call);
  bool mutating = op == api_op::create || op == api_op::stop || op == api_op::start
                  || op == api_op::terminate;
  if (mutating && !reply.error) {
    std::lock_guard<std::mutex> guard{*save_mtx_};
    std::string err;
    if (!cloud_->save(&err))
      spdlog::error("could not save the simulated cloud: {}", err);
  }
  auto delay = cloud_->draw_latency();
  if (delay <= duration::zero()) {
    done(std::move(reply));
    return;
  }
  auto shared = std::make_shared<api_reply>(std::move(reply));
  timer_.after(delay, [shared, done = std::move(done)] { done(std::move(*shared)); });
}

} // namespace styx
