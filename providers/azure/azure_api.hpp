#pragma once
// Azure virtual machines behind the cloud_api contract: one azure_api per location of a
// subscription's resource group. Each api_call becomes the Resource Manager requests below
// (azure_requests.hpp), each sent with a bearer token from the token source through the
// injected http_transport, trusting options.ca_bundle when set. Nothing blocks, nothing waits,
// nothing is retried here, and nothing is logged.
//
//   create      one VM a call (max_batch 1: Azure has no batch create): a PUT of the VM named
//               after its engine id (slot_identity::name), idempotent by construction: a PUT
//               again of the same name finds the VM and makes no second one. 201 with
//               Azure-AsyncOperation (or Location): the reply names the operation
//               (api_reply::operations, "NAME|URL") and the provider asks again later (a
//               continuation) until it Succeeded (the VM, pending: describes follow its power
//               state) or Failed (its error, a capacity error for an allocation failure; the VM
//               Azure leaves behind in provisioningState Failed is deleted in the same call).
//   stop, start, terminate
//               POST deallocate, POST start, DELETE: one request per VM, all at once
//               (max_batch: options.max_change_batch); their operations are asked about as
//               above. A Succeeded one settles its VM (stopped, starting, terminated), a Failed
//               one or a non-retryable answer fails its VM alone (api_reply::failed); a
//               retryable answer (429, 5xx, timeout) fails the whole call, which the provider
//               retries. A DELETE answered 204 (nothing there) is terminated at once.
//   describe    up to 4 VMs: a GET each with $expand=instanceView; more: the group's list with
//               statusOnly=true (every VM's power state, nextLink pages), the asked ones kept.
//               An asked Spot VM that is gone (evictionPolicy Delete) is reported terminated
//               with state_reason::preempted; asked for its detail (it ended or stopped without
//               being asked), a deallocated Spot VM is reported preempted too.
//   list        the group's list (statusOnly=true), this location's VMs with every tag asked.
//   catalog     the subscription's resource SKUs in this location -> azure_catalog().
// Errors: azure_error_from() / azure_operation_error(). Every HTTP request is counted in
// api_reply::requests (the token exchange a call made included), and the least
// x-ms-ratelimit-remaining-* value of the call's answers goes in api_reply::remaining.
// Follow-up URLs (operations, nextLink) get the token only when they are the endpoint's own.
//
// Thread rules: start() may be called from any thread; calls in flight at once are
// independent; `done` runs exactly once, on the transport's thread (or the caller's, for a call
// refused before any request). Lifetimes: each call in flight holds the shared core (and the
// token source), so the azure_api may go before its calls' answers; the transport and the clock
// must outlive them all.

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>

#include "common/time.hpp"
#include "providers/azure/azure_options.hpp"
#include "providers/cloud_api.hpp"
#include "providers/http.hpp"
#include "providers/token_source.hpp"

namespace styx {

class azure_api final : public cloud_api {
public:
  /// `id.region` is the location ("eastus"); `opts` has the subscription, resource group,
  /// Resource Manager endpoint (a missing trailing '/' is added) and subnet resolved.
  azure_api(provider_id id, azure_options opts, token_source_ptr tokens,
            http_transport& transport, const clock& clk);
  ~azure_api() override;

  const provider_id& id() const override;
  void start(api_call call, reply_handler done) override;
  size_t max_batch(api_op op) const override;
  slot_identity identity() const override { return slot_identity::name; }

  /// HTTP requests sent so far, every kind (token exchanges included).
  uint64_t requests() const;

  struct core; // shared with the calls in flight

private:
  std::shared_ptr<core> core_;
};

} // namespace styx
