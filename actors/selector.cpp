#include "actors/selector.hpp"

#include <algorithm>

namespace styx {

bool selector::matches(const instance_record& r) const {
  if (all)
    return true;
  if (empty())
    return false;
  if (!ids.empty() && std::find(ids.begin(), ids.end(), r.id) == ids.end())
    return false;
  if (!requests.empty()
      && std::find(requests.begin(), requests.end(), r.request) == requests.end())
    return false;
  for (auto& [key, value] : tags) {
    auto i = r.tags.find(key);
    if (i == r.tags.end() || i->second != value)
      return false;
  }
  return true;
}

} // namespace styx
