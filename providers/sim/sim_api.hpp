#pragma once
// The simulated cloud behind the cloud_api contract: one sim_api per region, all sharing one
// sim_cloud. A call takes effect on the cloud when it starts; its reply arrives after a drawn
// API latency, through the injected timer. When the latency is zero, the call takes effect and
// is answered on the timer's thread, right after it started: the caller's thread does none of
// the cloud's work.

#include <memory>

#include "providers/cloud_api.hpp"
#include "providers/sim/sim_cloud.hpp"

namespace styx {

class sim_api final : public cloud_api {
public:
  /// `id.region` is the region this api talks to; `t` must outlive the api.
  sim_api(std::shared_ptr<sim_cloud> cloud, provider_id id, timer& t);

  const provider_id& id() const override { return id_; }
  void start(api_call call, reply_handler done) override;
  size_t max_batch(api_op) const override { return 1000; }

  const std::shared_ptr<sim_cloud>& cloud() const { return cloud_; }

private:
  std::shared_ptr<sim_cloud> cloud_;
  provider_id id_;
  timer& timer_;
};

} // namespace styx
