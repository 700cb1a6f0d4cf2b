#pragma once
// Internal to the GCP provider (providers/gcp/gcp_api.cpp, gcp_reads.cpp): one api_call on its
// way, in phases. A phase is a set of HTTP requests on the wire at once; when the last of them
// is answered, the phase's continuation runs (another phase, or the end of the call). Not a
// public header.
//
// Thread rules: answers arrive on the transport's thread while the call may still be sending
// from the caller's: every field below the mutex is touched with it held, and a phase ends only
// when its requests and its own setup (a guard count) are done. Lifetimes: held by shared_ptr
// by every request in flight; `done` is called exactly once, then nothing is kept.

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "providers/call_steps.hpp"
#include "providers/gcp/gcp_api.hpp"
#include "providers/gcp/gcp_errors.hpp"
#include "providers/gcp/gcp_json.hpp"

namespace styx {

/// A 2xx answer of `what` whose body is not its response: transient "InvalidResponse".
cloud_error gcp_unreadable(const std::string& what);

struct gcp_api::core {
  provider_id id;
  std::string project;
  std::string base; // ".../compute/v1/"
  gcp_token_source_ptr tokens;
  http_transport& transport;
  const clock& clk;
  gcp_options opts;
  std::atomic<uint64_t> requests{0};

  core(provider_id i, std::string p, std::string b, gcp_token_source_ptr t, http_transport& tr,
       const clock& k, gcp_options o)
    : id(std::move(i)), project(std::move(p)), base(std::move(b)), tokens(std::move(t)),
      transport(tr), clk(k), opts(std::move(o)) {}

  std::string project_url() const { return base + "projects/" + project; }
  std::string zone_url(const std::string& zone) const {
    return project_url() + "/zones/" + zone;
  }
};

class gcp_call : public call_steps, public std::enable_shared_from_this<gcp_call> {
public:
  gcp_call(std::shared_ptr<gcp_api::core> c, api_call call, reply_handler done);

  /// Gets a token, then makes the call.
  void run();

private:
  using on_answer = std::function<void(const http_response&)>;
  using on_page = std::function<std::string(const http_response&)>; // the next page's token

  // -- mechanics (gcp_api.cpp; the steps are call_steps') -----------------------------------
  void dispatch();
  /// One request of the current phase; `f` runs with the mutex held.
  void send(const char* method, std::string url, std::string body, on_answer f);
  /// GETs `url` and its next pages (`f` returns the next page token, empty at the end).
  void get_pages(std::string url, on_page f, std::string page_token = {});
  /// GETs `url` and its next pages: each answer is an error that fails the call, or a page
  /// `parse` reads (nullopt: `what` answered a body that is not its response) and `use` takes,
  /// with the mutex held.
  template <class Parse, class Use>
  void read_pages(std::string url, const char* what, Parse parse, Use use) {
    auto self = shared_from_this();
    get_pages(std::move(url), [self, what, parse, use](const http_response& r) -> std::string {
      if (auto err = gcp_error_from(r)) {
        self->fail_locked(std::move(err));
        return {};
      }
      auto page = parse(r.body);
      if (!page) {
        self->fail_locked(gcp_unreadable(what));
        return {};
      }
      use(*page);
      return page->next_page_token;
    });
  }
  void settle(api_reply& reply) override;

  // -- mutations (gcp_api.cpp) -------------------------------------------------------------
  void create();
  void on_create_operation(const gcp_operation& op);
  std::vector<cloud_instance> created_instances() const;
  void change();
  void on_change_operation(const gcp_operation& op, const std::string& cloud_id);
  void continuation();

  // -- reads (gcp_reads.cpp) --------------------------------------------------------------
  void describe();
  void look_for_preemptions();
  void list();
  void catalog();

  std::shared_ptr<gcp_api::core> core_;
  std::string token_;

  bool created_ = false;         // create: the instances exist
  std::set<std::string> asked_;  // describe: the ids asked
  std::map<std::string, gcp_operation> ops_; // continuation: by operation name
  std::set<std::string> preempted_;          // describe: cloud ids Compute preempted
  std::vector<std::string> zones_;           // catalog
  std::vector<gcp_machine_type> types_;      // catalog
};

} // namespace styx
