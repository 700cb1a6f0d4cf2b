#pragma once
// AWS EC2 behind the cloud_api contract: one ec2_api per region. Each api_call becomes the EC2
// Query API calls of ec2_requests_for(), each a POST of its form body
// (Content-Type: application/x-www-form-urlencoded; charset=utf-8) to the endpoint, signed with
// SigV4 (service "ec2", the provider's region, the injected clock's wall time) and sent
// through the injected http_transport. Nothing blocks and nothing else does I/O; nothing logs.
//
//   create     One RunInstances (MinCount = MaxCount = slots; the spec's image, else
//              options.default_image; the zone's subnet, else options.subnet_id) tagged with
//              the shared tags (and, for a single slot, its own). Its instances are known by
//              the call's ClientToken and their amiLaunchIndex (slot_identity::token_index):
//              no follow-up call.
//   describe   DescribeInstanceStatus (IncludeAllInstances) per 100 ids: states only; with
//              call.detail DescribeInstances per 1000 ids.
//   stop, start, terminate
//              one call per 1000 ids. An id EC2 does not know (InvalidInstanceID.NotFound)
//              fails the call; the reply names the unknown ids (api_reply::unknown_ids) and
//              the provider actor sends the rest again.
//   list       DescribeInstances by tag filters, options.list_page_size per page, NextToken
//              followed to the last page.
//   catalog    DescribeAvailabilityZones + DescribeInstanceTypes + DescribeSpotPriceHistory
//              (both paginated) -> ec2_catalog() of the available zones.
// Errors: the first failing EC2 call ends the api_call with ec2_error_from()'s cloud_error (the
// provider actor retries); a 2xx body that does not parse is transient "InvalidResponse".
// Every HTTP request is counted in api_reply::requests. Nothing here retries or waits.
// `done` runs exactly once, on the transport's thread.

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "common/time.hpp"
#include "providers/aws/credentials.hpp"
#include "providers/aws/ec2_options.hpp"
#include "providers/cloud_api.hpp"
#include "providers/http.hpp"

namespace styx {

/// What one ec2_api has sent, for tests and benchmarks.
struct ec2_api_counters {
  uint64_t requests = 0;      // HTTP requests sent, every kind
  uint64_t pages = 0;         // follow-up requests with a NextToken
};

class ec2_api final : public cloud_api {
public:
  /// `id.region` is the region signed for; `endpoint` is "https://ec2.us-east-1.amazonaws.com"
  /// or a moto URL (a trailing '/' is fine). `transport` and `clk` must outlive every call in
  /// flight.
  ec2_api(provider_id id, aws_credentials creds, std::string endpoint, http_transport& transport,
          const clock& clk, ec2_options opts = {});
  ~ec2_api() override;

  const provider_id& id() const override;
  void start(api_call call, reply_handler done) override;
  size_t max_batch(api_op op) const override {
    return op == api_op::describe ? 100 : 1000; // DescribeInstanceStatus takes 100 ids
  }
  slot_identity identity() const override { return slot_identity::token_index; }

  ec2_api_counters counters() const;

  struct core; // shared with the calls in flight

private:
  std::shared_ptr<core> core_;
};

} // namespace styx
