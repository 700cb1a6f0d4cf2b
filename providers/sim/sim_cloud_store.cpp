// sim_cloud::load and sim_cloud::save: the state as a snapshot with times relative to the
// save, rebased on load onto the new clock minus the wall time that passed in between.

#include <algorithm>
#include <cstdint>
#include <sstream>
#include <unordered_set>

#include "providers/sim/sim_cloud_impl.hpp"
#include "providers/sim/sim_state_file.hpp"

namespace styx {

namespace {

std::optional<int64_t> until(time_point t, time_point now) {
  if (t == time_point::max())
    return std::nullopt;
  return (t - now).count();
}

// base + ns, with absurd values from a hand-edited file clamped instead of overflowing.
time_point at(const std::optional<int64_t>& ns, time_point base) {
  if (!ns)
    return time_point::max();
  constexpr int64_t limit = 100'000'000'000'000'000; // about three years
  return saturating_add(base - duration(limit), duration(std::clamp(*ns, -limit, INT64_MAX - limit) + limit));
}

} // namespace

bool sim_cloud::save(std::string* error) {
  auto& s = *impl_;
  sim_snapshot snap;
  std::string path;
  {
    std::lock_guard<std::mutex> guard(s.mtx);
    path = s.cfg.state_file;
    if (path.empty())
      return true;
    auto now = s.clk.now();
    s.advance(now);
    snap.saved_wall_ms = s.clk.wall_ms();
    std::ostringstream rng_text;
    rng_text << s.rng;
    snap.rng = rng_text.str();
    snap.instances.reserve(s.instances.size());
    for (auto& [id, x] : s.instances) {
      sim_saved_instance si;
      si.region = x.region;
      si.info = sim_cloud::impl::full(x);
      si.deadline_ns = until(x.deadline, now);
      si.preempt_ns = until(x.preempt_at, now);
      if (x.terminated_at != time_point::max())
        si.terminated_ns = (now - x.terminated_at).count();
      snap.instances.push_back(std::move(si));
    }
    for (auto& [key, ids] : s.client_tokens)
      snap.client_tokens.emplace_back(key, ids);
  }
  // Stable output: the same state always gives the same file.
  std::sort(snap.instances.begin(), snap.instances.end(),
            [](auto& a, auto& b) { return a.info.cloud_id < b.info.cloud_id; });
  std::sort(snap.client_tokens.begin(), snap.client_tokens.end());
  return write_file_atomically(path, encode_sim_snapshot(snap), error);
}

bool sim_cloud::load(std::string* error) {
  auto& s = *impl_;
  std::lock_guard<std::mutex> guard(s.mtx);
  const auto& path = s.cfg.state_file;
  if (path.empty())
    return true;
  std::string text;
  bool missing = false;
  if (!read_whole_file(path, &text, &missing, error))
    return false;
  if (missing) {
    s.reset();
    return true;
  }
  sim_snapshot snap;
  std::string what;
  if (!decode_sim_snapshot(text, &snap, &what)) {
    *error = path + ": " + what;
    return false;
  }
  std::mt19937_64 rng;
  std::istringstream rng_text(snap.rng);
  rng_text >> rng;
  if (rng_text.fail()) {
    *error = path + ": $.rng: not a random generator state";
    return false;
  }
  std::unordered_set<std::string> seen;
  for (size_t n = 0; n < snap.instances.size(); ++n) {
    auto& si = snap.instances[n];
    auto where = path + ": $.instances[" + std::to_string(n) + "]";
    auto st = si.info.state;
    if (!seen.insert(si.info.cloud_id).second) {
      *error = where + ": duplicate id " + si.info.cloud_id;
      return false;
    }
    if (st == instance_state::requested || st == instance_state::failed) {
      *error = where + ".state: " + to_string(st) + " is not a cloud state";
      return false;
    }
    if (is_transitional(st) != si.deadline_ns.has_value()) {
      *error = where + ".deadline_ns: present exactly when the state is transitional";
      return false;
    }
    if ((st == instance_state::terminated) != si.terminated_ns.has_value()) {
      *error = where + ".terminated_ns: present exactly when the state is terminated";
      return false;
    }
  }
  // Valid: replace the state.
  s.reset();
  s.rng = rng;
  auto now = s.clk.now();
  auto elapsed = std::max<int64_t>(0, s.clk.wall_ms() - snap.saved_wall_ms);
  auto base = now - milliseconds(elapsed);
  for (auto& si : snap.instances) {
    sim_cloud::impl::instance x;
    x.region = std::move(si.region);
    x.info = std::move(si.info);
    x.tags = std::make_shared<const tag_map>(std::move(x.info.tags));
    x.info.tags.clear();
    x.deadline = at(si.deadline_ns, base);
    x.preempt_at = at(si.preempt_ns, base);
    if (si.terminated_ns)
      x.terminated_at = at(-std::max<int64_t>(0, *si.terminated_ns), base);
    auto id = x.info.cloud_id;
    s.schedule(x.deadline, id);
    s.schedule(x.preempt_at, id);
    if (x.info.state == instance_state::terminated) {
      s.schedule(saturating_add(x.terminated_at, s.cfg.terminated_retention), id);
    } else {
      ++s.live_by_zone[x.info.zone];
      ++s.live_total;
    }
    s.instances.emplace(std::move(id), std::move(x));
  }
  for (auto& [key, ids] : snap.client_tokens)
    s.client_tokens[key] = std::move(ids);
  s.advance(now);
  return true;
}

} // namespace styx
