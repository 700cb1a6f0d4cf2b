#pragma once
// A cloud_api double that answers every call at once, on the caller's thread, and keeps no
// state: a create gets one running instance per slot, a change or describe gets each named
// instance in the state the operation leads to. It costs the provider actor next to nothing,
// so that a benchmark sees the actor's own cost. Counts calls and instances.

#include <atomic>
#include <string>

#include "providers/cloud_api.hpp"

namespace styx::micro {

class instant_cloud final : public cloud_api {
public:
  const provider_id& id() const override { return id_; }

  void start(api_call call, reply_handler done) override {
    ++calls;
    api_reply reply;
    auto state = call.op == api_op::terminate ? instance_state::terminated
                 : call.op == api_op::stop    ? instance_state::stopped
                                              : instance_state::running;
    if (call.op == api_op::create) {
      reply.instances.reserve(call.slots.size());
      for (size_t i = 0; i < call.slots.size(); ++i) {
        cloud_instance inst;
        inst.cloud_id = "i-" + std::to_string(next_id_++);
        inst.zone = call.spec.zone;
        inst.instance_type = call.spec.instance_type;
        inst.state = state;
        reply.instances.push_back(std::move(inst));
      }
    } else {
      for (auto& id : call.cloud_ids) {
        cloud_instance inst;
        inst.cloud_id = id;
        inst.state = state;
        reply.instances.push_back(std::move(inst));
      }
    }
    instances += reply.instances.size();
    done(std::move(reply));
  }

  std::atomic<uint64_t> calls{0};
  std::atomic<uint64_t> instances{0};

private:
  provider_id id_{"instant", "local-1"};
  uint64_t next_id_ = 1; // only the provider actor calls start()
};

} // namespace styx::micro
