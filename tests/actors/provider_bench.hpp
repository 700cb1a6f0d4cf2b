#pragma once
// One provider actor on a recording cloud_api over the simulated cloud, in virtual time, for
// the provider tests. Builds create and change messages and sends them from client actors.

#include <memory>
#include <string>
#include <vector>

#include <caf/send.hpp>

#include "actors/provider.hpp"
#include "common/uuid.hpp"
#include "tests/actors/actor_fixture.hpp"
#include "tests/actors/cloud_doubles.hpp"

namespace styx::test {

/// Limits that never make a call wait, so that a test can turn on the one it is about.
inline provider_config unpaced_config() {
  provider_config cfg;
  cfg.limits = rate_limits::unlimited();
  return cfg;
}

inline launch_spec spec_of(std::string type, std::string zone = "us-east-1a") {
  launch_spec s;
  s.instance_type = std::move(type);
  s.zone = std::move(zone);
  return s;
}

struct provider_bench {
  actor_fixture f;
  std::shared_ptr<recording_api> api;
  provider_actor p;
  std::vector<caf::actor> clients;
  uuid_generator ids{11};
  request_id req;
  time_point t0;

  explicit provider_bench(provider_config cfg = unpaced_config(),
                          sim_config sim = sim_config::unlimited())
    : f(sim) {
    api = std::make_shared<recording_api>(f.api(), f.clk);
    cfg.seed = 7;
    p = spawn_provider(f.sys, api, cfg);
    static_cast<uuid&>(req) = ids.next();
    t0 = f.clk.now();
  }

  ~provider_bench() {
    for (auto& c : clients)
      caf::anon_send_exit(c, caf::exit_reason::user_shutdown);
    caf::anon_send_exit(p, caf::exit_reason::user_shutdown);
    f.run();
  }

  create_instance create(const launch_spec& spec) {
    create_instance c;
    static_cast<uuid&>(c.id) = ids.next();
    c.request = req;
    c.name = "i-" + std::to_string(clients.size());
    c.spec = spec;
    return c;
  }

  std::vector<create_instance> creates(size_t n, const launch_spec& spec) {
    std::vector<create_instance> out;
    for (size_t i = 0; i < n; ++i)
      out.push_back(create(spec));
    return out;
  }

  /// Sends `msgs` at once from a new client; runs what can run now.
  template <class Msg>
  std::shared_ptr<client_log> send(std::vector<Msg> msgs) {
    auto log = std::make_shared<client_log>();
    clients.push_back(spawn_client(f.sys, p, std::move(msgs), log));
    f.run();
    return log;
  }

  /// Changes for every instance a create answer made.
  static std::vector<change_instance> changes(const client_log& created, change_op op) {
    std::vector<change_instance> out;
    for (auto& u : created.answers)
      out.push_back(change_instance{u.instance.owner_instance(), u.instance.cloud_id, op});
    return out;
  }

  provider_stats stats() {
    auto s = f.ask<provider_stats>(p, stats_atom::value);
    return s ? *s : provider_stats{};
  }

  /// Virtual milliseconds since the bench started.
  int64_t ms(time_point t) const {
    return std::chrono::duration_cast<milliseconds>(t - t0).count();
  }
};

} // namespace styx::test
