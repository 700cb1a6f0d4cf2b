#include "runtime/durable_sim_api.hpp"

#include <spdlog/spdlog.h>

namespace styx {

durable_sim_api::durable_sim_api(std::shared_ptr<sim_cloud> cloud, provider_id id, timer& t,
                                 std::shared_ptr<std::mutex> save_mtx)
  : cloud_(cloud), inner_(std::move(cloud), std::move(id), t), save_mtx_(std::move(save_mtx)) {}

void durable_sim_api::start(api_call call, reply_handler done) {
  bool mutating = call.op == api_op::create || call.op == api_op::stop
                  || call.op == api_op::start || call.op == api_op::terminate;
  if (!mutating) {
    inner_.start(std::move(call), std::move(done));
    return;
  }
  // The callback may outlive this object (a timer delivers it): it holds what it needs.
  inner_.start(std::move(call), [cloud = cloud_, mtx = save_mtx_,
                                 done = std::move(done)](api_reply reply) {
    if (!reply.error) {
      std::lock_guard<std::mutex> guard{*mtx};
      std::string err;
      if (!cloud->save(&err))
        spdlog::error("could not save the simulated cloud: {}", err);
    }
    done(std::move(reply));
  });
}

} // namespace styx
