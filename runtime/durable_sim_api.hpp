#pragma once
// The simulated cloud as durable as a real one: after every successful mutating call its
// state file is rewritten (atomically) before the reply goes back, so an instance the call
// created survives a kill -9 of the process that hosts it (an engine or a node). Otherwise
// sim_api's behaviour. `save_mtx` is shared by every region of one sim_cloud.
//
// The save is synchronous and O(fleet): the simulated cloud's stand-in for a cloud that keeps
// its own state. Real clouds need none of this.

#include <memory>
#include <mutex>

#include "providers/cloud_api.hpp"
#include "providers/sim/sim_cloud.hpp"

namespace styx {

class durable_sim_api final : public cloud_api {
public:
  durable_sim_api(std::shared_ptr<sim_cloud> cloud, provider_id id, timer& t,
                  std::shared_ptr<std::mutex> save_mtx);

  const provider_id& id() const override { return id_; }
  size_t max_batch(api_op) const override { return 1000; }
  void start(api_call call, reply_handler done) override;

private:
  std::shared_ptr<sim_cloud> cloud_;
  provider_id id_;
  timer& timer_;
  std::shared_ptr<std::mutex> save_mtx_;
};

} // namespace styx
