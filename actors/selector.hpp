#pragma once
// Which instances a stop / start / terminate / list applies to: by id, by tags, or all.

#include <vector>

#include <caf/meta/type_name.hpp>

#include "messages/instance_record.hpp"

namespace styx {

struct selector {
  bool all = false;
  std::vector<instance_id> ids;
  std::vector<request_id> requests;
  tag_map tags; // every key/value must match

  static selector everything() { selector s; s.all = true; return s; }
  bool empty() const { return !all && ids.empty() && requests.empty() && tags.empty(); }
  bool matches(const instance_record& r) const { return matches(r.id, r.request, r.tags); }
  /// The same for an instance known by its id, its request and its tags.
  bool matches(const instance_id& id, const request_id& request, const tag_map& tags) const;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, selector& x) {
  return f(caf::meta::type_name("selector"), x.all, x.ids, x.requests, x.tags);
}

} // namespace styx
