#include "messages/instance_record.hpp"

namespace styx {

instance_record record_of(const cloud_instance& ci, const provider_id& provider) {
  instance_record rec;
  rec.id = ci.owner_instance();
  rec.request = ci.owner_request();
  auto name = ci.tags.find(ownership_tag::name);
  rec.name = name != ci.tags.end() ? name->second : ci.cloud_id;
  rec.provider = provider;
  rec.zone = ci.zone;
  rec.instance_type = ci.instance_type;
  rec.market = ci.market;
  rec.cloud_id = ci.cloud_id;
  rec.state = ci.state;
  rec.since = ci.launched_at;
  for (auto& [k, v] : ci.tags)
    if (k.rfind("styx:", 0) != 0 && k != ownership_tag::name)
      rec.tags.emplace(k, v);
  return rec;
}

} // namespace styx
