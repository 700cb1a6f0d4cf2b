#pragma once
// The simulated cloud as durable as a real one: a sim_api whose every successful mutating call
// rewrites the cloud's state file (atomically) before its reply goes back, so an instance the
// caller learnt of survives a kill -9 of the process that hosts the cloud (an engine or a
// node). `save_mtx` is shared by every region of one sim_cloud.
//
// The save is synchronous and O(fleet): the simulated cloud's stand-in for a cloud that keeps
// its own state. Real clouds need none of this.

#include <memory>
#include <mutex>

#include "providers/cloud_api.hpp"
#include "providers/sim/sim_api.hpp"
#include "providers/sim/sim_cloud.hpp"

namespace styx {

class durable_sim_api final : public cloud_api {
public:
  durable_sim_api(std::shared_ptr<sim_cloud> cloud, provider_id id, timer& t,
                  std::shared_ptr<std::mutex> save_mtx);

  const provider_id& id() const override { return inner_.id(); }
  size_t max_batch(api_op op) const override { return inner_.max_batch(op); }
  void start(api_call call, reply_handler done) override;

private:
  std::shared_ptr<sim_cloud> cloud_;
  sim_api inner_;
  std::shared_ptr<std::mutex> save_mtx_;
};

} // namespace styx
