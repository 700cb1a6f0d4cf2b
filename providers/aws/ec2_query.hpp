#pragma once
// Request builders for the EC2 Query API (Version=2016-11-15). Each builder returns the
// form-encoded POST body of one call: "Action=...&Version=2016-11-15&..." with parameters in a
// fixed order and values percent-encoded per AWS rules (A-Za-z0-9-_.~ kept, others %XX).
// Builders do no I/O and no signing; the provider signs the body (sigv4) and sends it.
//
// Per-instance tags. One RunInstances launches a whole batch, and its TagSpecification applies
// the same tags to every instance of the batch. The tags that differ per instance
// (styx:instance, Name) therefore go on in a second step:
//   - a batch of one slot carries its per-instance tags in the RunInstances itself (no second
//     call);
//   - a larger batch launches with the shared tags (request + ownership tags), and then
//     ec2_assign_slots() pairs slot i with the instance of amiLaunchIndex i and returns one
//     CreateTags body per distinct per-instance tag set (ResourceId.1..N = every instance that
//     gets exactly that set). Since styx:instance differs per slot this is one CreateTags per
//     instance in practice; until it succeeds, the instance is still found by its shared
//     styx:request / styx:engine tags and its ClientToken.

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

/// CreateTags: applies `tags` to every id of `resource_ids` (at most ec2_max_ids).
std::string ec2_create_tags(const std::vector<std::string>& resource_ids, const tag_map& tags);

/// DescribeInstances by ids (at most ec2_max_ids; MaxResults is not allowed with ids) or, with
/// no ids, by filters with MaxResults (5..1000, 0: omitted) and NextToken pagination.
std::string ec2_describe_instances(const std::vector<std::string>& ids,
                                   const std::vector<ec2_filter>& filters = {},
                                   int max_results = 0, const std::string& next_token = {});

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
///   create    -> RunInstances (then ec2_assign_slots for batches > 1)
///   describe/stop/start/terminate -> one call per 1000 ids
///   list      -> DescribeInstances with tag:KEY filters and the live instance-state-names,
///                MaxResults 1000, paginated
///   catalog   -> DescribeAvailabilityZones, DescribeInstanceTypes (the price table's types,
///                paginated), DescribeSpotPriceHistory (paginated)
std::vector<ec2_request> ec2_requests_for(const api_call& call, unix_ms now);

/// The tags of one slot besides the batch's: styx:instance and, when set, Name.
tag_map ec2_slot_tags(const create_slot& slot);

/// After a RunInstances: pairs slots[i] with launched[i] (`launched` in amiLaunchIndex order,
/// as ec2_parse_run_instances returns it), adds each slot's tags to its cloud_instance, and
/// returns the CreateTags bodies still to send: one per distinct tag set, for the instances
/// that do not carry their tags yet (none after a single-slot launch). Extra instances on
/// either side are left unpaired.
std::vector<std::string> ec2_assign_slots(const std::vector<create_slot>& slots,
                                          std::vector<cloud_instance>& launched);

} // namespace styx
