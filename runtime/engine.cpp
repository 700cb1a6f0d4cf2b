#include "runtime/engine.hpp"

#include <algorithm>
#include <map>
#include <thread>

#include <caf/event_based_actor.hpp>
#include <caf/send.hpp>
#include <spdlog/spdlog.h>

#include "actors/provider.hpp"
#include "actors/registry.hpp"
#include "actors/supervisor.hpp"
#include "runtime/azure_cloud.hpp"
#include "runtime/engine_impl.hpp"
#include "runtime/gcp_cloud.hpp"
#include "runtime/k8s_cloud.hpp"
#include "runtime/node_memory.hpp"
#include "runtime/reconcile.hpp"
#include "runtime/reconciler.hpp"

namespace styx {

engine_system_config::engine_system_config(const engine_config& cfg) {
  add_actor_types(*this);
  auto threads = cfg.threads != 0 ? cfg.threads
                                   : std::max(1u, std::thread::hardware_concurrency());
  set("scheduler.max-threads", threads);
  set("scheduler.policy",
      cfg.scheduler == "stealing" ? caf::atom("stealing") : caf::atom("sharing"));
  if (!cfg.nodes.empty()) // distributed nodes: middleman, heartbeat, TLS
    configure_node_networking(*this, cfg.node_net);
}

// -- the engine -------------------------------------------------------------------------

void engine::impl::start() {
  if (!cfg.state_dir.empty()) {
    lock = std::make_unique<state_dir_lock>(cfg.state_dir); // throws engine_error
    if (cfg.engine_id.empty())
      cfg.engine_id = load_or_create_engine_id(cfg.state_dir);
    if (cfg.sim.state_file.empty())
      cfg.sim.state_file = cfg.state_dir + "/sim-cloud.json";
    try {
      db = store::open(cfg.state_dir + "/styx.db");
    } catch (const store_error& e) {
      throw engine_error(e.what());
    }
  }
  ids = std::make_shared<uuid_generator>(cfg.seed);
  if (cfg.engine_id.empty())
    cfg.engine_id = ids->next().to_string();
  // spdlog makes its registry on first use: here, before CAF's threads exist, so that every
  // thread sees it made (made on one worker, the others' first log would race it: TSan).
  spdlog::default_logger_raw();
  sys = std::make_unique<caf::actor_system>(sys_cfg);
  clk = std::make_unique<actor_clock_adapter>(sys->clock(), false);
  tmr = std::make_unique<actor_timer>(*sys);
  for (auto& spec : cfg.providers) {
    if (spec.cloud == "sim" && !sim) {
      sim = std::make_shared<sim_cloud>(cfg.sim, *clk);
      std::string err;
      if (!sim->load(&err))
        throw engine_error(err);
      sim_loaded = true;
    }
  }
  supervisor_config sc;
  sc.engine_id = cfg.engine_id;
  sc.policy = cfg.policy;
  sc.within = cfg.within;
  sc.blocklist_ttl = cfg.blocklist_ttl;
  sc.pending_timeout = cfg.pending_timeout;
  sc.instance.wall = clk.get();
  sc.ids = ids;
  supervisor = spawn_supervisor(*sys, std::move(sc));
  uint64_t seed = cfg.seed;
  for (auto& spec : cfg.providers) {
    auto regions = spec.regions;
    if (regions.empty() && spec.cloud == "sim")
      regions = cfg.sim.regions;
    if (regions.empty() && spec.cloud == "local")
      regions = {"localhost"};
    if (regions.empty())
      throw engine_error("provider '" + spec.cloud + "' needs at least one region");
    for (auto& region : regions) {
      auto api = make_cloud(spec.cloud, region);
      if (!api)
        continue; // left out: engine::unavailable()
      auto pcfg = spec.limits;
      if (spec.cloud == "gcp") // the project's quotas, shared by its regions
        apply_gcp_quotas(pcfg, cfg.gcp, regions.size());
      if (spec.cloud == "local") // a machine, not an API
        apply_local_pacing(pcfg);
      if (spec.cloud == "kubernetes") // the client's own QPS limit
        apply_k8s_limits(pcfg, cfg.kubernetes);
      if (spec.cloud == "azure") // Resource Manager's buckets, shared by its locations
        apply_azure_limits(pcfg, cfg.azure, regions.size());
      if (db && !pcfg.journal)
        pcfg.journal = db;
      if (pcfg.seed == 0 && seed != 0)
        pcfg.seed = ++seed;
      pcfg.fetch_catalog = pcfg.fetch_catalog && cfg.places_instances;
      auto handle = spawn_provider(*sys, api, pcfg);
      providers.push_back(handle);
      caf::anon_send(supervisor, provider_atom::value, handle, api->id());
    }
  }
  // Distributed nodes: blocks until their providers are registered (or node_wait passed).
  // Remembered first, so that a later process reaches what this one creates on them.
  try {
    remember_nodes({});
    connect_nodes(*sys, supervisor, cfg.nodes, cfg.node_net, cfg.node_wait, directory);
    remember_nodes(directory->addresses());
  } catch (const std::runtime_error& e) {
    throw engine_error(e.what());
  }
  if (db) {
    // Every transition and every request's end goes to the store.
    hub->subscribe([store = db, wall = clk.get()](const engine_event& ev) {
      if (auto* c = std::get_if<instance_state_changed>(&ev))
        store->record_instance(c->record);
      else if (auto* d = std::get_if<request_done>(&ev))
        store->record_request_done(*d, wall->wall_ms());
    });
  }
  metrics = std::make_shared<engine_metrics>(*clk);
  hub->subscribe([m = metrics](const engine_event& ev) { m->on_event(ev); });
  bridge = sys->spawn(event_bridge, hub);
  caf::anon_send(supervisor, subscribe_atom::value, bridge, batched_atom::value);
  spdlog::info("engine {} started: {} provider(s), state dir '{}'", cfg.engine_id,
               providers.size(), cfg.state_dir);
}

  /// The nodes and where each answered, in <state_dir>/nodes (runtime/node_memory.hpp).
void engine::impl::remember_nodes(const std::map<std::string, std::string>& addresses) {
  if (!cfg.state_dir.empty() && !cfg.nodes.empty())
    styx::remember_nodes(cfg.state_dir, cfg.nodes, cfg.node_net, addresses);
}

void engine::impl::stop() {
  if (stopped || !sys)
    return;
  stopped = true;
  if (supervisor)
    caf::anon_send_exit(supervisor, caf::exit_reason::user_shutdown);
  for (auto& p : providers)
    caf::anon_send_exit(p, caf::exit_reason::user_shutdown);
  if (bridge)
    caf::anon_send_exit(bridge, caf::exit_reason::user_shutdown);
  if (tmr)
    tmr->stop();
  supervisor = nullptr;
  providers.clear();
  bridge = nullptr;
  sys->await_all_actors_done();
  try { // nodes that connected late
    remember_nodes(directory->addresses());
  } catch (const engine_error& e) {
    spdlog::error("{}", e.what());
  }
  http.reset(); // after the actors: answers still on the wire end as "http engine stopped"
  local_host.reset(); // its processes keep running
  if (db) {
    db->flush();
    spdlog::info("store {}: {} writes in {} commits", db->path(), db->writes(), db->commits());
    db.reset();
  }
  if (sim && sim_loaded) { // never overwrite a state file that could not be read
    std::string err;
    if (!sim->save(&err))
      spdlog::error("could not save the simulated cloud: {}", err);
  }
  spdlog::info("engine {} stopped", cfg.engine_id);
}

const char* known_clouds() {
  return "sim, aws, gcp, azure, kubernetes, local";
}

std::unique_ptr<engine> engine::start(engine_config cfg) {
  auto p = std::make_unique<impl>(std::move(cfg));
  try {
    p->start();
  } catch (...) {
    p->stop(); // actors already spawned must end, or the actor system never does
    throw;
  }
  bool reconcile_first = p->db && p->cfg.reconcile_on_start && p->cfg.nodes.empty();
  std::unique_ptr<engine> eng{new engine(std::move(p))};
  if (reconcile_first) // before any new work: what a crash left behind is repaired first
    eng->reconcile();
  return eng;
}

engine::engine(std::unique_ptr<impl> p) : impl_(std::move(p)) {
  // nop
}

engine::~engine() {
  shutdown();
}

void engine::shutdown() {
  impl_->stop();
}

request_handle engine::submit(provision_request req) {
  auto s = std::make_shared<request_handle::slot>();
  if (req.id().empty()) {
    request_id id;
    static_cast<uuid&>(id) = impl_->ids->next();
    req.id(id);
  }
  s->id = req.id();
  s->progress.request = req.id();
  s->progress.count = req.count();
  auto problem = req.validate();
  if (!problem && !impl_->cfg.places_instances)
    problem = "this engine places no instances (engine_config::places_instances)";
  if (problem) {
    request_done d;
    d.request = req.id();
    d.count = req.count();
    d.error = *problem;
    s->complete(std::move(d));
    return request_handle{s};
  }
  impl_->hub->add_slot(s);
  impl_->metrics->on_submit(s->id, impl_->clk->wall_ms());
  if (impl_->db)
    impl_->db->record_request(req, impl_->clk->wall_ms());
  try {
    impl_->ask<request_id>(std::move(req));
  } catch (const engine_error& e) {
    request_done d;
    d.request = s->id;
    d.error = e.what();
    s->complete(std::move(d));
  }
  return request_handle{s};
}

std::vector<instance_record> engine::list(const selector& sel) {
  return impl_->ask<std::vector<instance_record>>(list_atom::value, sel);
}

int engine::stop(const selector& sel) {
  return impl_->ask<int>(change_op::stop, sel);
}

int engine::start_instances(const selector& sel) {
  return impl_->ask<int>(change_op::start, sel);
}

int engine::terminate(const selector& sel) {
  return impl_->ask<int>(change_op::terminate, sel);
}

int engine::terminate(const selector& sel, state_reason why, const std::string& detail) {
  return impl_->ask<int>(end_atom::value, sel, why, detail);
}

int engine::adopt() {
  // The store's records first: an instance known by its create call (an EC2 batch's) carries
  // no id of its own on the cloud, and its record is how the listing recognises it.
  int n = impl_->db ? adopt(impl_->db->instances()) : 0;
  return n + impl_->ask<int>(adopt_atom::value);
}

int engine::adopt(std::vector<instance_record> known) {
  return impl_->ask<int>(adopt_atom::value, std::move(known));
}

std::vector<instance_record> engine::records_from_store() {
  if (!impl_->db)
    throw engine_error("no state dir: nothing is stored");
  return impl_->db->instances();
}

std::shared_ptr<store> engine::durable_store() const {
  return impl_->db;
}

reconcile_report engine::reconcile() {
  if (!impl_->db)
    throw engine_error("no state dir: nothing to reconcile against");
  auto fresh_id = [ids = impl_->ids] {
    instance_id id;
    static_cast<uuid&>(id) = ids->next();
    return id;
  };
  // Every registered provider, the nodes' too: each answers for its own records only.
  auto registered = impl_->ask<std::vector<provider_ref>>(providers_atom::value);
  reconciler r{*this, *impl_->db, std::move(registered), fresh_id, *impl_->clk};
  auto report = r.run();
  impl_->metrics->on_reconcile(report);
  return report;
}

uint64_t engine::subscribe(event_callback cb) {
  return impl_->hub->subscribe(std::move(cb));
}

void engine::unsubscribe(uint64_t id) {
  impl_->hub->unsubscribe(id);
}

std::vector<provider_stats> engine::stats() {
  return impl_->ask<std::vector<provider_stats>>(stats_atom::value);
}

std::string engine::metrics_text() {
  return impl_->metrics->text(stats(), impl_->ask<state_counts>(count_atom::value));
}

std::vector<provider_id> engine::providers() {
  std::vector<provider_id> ids;
  for (auto& p : impl_->ask<std::vector<provider_ref>>(providers_atom::value))
    ids.push_back(p.id);
  return ids;
}

const std::vector<unavailable_provider>& engine::unavailable() const {
  return impl_->unavailable;
}

std::vector<unreached> engine::unreached_of(const std::vector<instance_record>& records) {
  std::map<std::string, std::string> addresses; // where each node answered: now, else before
  if (!impl_->cfg.state_dir.empty())
    addresses = load_node_memory(impl_->cfg.state_dir).addresses;
  for (auto& [id, at] : impl_->directory->addresses())
    addresses[id] = at;
  return find_unreached(records, providers(), impl_->unavailable, addresses);
}

const std::string& engine::engine_id() const {
  return impl_->cfg.engine_id;
}

supervisor_actor engine::supervisor() const {
  return impl_->supervisor;
}

caf::actor_system& engine::system() {
  return *impl_->sys;
}

} // namespace styx
