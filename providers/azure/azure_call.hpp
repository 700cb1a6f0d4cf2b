#pragma once
// Internal to the Azure provider (providers/azure/azure_api.cpp, azure_reads.cpp): one api_call
// on its way, in steps (providers/call_steps.hpp; pages follow within a step). Not a public
// header. Thread rules and lifetimes: call_steps'; the fields below are touched with `mtx_`
// held.

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "providers/azure/azure_api.hpp"
#include "providers/call_steps.hpp"
#include "providers/azure/azure_errors.hpp"
#include "providers/azure/azure_json.hpp"

namespace styx {

struct azure_api::core {
  provider_id id;
  azure_options opts;
  token_source_ptr tokens;
  http_transport& transport;
  const clock& clk;
  std::atomic<uint64_t> requests{0};

  core(provider_id i, azure_options o, token_source_ptr t, http_transport& tr, const clock& k)
    : id(std::move(i)), opts(std::move(o)), tokens(std::move(t)), transport(tr), clk(k) {}

  /// {endpoint}subscriptions/S/resourceGroups/G/providers/Microsoft.Compute/virtualMachines
  std::string vms_url() const;
  /// vms_url()/NAME{suffix}?api-version=V
  std::string vm_url(const std::string& name, const std::string& suffix = {}) const;
  /// True for a URL of the Resource Manager endpoint (it may carry the token).
  bool ours(const std::string& url) const;
};

class azure_call : public call_steps, public std::enable_shared_from_this<azure_call> {
public:
  azure_call(std::shared_ptr<azure_api::core> c, api_call call, reply_handler done);

  /// Gets a token, then makes the call.
  void run();

private:
  using on_answer = std::function<void(const http_response&)>;

  // -- mechanics (azure_api.cpp; the steps are call_steps') --------------------------------
  /// Runs `sends` (which calls send()), then `next` once all their answers are in.
  void step(const std::function<void()>& sends, std::function<void()> next);
  /// One request of the current step; `f` runs with the mutex held.
  void send(const char* method, std::string url, std::string body, on_answer f);
  /// GETs `url` and the nextLinks after it: each page is an error that fails the call, or a
  /// body `use` reads (false: `what` answered a body that is not its response).
  void read_pages(std::string url, const char* what,
                  std::function<std::string(const http_response&, bool& ok)> use);
  void note_rate_headers(const http_response& resp);
  void settle(api_reply& reply) override;

  // -- mutations (azure_api.cpp) ----------------------------------------------------------
  void create();
  void change();
  void continuation();
  void on_operation(const std::string& name, const std::string& url, const azure_operation& op);
  void delete_failed_vm(cloud_error err);
  cloud_instance created_instance() const;

  // -- reads (azure_reads.cpp) ------------------------------------------------------------
  void describe();
  void describe_few();
  void list();
  void catalog();
  cloud_instance instance_of(const azure_vm& vm) const;
  void report_gone_spot(); // then finish()

  std::shared_ptr<azure_api::core> core_;
  std::string token_;

  bool created_ = false;          // create: the VM exists
  std::string failed_vm_;         // create: the VM whose allocation failed, to delete
  cloud_error create_failure_;    // create: why
  std::set<std::string> asked_;   // describe: the names asked
  std::set<std::string> seen_;    // describe: the names answered
  std::vector<azure_sku> skus_;   // catalog
};

} // namespace styx
