#include "runtime/node.hpp"

#include <mutex>

#include <stdexcept>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/io/middleman.hpp>
#include <caf/scoped_actor.hpp>
#include <caf/send.hpp>
#include <caf/typed_event_based_actor.hpp>
#include <spdlog/spdlog.h>

#include "actors/actor_timer.hpp"
#include "actors/clock_adapter.hpp"
#include "actors/node_protocol.hpp"
#include "actors/provider.hpp"
#include "actors/registry.hpp"
#include "common/uuid.hpp"
#include "providers/sim/sim_api.hpp"
#include "providers/sim/sim_cloud.hpp"
#include "runtime/aws_cloud.hpp"
#include "runtime/durable_sim_api.hpp"
#include "runtime/http_engine.hpp"
#include "runtime/metrics_collect.hpp"
#include "runtime/state_dir.hpp"

#ifdef STYX_CAF_OPENSSL // needs CAF::openssl linked into styx_runtime
#include <caf/openssl/all.hpp>
#endif

namespace styx {

bool is_loopback_host(const std::string& host) {
  return host == "localhost" || host == "::1" || host == "[::1]" || host.rfind("127.", 0) == 0;
}

std::string check_transport(const std::string& host, const node_transport& t) {
  if (t.insecure) {
    if (!is_loopback_host(host))
      return "refusing plaintext to non-loopback host '" + host +
             "': --insecure is for 127.0.0.0/8 and ::1 only; configure TLS";
    return {};
  }
  if (t.tls.cafile.empty() || t.tls.certificate.empty() || t.tls.key.empty())
    return "TLS needs openssl cafile, certificate and key (or --insecure on loopback)";
#ifndef STYX_CAF_OPENSSL
  return "this build has no caf::openssl (link CAF::openssl, define STYX_CAF_OPENSSL); "
         "use --insecure on loopback";
#else
  return {};
#endif
}

void configure_node_networking(caf::actor_system_config& cfg, const node_transport& t) {
  add_node_types(cfg);
  cfg.load<caf::io::middleman>();
  cfg.set("middleman.heartbeat-interval", caf::timespan{t.heartbeat});
  cfg.set("middleman.connection-timeout", caf::timespan{t.connection_timeout});
#ifdef STYX_CAF_OPENSSL
  if (!t.insecure) {
    cfg.load<caf::openssl::manager>();
    cfg.set("openssl.cafile", t.tls.cafile);
    cfg.set("openssl.certificate", t.tls.certificate);
    cfg.set("openssl.key", t.tls.key);
  }
#else
  if (!t.insecure)
    throw std::runtime_error(check_transport("127.0.0.1", t));
#endif
}

std::pair<std::string, uint16_t> parse_host_port(const std::string& s) {
  auto colon = s.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == s.size())
    throw std::runtime_error("expected HOST:PORT, got '" + s + "'");
  auto host = s.substr(0, colon);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']')
    host = host.substr(1, host.size() - 2);
  unsigned long port = 0;
  try {
    size_t used = 0;
    port = std::stoul(s.substr(colon + 1), &used);
    if (used != s.size() - colon - 1)
      throw std::invalid_argument("trailing");
  } catch (const std::exception&) {
    throw std::runtime_error("bad port in '" + s + "'");
  }
  if (port > 65535)
    throw std::runtime_error("bad port in '" + s + "'");
  return {host, static_cast<uint16_t>(port)};
}

namespace {

class node_system_config : public caf::actor_system_config {
public:
  explicit node_system_config(const node_options& o) {
    add_actor_types(*this);
    configure_node_networking(*this, o.transport);
    set("scheduler.max-threads", o.threads == 0 ? size_t{2} : o.threads);
    set("scheduler.policy", caf::atom("sharing"));
  }
};

node_actor::behavior_type node_behavior(node_actor::pointer, node_providers list) {
  return {
    [list](providers_atom) { return list; },
  };
}

} // namespace

struct node::impl {
  node_options opts;
  std::unique_ptr<state_dir_lock> lock; // with a state dir: made if missing, held while running
  std::string id;                       // the node field of its providers' ids
  node_system_config sys_cfg;
  std::unique_ptr<caf::actor_system> sys;
  std::unique_ptr<actor_clock_adapter> clk;
  std::unique_ptr<actor_timer> tmr;
  std::unique_ptr<http_engine> http; // the aws cloud's
  std::shared_ptr<sim_cloud> sim;
  std::shared_ptr<std::mutex> save_mtx = std::make_shared<std::mutex>();
  bool sim_loaded = false;
  node_providers providers;
  node_actor published;
  uint16_t port = 0;
  bool stopped = false;
  metrics_registry metrics;

  explicit impl(node_options o) : opts(std::move(o)), sys_cfg(opts) {}

  void start() {
    if (auto why = check_transport(opts.listen_host, opts.transport); !why.empty())
      throw std::runtime_error(why);
    if (opts.cloud != "sim" && opts.cloud != "aws")
      throw std::runtime_error("unknown cloud '" + opts.cloud + "' for a node (known: sim, aws)");
    if (opts.cloud == "aws" && opts.regions.empty())
      throw std::runtime_error("a node of the aws cloud needs --region");
    if (!opts.state_dir.empty()) {
      lock = std::make_unique<state_dir_lock>(opts.state_dir); // creates it, as an engine does
      id = load_or_create_node_id(opts.state_dir);
      if (opts.sim.state_file.empty())
        opts.sim.state_file = opts.state_dir + "/sim-cloud.json";
    } else {
      id = uuid_generator{}.next().to_string(); // nothing outlives this process: a new node
    }
    spdlog::default_logger_raw(); // its registry before CAF's threads (engine.cpp says why)
    sys = std::make_unique<caf::actor_system>(sys_cfg);
    clk = std::make_unique<actor_clock_adapter>(sys->clock(), false);
    tmr = std::make_unique<actor_timer>(*sys);
    sim = std::make_shared<sim_cloud>(opts.sim, *clk);
    std::string err;
    if (!sim->load(&err))
      throw std::runtime_error(err);
    sim_loaded = true;
    auto regions = opts.regions.empty() ? opts.sim.regions : opts.regions;
    for (auto& region : regions) {
      provider_id pid{opts.cloud, region, id};
      if (opts.cloud == "aws") {
        providers.push_back(provider_ref{pid, spawn_provider(*sys, make_ec2(pid), opts.limits)});
        continue;
      }
      // With a state dir the simulated cloud outlives a kill -9 of the node, as a real
      // cloud would: the node's return is then reconciled by the engine.
      cloud_api_ptr api;
      if (!opts.sim.state_file.empty())
        api = std::make_shared<durable_sim_api>(sim, pid, *tmr, save_mtx);
      else
        api = std::make_shared<sim_api>(sim, pid, *tmr);
      providers.push_back(provider_ref{pid, spawn_provider(*sys, api, opts.limits)});
    }
    published = sys->spawn(node_behavior, providers);
    caf::expected<uint16_t> bound{caf::sec::runtime_error};
#ifdef STYX_CAF_OPENSSL
    if (!opts.transport.insecure)
      bound = caf::openssl::publish(published, opts.port, opts.listen_host.c_str(), true);
    else
#endif
      bound = sys->middleman().publish(published, opts.port, opts.listen_host.c_str(), true);
    if (!bound)
      throw std::runtime_error("cannot listen on " + opts.listen_host + ":" +
                               std::to_string(opts.port) + ": " + sys->render(bound.error()));
    port = *bound;
    spdlog::info("node {} listening on {}:{} with {} provider(s)", id, opts.listen_host, port,
                 providers.size());
  }

  /// The node's own credentials (the AWS CLI's chain, on this machine): they never leave it.
  cloud_api_ptr make_ec2(const provider_id& id) {
    if (!http)
      http = std::make_unique<http_engine>();
    auto made = make_aws_cloud(id.region, opts.aws, *http, *clk);
    if (!made.api)
      throw std::runtime_error("aws/" + id.region + ": " + made.error);
    spdlog::info("aws/{}: {}", id.region, made.description);
    return made.api;
  }

  void stop() {
    if (stopped || !sys)
      return;
    stopped = true;
    if (published) {
      sys->middleman().unpublish(published, port);
      caf::anon_send_exit(published, caf::exit_reason::user_shutdown);
    }
    for (auto& p : providers)
      caf::anon_send_exit(p.handle, caf::exit_reason::user_shutdown);
    if (tmr)
      tmr->stop();
    published = nullptr;
    providers.clear();
    sys->await_all_actors_done();
    http.reset(); // no call in flight any more
    if (sim && sim_loaded) {
      std::string err;
      if (!sim->save(&err))
        spdlog::error("could not save the simulated cloud: {}", err);
    }
  }
};

std::unique_ptr<node> node::start(node_options opts) {
  if (auto why = check_transport(opts.listen_host, opts.transport); !why.empty())
    throw std::runtime_error(why);
  auto p = std::make_unique<impl>(std::move(opts));
  try {
    p->start();
  } catch (...) {
    p->stop();
    throw;
  }
  return std::unique_ptr<node>(new node(std::move(p)));
}

node::node(std::unique_ptr<impl> p) : impl_(std::move(p)) {
  // nop
}

node::~node() {
  stop();
}

uint16_t node::port() const {
  return impl_->port;
}

const std::string& node::id() const {
  return impl_->id;
}

size_t node::provider_count() const {
  return impl_->providers.size();
}

std::vector<provider_stats> node::stats() {
  std::vector<provider_stats> out;
  if (impl_->stopped || !impl_->sys)
    return out;
  caf::scoped_actor self{*impl_->sys};
  for (auto& p : impl_->providers)
    self->request(p.handle, std::chrono::seconds(10), stats_atom::value)
      .receive([&](provider_stats& s) { out.push_back(std::move(s)); },
               [&](caf::error&) {}); // a provider that does not answer is left out
  return out;
}

std::string node::metrics_text() {
  collect_provider_stats(impl_->metrics, stats());
  return impl_->metrics.text();
}

void node::stop() {
  impl_->stop();
}

} // namespace styx
