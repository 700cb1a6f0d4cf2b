#pragma once
// GCP Compute Engine behind the cloud_api contract: one gcp_api per region of a project. Each
// api_call becomes the Compute REST v1 requests below (gcp_requests.hpp), each sent with a
// bearer token from the token source through the injected http_transport. Nothing blocks,
// nothing waits, nothing is retried here, and nothing is logged.
//
//   create      One instances.insert (one slot) or instances.bulkInsert (count = minCount =
//               slots, each instance named after its engine id: slot_identity::name) in the
//               spec's zone, with requestId derived from the call's client token. Compute
//               answers an Operation. DONE: the answer. Not DONE: the reply names it
//               (api_reply::operations, "ZONE/OPERATION") and the provider asks again later
//               (a continuation). 409 alreadyExists: the names exist, made by an earlier
//               attempt of this very call (a name is an engine id): the answer too.
//   stop, start, terminate
//               one request per instance, all at once (max_batch: options.max_change_batch),
//               requestId derived from the token and the instance; their Operations are
//               asked about as above ("ZONE/OPERATION/NAME"). A DONE operation settles its
//               instance (stopped, starting, terminated), a failed one or a non-retryable
//               answer fails its instance alone (api_reply::failed); a retryable answer
//               (throttled, 5xx, timeout) fails the whole call, which the provider retries
//               with the same requestIds.
//   continuation (api_call::operations)
//               zoneOperations.get for one operation of a zone, a zoneOperations.list
//               filtered on the names (50 a request) for several.
//   describe    instances.list of each zone, filtered on the names (100 a request). An asked
//               instance that is gone, and a spot instance that is stopping or stopped, is
//               looked up among the zone's compute.instances.preempted operations: preempted,
//               it is reported terminated with state_reason::preempted.
//   list        instances.aggregatedList filtered on the labels, the region's zones kept.
//   catalog     zones.list (the region's zones that are UP) + machineTypes.aggregatedList of
//               the price table's types -> gcp_catalog().
// Errors: gcp_error_from() / gcp_operation_error(); a 2xx body that does not parse is
// transient "InvalidResponse". Every HTTP request is counted in api_reply::requests, the token
// exchange a call made included.
//
// Thread rules: start() may be called from any thread, calls in flight at once are
// independent; `done` runs exactly once, on the transport's thread (or the caller's, for a
// call refused before any request). Lifetimes: each call in flight holds the shared core (and
// the token source), so the gcp_api may go before its calls' answers; the transport and the
// clock must outlive them all.

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>

#include "common/time.hpp"
#include "providers/cloud_api.hpp"
#include "providers/gcp/gcp_options.hpp"
#include "providers/gcp/gcp_token_source.hpp"
#include "providers/http.hpp"

namespace styx {

class gcp_api final : public cloud_api {
public:
  /// `id.region` is the region ("us-central1"); `endpoint` Compute's v1 root
  /// ("https://compute.googleapis.com/compute/v1/", or an override; a missing trailing '/' is
  /// added). `transport` and `clk` must outlive every call in flight.
  gcp_api(provider_id id, std::string project, std::string endpoint, gcp_token_source_ptr tokens,
          http_transport& transport, const clock& clk, gcp_options opts = {});
  ~gcp_api() override;

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
