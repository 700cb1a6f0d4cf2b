#include "actors/selector.hpp"

#include <algorithm>

namespace styx {

bool selector::matches(const instance_id& id, const request_id& request,
                       const tag_map& with) const {
  if (all)
    return true;
  if (empty())
    return false;
  if (!ids.empty() && std::find(ids.begin(), ids.end(), id) == ids.end())
    return false;
  if (!requests.empty()
      && std::find(requests.begin(), requests.end(), request) == requests.end())
    return false;
  for (auto& [key, value] : tags) {
    auto i = with.find(key);
    if (i == with.end() || i->second != value)
      return false;
  }
  return true;
}

} // namespace styx
