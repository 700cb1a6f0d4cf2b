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
  bool matches(const instance_record& r) const;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, selector& x) {
  return f(caf::meta::type_name("selector"), x.all, x.ids, x.requests, x.tags);
}

} // namespace styx
