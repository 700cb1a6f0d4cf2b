#pragma once
// Request builders for the EC2 Query API (Version=2016-11-15). Each builder returns the
// form-encoded POST body of one call: "Action=...&Version=2016-11-15&..." with parameters in a
// fixed order and values percent-encoded per AWS rules (A-Za-z0-9-_.~ kept, others %XX).
// Builders do no I/O and no signing; the provider signs the body (sigv4) and sends it.
//
// Identity. One RunInstances launches a whole batch; its TagSpecification gives every instance
// of the batch the same tags (the request's and the engine's ownership tags). An instance is
// then known by the call itself: the batch's ClientToken plus its amiLaunchIndex, both of
// which DescribeInstances returns (slot_identity::token_index). A batch of one slot also
// carries its per-instance tags (styx:instance, Name) in the RunInstances. No follow-up call
// (CreateTags) is ever needed.

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/time.hpp"
#include "messages/cloud_types.hpp"
#include "providers/aws/sigv4.hpp" // aws_uri_encode
#include "providers/cloud_api.hpp"

namespace styx {

constexpr const char* ec2_api_version = "2016-11-15";

/// Most ids EC2 accepts in one InstanceId.N / ResourceId.N list.
constexpr size_t ec2_max_ids = 1000;

/// Ordered (name, value) pairs of one call, not yet encoded.
using ec2_params = std::vector<std::pair<std::string, std::string>>;

/// "k1=v1&k2=v2" with keys and values percent-encoded, in the given order.
std::string ec2_form_encode(const ec2_params& params);

/// The inverse of ec2_form_encode ('+' is read as a space); for tests and fakes.
ec2_params ec2_form_decode(std::string_view body);

/// A DescribeInstances / DescribeInstanceTypes filter: Filter.N.Name, Filter.N.Value.M.
struct ec2_filter {
  std::string name;                 // "tag:styx:request", "instance-state-name"
  std::vector<std::string> values;
};

/// RunInstances for `count` instances (MinCount = MaxCount = count) of `spec`, tagged with
/// `tags` (usually spec.tags plus, for a single slot, its per-instance tags). A spot spec adds
/// InstanceMarketOptions (one-time; MaxPrice when spec.max_price > 0). `subnet_id` optional.
std::string ec2_run_instances(const launch_spec& spec, size_t count,
                              const std::string& client_token, const tag_map& tags,
                              const std::string& subnet_id = {});

/// DescribeInstances by ids (at most ec2_max_ids; MaxResults is not allowed with ids) or, with
/// no ids, by filters with MaxResults (5..1000, 0: omitted) and NextToken pagination.
std::string ec2_describe_instances(const std::vector<std::string>& ids,
                                   const std::vector<ec2_filter>& filters = {},
                                   int max_results = 0, const std::string& next_token = {});

/// Most ids DescribeInstanceStatus accepts in one call.
constexpr size_t ec2_max_status_ids = 100;

/// DescribeInstanceStatus of at most ec2_max_status_ids ids with IncludeAllInstances=true, so
/// that stopped and ending instances are answered too: ids, zones and states only, far cheaper
/// for EC2 (and moto) to answer than DescribeInstances.
std::string ec2_describe_instance_status(const std::vector<std::string>& ids);

/// Stop/Start/TerminateInstances for at most ec2_max_ids ids.
std::string ec2_stop_instances(const std::vector<std::string>& ids);
std::string ec2_start_instances(const std::vector<std::string>& ids);
std::string ec2_terminate_instances(const std::vector<std::string>& ids);

/// DescribeInstanceTypes. Naming a type EC2 does not offer fails the whole call
/// (InvalidInstanceType), so the catalog asks with an instance-type filter instead.
std::string ec2_describe_instance_types(const std::vector<std::string>& types,
                                        const std::vector<ec2_filter>& filters = {},
                                        const std::string& next_token = {});

std::string ec2_describe_availability_zones();

/// DescribeSpotPriceHistory of Linux/UNIX for `types`, from `start_time` (the price in force
/// then and every change since).
std::string ec2_describe_spot_price_history(const std::vector<std::string>& types,
                                            unix_ms start_time,
                                            const std::string& next_token = {});

/// `body` with its NextToken replaced by `token` (appended when absent; removed when empty):
/// the next page of a paginated call.
std::string ec2_with_next_token(std::string_view body, const std::string& token);

/// "2024-05-01T12:00:00Z"
std::string ec2_iso8601(unix_ms t);

/// One EC2 call of an api_call.
struct ec2_request {
  std::string action;   // "RunInstances"
  std::string body;     // the form body
  bool paginated = false; // follow nextToken with ec2_with_next_token until it is empty
};

/// The EC2 calls an api_call needs, to be sent in order; `now` dates the spot price query.
///   create    -> RunInstances
///   describe  -> DescribeInstanceStatus per 100 ids; with call.detail DescribeInstances per
///                1000 ids (tags and state reasons)
///   stop/start/terminate -> one call per 1000 ids
///   list      -> DescribeInstances with tag:KEY filters and the live instance-state-names,
///                MaxResults 1000, paginated
///   catalog   -> DescribeAvailabilityZones, DescribeInstanceTypes (the price table's types,
///                paginated), DescribeSpotPriceHistory (paginated)
std::vector<ec2_request> ec2_requests_for(const api_call& call, unix_ms now);

/// The tags of one slot besides the batch's: styx:instance and, when set, Name.
tag_map ec2_slot_tags(const create_slot& slot);

} // namespace styx
