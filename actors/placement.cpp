#include "actors/placement.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace styx {

const char* to_string(placement_policy x) {
  switch (x) {
    case placement_policy::cheapest: return "cheapest";
    case placement_policy::round_robin: return "round-robin";
    case placement_policy::fastest: return "fastest";
    case placement_policy::cheapest_within: return "cheapest-within";
    default: return "least-loaded";
  }
}

bool parse_placement_policy(const std::string& text, placement_policy& out) {
  for (auto p : {placement_policy::cheapest, placement_policy::round_robin,
                 placement_policy::least_loaded, placement_policy::fastest,
                 placement_policy::cheapest_within})
    if (text == to_string(p)) {
      out = p;
      return true;
    }
  return false;
}

bool parse_span(const std::string& text, duration& out) {
  size_t used = 0;
  double value = 0;
  try {
    value = std::stod(text, &used);
  } catch (const std::exception&) {
    return false;
  }
  auto unit = text.substr(used);
  double scale = 0;
  if (unit.empty() || unit == "s")
    scale = 1;
  else if (unit == "ms")
    scale = 1e-3;
  else if (unit == "m" || unit == "min")
    scale = 60;
  else if (unit == "h")
    scale = 3600;
  if (scale == 0 || !(value >= 0) || !std::isfinite(value) || value * scale > 1e9)
    return false;
  out = from_seconds(value * scale);
  return true;
}

void blocklist::block(const offering_key& key, time_point now) {
  until_[key] = now + ttl_;
}

bool blocklist::blocked(const offering_key& key, time_point now) const {
  auto live = [&](const offering_key& k) {
    auto i = until_.find(k);
    return i != until_.end() && now < i->second;
  };
  return live(key) || (!key.is_region() && live(offering_key::region_of(key)));
}

size_t blocklist::expire(time_point now) {
  for (auto i = until_.begin(); i != until_.end();)
    i = now >= i->second ? until_.erase(i) : std::next(i);
  return until_.size();
}

size_t blocklist::live_of(const provider_id& provider, time_point now) const {
  size_t n = 0;
  for (auto& [key, until] : until_)
    n += key.provider == provider && now < until ? 1 : 0;
  return n;
}

namespace {

bool allowed(const std::vector<std::string>& list, const std::string& value) {
  return list.empty() || std::find(list.begin(), list.end(), value) != list.end();
}

bool acceptable(const provision_request& req, const offering& o) {
  auto& w = req.where();
  if (!allowed(w.providers, o.provider.cloud) || !allowed(w.regions, o.provider.region)
      || !allowed(w.zones, o.zone) || !allowed(w.instance_types, o.instance_type))
    return false;
  if (!o.fits(req.shape()))
    return false;
  auto price = o.price(req.pay().kind);
  if (req.pay().kind == market_kind::spot && price <= 0)
    return false; // no spot market for it
  return req.pay().max_price <= 0 || price <= req.pay().max_price;
}

} // namespace

std::vector<candidate> rank_candidates(const provision_request& req,
                                       const std::vector<provider_view>& providers,
                                       placement_policy policy, const blocklist& blocked,
                                       time_point now, size_t cursor) {
  auto market = req.pay().kind;
  std::vector<candidate> result;
  for (size_t p = 0; p < providers.size(); ++p) {
    if (providers[p].offerings == nullptr)
      continue;
    for (auto& o : *providers[p].offerings) {
      offering_key key{providers[p].id, o.zone, o.instance_type, market};
      if (acceptable(req, o) && !blocked.blocked(key, now))
        result.push_back(candidate{p, o});
    }
  }
  auto n = providers.size();
  auto rank = [&](const candidate& c) -> double {
    switch (policy) {
      case placement_policy::round_robin:
        return static_cast<double>((c.provider + n - cursor % std::max<size_t>(n, 1)) % n);
      case placement_policy::least_loaded:
        return static_cast<double>(providers[c.provider].load);
      default:
        return 0;
    }
  };
  std::stable_sort(result.begin(), result.end(), [&](const candidate& a, const candidate& b) {
    auto ra = rank(a), rb = rank(b);
    if (ra != rb)
      return ra < rb;
    auto pa = a.offer.price(market), pb = b.offer.price(market);
    if (pa != pb)
      return pa < pb;
    return std::tie(a.provider, a.offer.zone, a.offer.instance_type)
           < std::tie(b.provider, b.offer.zone, b.offer.instance_type);
  });
  return result;
}

} // namespace styx
