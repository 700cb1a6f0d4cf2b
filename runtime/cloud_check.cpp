// `styx check` and the hints of an impossible placement (runtime/cloud_check.hpp).

#include "runtime/cloud_check.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <set>
#include <variant>

#include <caf/actor_system.hpp>
#include <caf/scoped_actor.hpp>

#include "actors/protocol.hpp"
#include "common/one_line.hpp"
#include "runtime/aws_credentials.hpp"
#include "runtime/azure_settings.hpp"
#include "runtime/engine.hpp"
#include "runtime/gcp_settings.hpp"
#include "runtime/k8s_config.hpp"

namespace styx {

std::string cloud_credentials(const engine_config& cfg, const std::string& cloud,
                              const std::string& region, bool* ok) {
  *ok = true;
  if (cloud == "sim")
    return "none needed (the simulated cloud)";
  if (cloud == "local")
    return "none needed (processes on this machine)";
  auto failed = [ok](const std::string& why) {
    *ok = false;
    return one_line(why);
  };
  if (cloud == "aws") {
    auto s = resolve_aws_settings(region);
    if (auto* err = std::get_if<std::string>(&s))
      return failed(*err);
    auto& a = std::get<aws_settings>(s);
    return a.source + ", endpoint " + a.endpoint;
  }
  if (cloud == "gcp") {
    auto s = resolve_gcp_settings(cfg.gcp.project, region);
    if (auto* err = std::get_if<std::string>(&s))
      return failed(*err);
    return std::get<gcp_settings>(s).describe();
  }
  if (cloud == "azure") {
    auto s = resolve_azure_settings(cfg.azure, region);
    if (auto* err = std::get_if<std::string>(&s))
      return failed(*err);
    return std::get<azure_settings>(s).describe();
  }
  if (cloud == "kubernetes") {
    auto [context, ns] = k8s_split_region(region);
    auto s = resolve_k8s_settings(context, ns);
    if (auto* err = std::get_if<std::string>(&s))
      return failed(*err);
    return std::get<k8s_settings>(s).describe();
  }
  return failed("unknown provider '" + cloud + "' (known: " + known_clouds() + ")");
}

namespace {

/// The regions an engine of `cfg` gives `spec` (engine.cpp's defaults).
std::vector<std::string> regions_of(const engine_config& cfg, const provider_spec& spec) {
  if (!spec.regions.empty())
    return spec.regions;
  if (spec.cloud == "sim")
    return cfg.sim.regions;
  if (spec.cloud == "local")
    return {"localhost"};
  return {};
}

std::string join(const std::vector<std::string>& xs, const char* sep = ", ") {
  std::string out;
  for (auto& x : xs)
    out += (out.empty() ? "" : sep) + x;
  return out;
}

bool allowed(const std::vector<std::string>& allow, const std::string& x) {
  return allow.empty() || std::find(allow.begin(), allow.end(), x) != allow.end();
}

/// How far `o` is from `req`: one point per constraint it misses (cloud, region, zone, type,
/// resources, spot market, price cap), then how far its size is from the request's.
std::pair<int, double> distance(const offering& o, const provision_request& req) {
  auto& w = req.where();
  auto& r = req.shape();
  int missed = !allowed(w.providers, o.provider.cloud) + !allowed(w.regions, o.provider.region)
               + !allowed(w.zones, o.zone) + !allowed(w.instance_types, o.instance_type)
               + !o.fits(r);
  bool spot = req.pay().kind == market_kind::spot;
  if (spot && o.spot_price <= 0)
    ++missed;
  auto price = o.price(req.pay().kind);
  if (req.pay().max_price > 0 && price > req.pay().max_price)
    ++missed;
  double size = std::fabs(std::log((o.cpus + 0.01) / (r.cpus() + 0.01)))
                + std::fabs(std::log((o.memory_gib + 0.01) / (r.memory_gib() + 0.01)))
                + std::abs(o.gpus - r.gpus());
  return {missed, size + price * 1e-3};
}

std::string describe(const offering& o, market_kind m) {
  char buf[160];
  std::snprintf(buf, sizeof buf, " (%g vCPU, %g GiB%s, $%.4g/h%s)", o.cpus, o.memory_gib,
                o.gpus > 0 ? (", " + std::to_string(o.gpus) + " " + o.gpu_kind + " GPU").c_str()
                           : "",
                o.price(m), m == market_kind::spot ? " spot" : "");
  return o.provider.name() + " " + o.instance_type + " in " + o.zone + buf;
}

} // namespace

std::string cloud_check::to_line() const {
  std::string out = cloud + ": " + (usable() ? "usable" : "not usable");
  if (!usable() && !reason.empty())
    out += ": " + reason;
  if (credentials)
    out += "; credentials: " + credentials_from;
  if (answered)
    out += "; answered (" + join(regions) + "), " + std::to_string(offerings) + " offering(s)";
  return out;
}

std::vector<provider_catalog> engine_catalogs(engine& eng, duration timeout) {
  caf::scoped_actor self{eng.system()};
  std::vector<provider_ref> refs;
  self->request(eng.supervisor(), timeout, providers_atom::value)
    .receive([&](std::vector<provider_ref>& xs) { refs = std::move(xs); },
             [&](caf::error&) {});
  std::vector<provider_catalog> out;
  for (auto& ref : refs) {
    auto& c = out.emplace_back(provider_catalog{ref.id, {}, {}});
    self->request(ref.handle, timeout, catalog_atom::value)
      .receive([&](catalog& xs) { c.offerings = std::move(xs); },
               [&](caf::error& e) {
                 c.error = one_line(eng.system().render(e));
                 if (c.error.empty())
                   c.error = "no answer";
               });
  }
  return out;
}

std::vector<cloud_check> check_clouds(engine_config cfg, duration timeout) {
  cfg.state_dir.clear(); // a check persists nothing and locks no state dir
  cfg.reconcile_on_start = false;
  cfg.skip_unavailable = true;
  cfg.places_instances = true; // the catalog is the authenticated read
  cfg.nodes.clear();
  std::vector<cloud_check> out;
  for (auto& spec : cfg.providers) {
    auto& c = out.emplace_back();
    c.cloud = spec.cloud;
    c.regions = regions_of(cfg, spec);
    std::vector<std::string> froms;
    std::string why;
    for (auto& region : c.regions) {
      bool ok = false;
      auto from = cloud_credentials(cfg, spec.cloud, region, &ok);
      if (ok && std::find(froms.begin(), froms.end(), from) == froms.end())
        froms.push_back(from);
      if (!ok && why.empty())
        why = "no credentials: " + from;
      c.credentials = c.credentials || ok;
    }
    c.credentials_from = join(froms, "; ");
    c.reason = c.regions.empty() ? "no region configured" : why;
  }
  std::unique_ptr<engine> eng;
  try {
    eng = engine::start(cfg);
  } catch (const std::exception& e) {
    for (auto& c : out)
      if (c.reason.empty())
        c.reason = one_line(e.what());
    return out;
  }
  std::map<std::string, cloud_check*> by_cloud;
  for (auto& c : out)
    by_cloud[c.cloud] = &c;
  std::map<std::string, std::vector<std::string>> answered;
  for (auto& u : eng->unavailable())
    if (auto it = by_cloud.find(u.id.cloud); it != by_cloud.end() && it->second->reason.empty())
      it->second->reason = u.id.name() + ": " + one_line(u.why);
  for (auto& pc : engine_catalogs(*eng, timeout)) {
    auto it = by_cloud.find(pc.provider.cloud);
    if (it == by_cloud.end())
      continue;
    auto& c = *it->second;
    if (pc.error.empty()) {
      c.answered = true;
      c.offerings += pc.offerings.size();
      answered[c.cloud].push_back(pc.provider.region);
    } else if (c.reason.empty()) {
      c.reason = pc.provider.name() + " did not answer: " + pc.error;
    }
  }
  for (auto& c : out) {
    if (c.answered) {
      c.regions = answered[c.cloud];
      if (c.offerings == 0 && c.reason.empty())
        c.reason = "its catalog offers nothing";
    } else if (c.reason.empty()) {
      c.reason = "no provider answered";
    }
    if (c.usable())
      c.reason.clear();
  }
  return out;
}

bool is_no_fit_error(const std::string& error) {
  return error.find("no provider has an offering that fits the request") != std::string::npos;
}

std::string explain_no_fit(engine& eng, const provision_request& req) {
  std::set<std::string> regions;
  const offering* best = nullptr;
  std::pair<int, double> best_d{0, 0};
  auto catalogs = engine_catalogs(eng);
  for (auto& pc : catalogs) {
    for (auto& o : pc.offerings) {
      regions.insert(o.provider.name());
      auto d = distance(o, req);
      if (!best || d < best_d) {
        best = &o;
        best_d = d;
      }
    }
  }
  std::string out = "known regions: "
                    + (regions.empty() ? std::string("none")
                                       : join({regions.begin(), regions.end()}));
  if (best)
    out += "; closest offering: " + describe(*best, req.pay().kind);
  std::vector<std::string> left_out;
  for (auto& u : eng.unavailable())
    left_out.push_back(u.id.name() + " (" + one_line(u.why) + ")");
  for (auto& pc : catalogs)
    if (!pc.error.empty())
      left_out.push_back(pc.provider.name() + " (catalog: " + pc.error + ")");
  if (!left_out.empty())
    out += "; not usable: " + join(left_out);
  return out;
}

} // namespace styx
