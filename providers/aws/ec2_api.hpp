#pragma once
// AWS EC2 behind the cloud_api contract: one ec2_api per region. Each api_call becomes the EC2
// Query API calls of ec2_requests_for(), each a POST of its form body
// (Content-Type: application/x-www-form-urlencoded; charset=utf-8) to the endpoint, signed with
// SigV4 (service "ec2", the provider's region, the injected clock's wall time) and sent
// through the injected http_transport. Nothing blocks and nothing else does I/O; nothing logs.
//
//   create     RunInstances (MinCount = MaxCount = slots; the spec's image, else
//              options.default_image; the zone's subnet, else options.subnet_id), then one
//              CreateTags per instance for batches of more than one (ec2_assign_slots), at most
//              options.tag_concurrency at once, each retried on throttling and 5xx. The reply
//              waits for the tags to settle (so a process that ends right after still leaves
//              tagged instances) but never fails because of them: every launched instance is
//              in the reply with its slot's ownership tags set, tagged on EC2 or not.
//   describe, stop, start, terminate
//              one call per 1000 ids; an id EC2 does not know (InvalidInstanceID.NotFound) is
//              dropped and the call re-sent without it, so the reply simply lacks it.
//   list       DescribeInstances by tag filters, options.list_page_size per page, NextToken
//              followed to the last page.
//   catalog    DescribeAvailabilityZones + DescribeInstanceTypes + DescribeSpotPriceHistory
//              (both paginated) -> ec2_catalog() of the available zones.
// Errors: the first failing EC2 call ends the api_call with ec2_error_from()'s cloud_error (the
// provider actor retries); a 2xx body that does not parse is transient "InvalidResponse".
// `done` runs exactly once, on the transport's (or the retry timer's) thread.

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
  uint64_t tag_calls = 0;     // CreateTags sent, retries included
  uint64_t tag_failures = 0;  // CreateTags given up: instances without their own tags on EC2
};

class ec2_api final : public cloud_api {
public:
  /// `id.region` is the region signed for; `endpoint` is "https://ec2.us-east-1.amazonaws.com"
  /// or a moto URL (a trailing '/' is fine). `transport` and `clk` (and `retry_timer`, which
  /// spaces CreateTags retries; null: retry at once) must outlive every call in flight.
  ec2_api(provider_id id, aws_credentials creds, std::string endpoint, http_transport& transport,
          const clock& clk, ec2_options opts = {}, timer* retry_timer = nullptr);
  ~ec2_api() override;

  const provider_id& id() const override;
  void start(api_call call, reply_handler done) override;
  size_t max_batch(api_op) const override { return 1000; }

  ec2_api_counters counters() const;

  /// One CreateTags of `tags` on `cloud_id`, outside any api_call: reconcile gives back the
  /// per-instance tags a crash kept from being set. `done` runs once with the error (none on
  /// success), on the transport's thread.
  void tag(const std::string& cloud_id, const tag_map& tags,
           std::function<void(cloud_error)> done);

  struct core; // shared with the calls in flight

private:
  std::shared_ptr<core> core_;
};

} // namespace styx
