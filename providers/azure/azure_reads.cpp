// The reading calls of the Azure provider: describe (with Spot evictions), list and catalog.
// The mechanics and the mutations are in azure_api.cpp.

#include "providers/azure/azure_call.hpp"
#include "providers/azure/azure_names.hpp"
#include "providers/azure/azure_prices.hpp"
#include "providers/azure/azure_requests.hpp"
#include "providers/gcp/gcp_requests.hpp" // gcp_percent_encode: RFC 3986, a query value too

namespace styx {

namespace {

constexpr const char* evicted_code = "SpotEviction";
constexpr size_t few = 4; // asked about more, a describe lists the whole group

void mark_evicted(cloud_instance& ci) {
  ci.market = market_kind::spot;
  ci.reason = state_reason::preempted;
  ci.reason_code = evicted_code;
}

} // namespace

cloud_instance azure_call::instance_of(const azure_vm& vm) const {
  cloud_instance ci;
  ci.cloud_id = vm.name;
  ci.zone = vm.zone;
  ci.instance_type = vm.size;
  ci.market = vm.spot ? market_kind::spot : market_kind::on_demand;
  ci.state = azure_state_of(vm.provisioning_state, vm.power);
  ci.tags = azure_tags_of(vm.tags, vm.name);
  ci.launched_at = vm.created;
  // Asked for its detail, a Spot VM that stopped without being asked was evicted.
  if (call_.detail && vm.spot && ci.state == instance_state::stopped && vm.power == "deallocated")
    mark_evicted(ci);
  return ci;
}

void azure_call::report_gone_spot() {
  // An asked Spot VM that is gone was evicted (evictionPolicy Delete): nothing else of it is
  // left to read. Any other asked VM that is gone is left out (the provider: vanished).
  std::unique_lock<std::recursive_mutex> guard{mtx_};
  for (auto& name : asked_) {
    if (seen_.count(name) > 0 || !azure_spot_name(name))
      continue;
    cloud_instance gone;
    gone.cloud_id = name;
    gone.state = instance_state::terminated;
    mark_evicted(gone);
    reply_.instances.push_back(std::move(gone));
  }
  guard.unlock();
  finish();
}

void azure_call::describe() {
  asked_.insert(call_.cloud_ids.begin(), call_.cloud_ids.end());
  if (asked_.size() <= few)
    return describe_few();
  auto self = shared_from_this();
  auto url = core_->vms_url() + "?api-version=" + azure_compute_api_version + "&statusOnly=true";
  step([&] {
    read_pages(std::move(url), "virtualMachines.list", [self](const http_response& r, bool& ok) {
      auto page = azure_parse_vms(r.body);
      if (!(ok = page.has_value()))
        return std::string{};
      for (auto& vm : page->vms)
        if (self->asked_.count(vm.name) > 0 && self->seen_.insert(vm.name).second)
          self->reply_.instances.push_back(self->instance_of(vm));
      return page->next_link;
    });
  }, [self] { self->report_gone_spot(); });
}

void azure_call::describe_few() {
  auto self = shared_from_this();
  step([&] {
    for (auto& name : asked_)
      send("GET", core_->vm_url(name) + "&$expand=instanceView", {},
           [self](const http_response& r) {
             if (r.status == 404)
               return; // gone
             if (auto err = azure_error_from(r))
               return self->fail_locked(std::move(err));
             auto vm = azure_parse_vm(r.body);
             if (!vm)
               return self->fail_locked(azure_unreadable("virtualMachines.get"));
             self->seen_.insert(vm->name);
             self->reply_.instances.push_back(self->instance_of(*vm));
           });
  }, [self] { self->report_gone_spot(); });
}

void azure_call::list() {
  auto self = shared_from_this();
  auto url = core_->vms_url() + "?api-version=" + azure_compute_api_version + "&statusOnly=true";
  step([&] {
    read_pages(std::move(url), "virtualMachines.list", [self](const http_response& r, bool& ok) {
      auto page = azure_parse_vms(r.body);
      if (!(ok = page.has_value()))
        return std::string{};
      for (auto& vm : page->vms) {
        if (!azure_same_location(vm.location, self->core_->id.region))
          continue;
        auto ci = self->instance_of(vm);
        if (tags_match(ci.tags, self->call_.filter))
          self->reply_.instances.push_back(std::move(ci));
      }
      return page->next_link;
    });
  }, [self] { self->finish(); });
}

void azure_call::catalog() {
  auto self = shared_from_this();
  auto& region = core_->id.region;
  auto url = core_->opts.arm_endpoint + "subscriptions/" + core_->opts.subscription
             + "/providers/Microsoft.Compute/skus?api-version=" + azure_skus_api_version
             + "&$filter=" + gcp_percent_encode("location eq '" + region + "'");
  step([&] {
    read_pages(std::move(url), "resourceSkus.list", [self](const http_response& r, bool& ok) {
      auto page = azure_parse_skus(r.body, self->core_->id.region);
      if (!(ok = page.has_value()))
        return std::string{};
      self->skus_.insert(self->skus_.end(), page->skus.begin(), page->skus.end());
      return page->next_link;
    });
  }, [self] {
    {
      std::lock_guard<std::recursive_mutex> guard{self->mtx_};
      self->reply_.offerings = azure_catalog(self->core_->id, self->skus_);
    }
    self->finish();
  });
}

} // namespace styx
