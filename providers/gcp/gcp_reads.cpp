// The reading calls of the GCP provider: describe (with the preemption look-up), list and
// catalog. The mechanics and the mutations are in gcp_api.cpp.

#include <algorithm>

#include "providers/gcp/gcp_call.hpp"
#include "providers/gcp/gcp_errors.hpp"
#include "providers/gcp/gcp_names.hpp"
#include "providers/gcp/gcp_prices.hpp"
#include "providers/gcp/gcp_requests.hpp"

namespace styx {

namespace {

constexpr size_t names_per_describe = 100;
constexpr size_t names_per_operation_filter = 50;
constexpr const char* preempted_type = "compute.instances.preempted";

std::string page_size(const gcp_options& opts) {
  return std::to_string(std::clamp(opts.list_page_size, 1, 500));
}

} // namespace

void gcp_call::describe() {
  std::map<std::string, std::vector<std::string>> names_by_zone;
  for (auto& id : call_.cloud_ids)
    if (auto parts = gcp_split_cloud_id(id)) {
      asked_.insert(id);
      names_by_zone[parts->first].push_back(parts->second);
    }
  auto self = shared_from_this();
  begin_phase([self] { self->look_for_preemptions(); });
  for (auto& [zone, names] : names_by_zone) {
    for (size_t pos = 0; pos < names.size(); pos += names_per_describe) {
      auto n = std::min(names_per_describe, names.size() - pos);
      auto url = core_->zone_url(zone) + "/instances?maxResults=" + page_size(core_->opts)
                 + "&filter=" + gcp_percent_encode(gcp_name_filter(&names[pos], n));
      read_pages(std::move(url), "instances.list", gcp_parse_instances,
                 [self](gcp_instance_page& page) {
                   for (auto& inst : page.instances)
                     if (self->asked_.count(inst.cloud_id) > 0)
                       self->reply_.instances.push_back(std::move(inst));
                 });
    }
  }
  end_setup();
}

void gcp_call::look_for_preemptions() {
  // An asked instance that is gone, or a spot instance that is stopping or stopped: was it
  // preempted? Compute says so only in a zone operation of type compute.instances.preempted.
  std::map<std::string, std::vector<std::string>> suspects; // zone -> names
  {
    std::lock_guard<std::recursive_mutex> guard{mtx_};
    std::set<std::string> answered;
    for (auto& inst : reply_.instances) {
      answered.insert(inst.cloud_id);
      if (inst.market == market_kind::spot
          && (inst.state == instance_state::stopping || inst.state == instance_state::stopped))
        if (auto parts = gcp_split_cloud_id(inst.cloud_id))
          suspects[parts->first].push_back(parts->second);
    }
    for (auto& id : asked_)
      if (answered.count(id) == 0)
        if (auto parts = gcp_split_cloud_id(id))
          suspects[parts->first].push_back(parts->second);
  }
  if (suspects.empty()) {
    finish();
    return;
  }
  auto self = shared_from_this();
  begin_phase([self] {
    std::lock_guard<std::recursive_mutex> guard{self->mtx_};
    std::set<std::string> seen;
    for (auto& inst : self->reply_.instances) {
      seen.insert(inst.cloud_id);
      if (self->preempted_.count(inst.cloud_id) > 0) {
        inst.state = instance_state::terminated;
        inst.reason = state_reason::preempted;
        inst.reason_code = preempted_type;
      }
    }
    for (auto& id : self->preempted_) {
      if (seen.count(id) > 0 || self->asked_.count(id) == 0)
        continue;
      cloud_instance gone;
      gone.cloud_id = id;
      gone.zone = gcp_split_cloud_id(id)->first;
      gone.market = market_kind::spot;
      gone.state = instance_state::terminated;
      gone.reason = state_reason::preempted;
      gone.reason_code = preempted_type;
      self->reply_.instances.push_back(std::move(gone));
    }
    self->finish();
  });
  for (auto& [zone, names] : suspects) {
    for (size_t pos = 0; pos < names.size(); pos += names_per_operation_filter) {
      auto n = std::min(names_per_operation_filter, names.size() - pos);
      auto filter = "(operationType = \"" + std::string{preempted_type} + "\") ("
                    + gcp_name_filter(&names[pos], n, "targetLink", ".*/instances/") + ")";
      auto url = core_->zone_url(zone) + "/operations?maxResults=500&filter="
                 + gcp_percent_encode(filter);
      read_pages(std::move(url), "zoneOperations.list", gcp_parse_operations,
                 [self](gcp_operation_page& page) {
                   for (auto& op : page.operations)
                     if (op.type == preempted_type)
                       self->preempted_.insert(gcp_cloud_id(op.zone, op.target_name));
                 });
    }
  }
  end_setup();
}

void gcp_call::list() {
  auto filter = gcp_label_filter(call_.filter);
  if (!filter) { // a tag no label can be: no instance carries it
    finish();
    return;
  }
  auto url = core_->project_url() + "/aggregated/instances?maxResults=" + page_size(core_->opts)
             + "&returnPartialSuccess=true";
  if (!filter->empty())
    url += "&filter=" + gcp_percent_encode(*filter);
  auto self = shared_from_this();
  begin_phase([self] { self->finish(); });
  read_pages(std::move(url), "instances.aggregatedList", gcp_parse_instances,
             [self](gcp_instance_page& page) {
               for (auto& inst : page.instances)
                 if (gcp_region_of_zone(inst.zone) == self->core_->id.region)
                   self->reply_.instances.push_back(std::move(inst));
             });
  end_setup();
}

void gcp_call::catalog() {
  auto& region = core_->id.region;
  std::vector<std::string> known;
  for (auto& e : gcp_price_table())
    known.emplace_back(e.type);
  auto zones_url = core_->project_url() + "/zones?maxResults=500&filter="
                   + gcp_percent_encode("name eq \"" + region + "-.*\"");
  auto types_filter = "(" + gcp_name_filter(known.data(), known.size()) + ") (zone eq \"" + region
                      + "-.*\")";
  auto types_url = core_->project_url() + "/aggregated/machineTypes?maxResults=500&filter="
                   + gcp_percent_encode(types_filter);
  auto self = shared_from_this();
  begin_phase([self] {
    std::lock_guard<std::recursive_mutex> guard{self->mtx_};
    self->reply_.offerings = gcp_catalog(self->core_->id, self->zones_, self->types_);
    self->finish();
  });
  read_pages(std::move(zones_url), "zones.list", gcp_parse_zones, [self](gcp_zone_page& page) {
    for (auto& z : page.zones)
      if (z.status == "UP" && z.region == self->core_->id.region)
        self->zones_.push_back(z.name);
  });
  read_pages(std::move(types_url), "machineTypes.aggregatedList", gcp_parse_machine_types,
             [self](gcp_machine_type_page& page) {
               self->types_.insert(self->types_.end(), page.types.begin(), page.types.end());
             });
  end_setup();
}

} // namespace styx
