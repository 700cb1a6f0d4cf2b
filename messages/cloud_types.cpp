#include "messages/cloud_types.hpp"

#include <tuple>

namespace styx {

bool operator<(const launch_spec& a, const launch_spec& b) {
  return std::tie(a.instance_type, a.zone, a.market, a.max_price, a.image, a.tags)
         < std::tie(b.instance_type, b.zone, b.market, b.max_price, b.image, b.tags);
}

namespace {

template <class Id>
Id owner_tag(const tag_map& tags, const char* key) {
  Id result;
  if (auto i = tags.find(key); i != tags.end())
    if (auto parsed = uuid::parse(i->second))
      static_cast<uuid&>(result) = *parsed;
  return result;
}

} // namespace

instance_id cloud_instance::owner_instance() const {
  return owner_tag<instance_id>(tags, ownership_tag::instance);
}

request_id cloud_instance::owner_request() const {
  return owner_tag<request_id>(tags, ownership_tag::request);
}

bool tags_match(const tag_map& tags, const tag_map& filter) {
  for (auto& [k, v] : filter) {
    auto i = tags.find(k);
    if (i == tags.end() || i->second != v)
      return false;
  }
  return true;
}

bool offering::fits(const resources& r) const {
  if (cpus < r.cpus() || memory_gib < r.memory_gib() || gpus < r.gpus())
    return false;
  return r.gpu_kind().empty() || r.gpu_kind() == gpu_kind;
}

} // namespace styx
