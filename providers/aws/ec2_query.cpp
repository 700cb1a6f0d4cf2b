#include "providers/aws/ec2_query.hpp"

#include <algorithm>
#include <cstdio>
#include <map>

#include "providers/aws/ec2_prices.hpp"

namespace styx {

namespace {

// One call under construction: Action, Version, then the parameters in the order added.
class form {
public:
  explicit form(const char* action) {
    add("Action", action);
    add("Version", ec2_api_version);
  }
  void add(std::string key, std::string value) {
    params_.emplace_back(std::move(key), std::move(value));
  }
  void add(std::string key, size_t value) { add(std::move(key), std::to_string(value)); }
  void ids(const std::string& prefix, const std::vector<std::string>& ids) {
    for (size_t i = 0; i < ids.size(); ++i)
      add(prefix + "." + std::to_string(i + 1), ids[i]);
  }
  void tags(const std::string& prefix, const tag_map& tags) {
    size_t n = 0;
    for (auto& [key, value] : tags) {
      auto p = prefix + "Tag." + std::to_string(++n) + ".";
      add(p + "Key", key);
      add(p + "Value", value);
    }
  }
  void filters(const std::vector<ec2_filter>& filters) {
    for (size_t i = 0; i < filters.size(); ++i) {
      auto p = "Filter." + std::to_string(i + 1) + ".";
      add(p + "Name", filters[i].name);
      for (size_t j = 0; j < filters[i].values.size(); ++j)
        add(p + "Value." + std::to_string(j + 1), filters[i].values[j]);
    }
  }
  std::string str() const { return ec2_form_encode(params_); }

private:
  ec2_params params_;
};


std::string change_state(const char* action, const std::vector<std::string>& ids) {
  form f(action);
  f.ids("InstanceId", ids);
  return f.str();
}

// Splits `ids` into runs of at most `max`.
std::vector<std::vector<std::string>> chunks(const std::vector<std::string>& ids,
                                             size_t max = ec2_max_ids) {
  std::vector<std::vector<std::string>> result;
  for (size_t i = 0; i < ids.size(); i += max) {
    auto end = std::min(ids.size(), i + max);
    result.emplace_back(ids.begin() + i, ids.begin() + end);
  }
  return result;
}

// Days since 1970-01-01 to (y, m, d), proleptic Gregorian (H. Hinnant's algorithm).
void civil_from_days(int64_t z, int64_t& y, unsigned& m, unsigned& d) {
  z += 719468;
  int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  auto doe = static_cast<unsigned>(z - era * 146097);
  unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  y = static_cast<int64_t>(yoe) + era * 400;
  unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  unsigned mp = (5 * doy + 2) / 153;
  d = doy - (153 * mp + 2) / 5 + 1;
  m = mp < 10 ? mp + 3 : mp - 9;
  y += m <= 2;
}

} // namespace


std::string ec2_form_encode(const ec2_params& params) {
  std::string result;
  for (auto& [key, value] : params) {
    if (!result.empty())
      result += '&';
    result += aws_uri_encode(key);
    result += '=';
    result += aws_uri_encode(value);
  }
  return result;
}

ec2_params ec2_form_decode(std::string_view body) {
  ec2_params result;
  while (!body.empty()) {
    auto amp = body.find('&');
    auto pair = body.substr(0, amp);
    body = amp == std::string_view::npos ? std::string_view{} : body.substr(amp + 1);
    if (pair.empty())
      continue;
    auto eq = pair.find('=');
    if (eq == std::string_view::npos)
      result.emplace_back(aws_uri_decode(std::string{pair}, true), std::string{});
    else
      result.emplace_back(aws_uri_decode(std::string{pair.substr(0, eq)}, true),
                          aws_uri_decode(std::string{pair.substr(eq + 1)}, true));
  }
  return result;
}

std::string ec2_run_instances(const launch_spec& spec, size_t count,
                              const std::string& client_token, const tag_map& tags,
                              const std::string& subnet_id) {
  form f("RunInstances");
  f.add("ImageId", spec.image);
  f.add("InstanceType", spec.instance_type);
  f.add("MinCount", count);
  f.add("MaxCount", count);
  if (!client_token.empty())
    f.add("ClientToken", client_token);
  if (!spec.zone.empty())
    f.add("Placement.AvailabilityZone", spec.zone);
  if (!subnet_id.empty())
    f.add("SubnetId", subnet_id);
  if (spec.market == market_kind::spot) {
    f.add("InstanceMarketOptions.MarketType", "spot");
    if (spec.max_price > 0) {
      char price[32];
      std::snprintf(price, sizeof(price), "%.6g", spec.max_price);
      f.add("InstanceMarketOptions.SpotOptions.MaxPrice", price);
    }
    f.add("InstanceMarketOptions.SpotOptions.SpotInstanceType", "one-time");
  }
  if (!tags.empty()) {
    f.add("TagSpecification.1.ResourceType", "instance");
    f.tags("TagSpecification.1.", tags);
  }
  return f.str();
}

std::string ec2_describe_instances(const std::vector<std::string>& ids,
                                   const std::vector<ec2_filter>& filters, int max_results,
                                   const std::string& next_token) {
  form f("DescribeInstances");
  f.ids("InstanceId", ids);
  f.filters(filters);
  if (ids.empty() && max_results > 0)
    f.add("MaxResults", std::to_string(std::clamp(max_results, 5, 1000)));
  if (!next_token.empty())
    f.add("NextToken", next_token);
  return f.str();
}

std::string ec2_describe_instance_status(const std::vector<std::string>& ids) {
  form f("DescribeInstanceStatus");
  f.ids("InstanceId", ids);
  f.add("IncludeAllInstances", "true");
  return f.str();
}

std::string ec2_stop_instances(const std::vector<std::string>& ids) {
  return change_state("StopInstances", ids);
}

std::string ec2_start_instances(const std::vector<std::string>& ids) {
  return change_state("StartInstances", ids);
}

std::string ec2_terminate_instances(const std::vector<std::string>& ids) {
  return change_state("TerminateInstances", ids);
}

std::string ec2_describe_instance_types(const std::vector<std::string>& types,
                                        const std::vector<ec2_filter>& filters,
                                        const std::string& next_token) {
  form f("DescribeInstanceTypes");
  f.ids("InstanceType", types);
  f.filters(filters);
  if (!next_token.empty())
    f.add("NextToken", next_token);
  return f.str();
}

std::string ec2_describe_availability_zones() {
  return form("DescribeAvailabilityZones").str();
}

std::string ec2_describe_spot_price_history(const std::vector<std::string>& types,
                                            unix_ms start_time, const std::string& next_token) {
  form f("DescribeSpotPriceHistory");
  f.ids("InstanceType", types);
  f.add("ProductDescription.1", "Linux/UNIX");
  f.add("StartTime", ec2_iso8601(start_time));
  if (!next_token.empty())
    f.add("NextToken", next_token);
  return f.str();
}

std::string ec2_with_next_token(std::string_view body, const std::string& token) {
  auto params = ec2_form_decode(body);
  params.erase(std::remove_if(params.begin(), params.end(),
                              [](auto& p) { return p.first == "NextToken"; }),
               params.end());
  if (!token.empty())
    params.emplace_back("NextToken", token);
  return ec2_form_encode(params);
}

std::string ec2_iso8601(unix_ms t) {
  int64_t secs = t >= 0 ? t / 1000 : (t - 999) / 1000;
  int64_t days = secs >= 0 ? secs / 86400 : (secs - 86399) / 86400;
  int64_t rem = secs - days * 86400;
  int64_t y;
  unsigned m, d;
  civil_from_days(days, y, m, d);
  char buf[40];
  std::snprintf(buf, sizeof(buf), "%04lld-%02u-%02uT%02d:%02d:%02dZ", static_cast<long long>(y),
                m, d, static_cast<int>(rem / 3600), static_cast<int>(rem / 60 % 60),
                static_cast<int>(rem % 60));
  return buf;
}

tag_map ec2_slot_tags(const create_slot& slot) {
  tag_map result;
  if (!slot.id.empty())
    result[ownership_tag::instance] = slot.id.to_string();
  if (!slot.name.empty())
    result[ownership_tag::name] = slot.name;
  return result;
}

std::vector<ec2_request> ec2_requests_for(const api_call& call, unix_ms now) {
  std::vector<ec2_request> result;
  switch (call.op) {
    case api_op::create: {
      auto tags = call.spec.tags;
      if (call.slots.size() == 1)
        for (auto& [key, value] : ec2_slot_tags(call.slots.front()))
          tags[key] = value;
      result.push_back({"RunInstances",
                        ec2_run_instances(call.spec, call.slots.size(), call.client_token, tags),
                        false});
      break;
    }
    case api_op::describe:
      if (call.detail)
        for (auto& ids : chunks(call.cloud_ids))
          result.push_back({"DescribeInstances", ec2_describe_instances(ids), false});
      else
        for (auto& ids : chunks(call.cloud_ids, ec2_max_status_ids))
          result.push_back({"DescribeInstanceStatus", ec2_describe_instance_status(ids), false});
      break;
    case api_op::stop:
      for (auto& ids : chunks(call.cloud_ids))
        result.push_back({"StopInstances", ec2_stop_instances(ids), false});
      break;
    case api_op::start:
      for (auto& ids : chunks(call.cloud_ids))
        result.push_back({"StartInstances", ec2_start_instances(ids), false});
      break;
    case api_op::terminate:
      for (auto& ids : chunks(call.cloud_ids))
        result.push_back({"TerminateInstances", ec2_terminate_instances(ids), false});
      break;
    case api_op::list: {
      std::vector<ec2_filter> filters;
      for (auto& [key, value] : call.filter)
        filters.push_back({"tag:" + key, {value}});
      filters.push_back(
        {"instance-state-name", {"pending", "running", "stopping", "stopped", "shutting-down"}});
      result.push_back(
        {"DescribeInstances", ec2_describe_instances({}, filters, 1000), true});
      break;
    }
    case api_op::catalog: {
      std::vector<std::string> types;
      for (auto& entry : ec2_price_table())
        types.push_back(entry.instance_type);
      result.push_back({"DescribeAvailabilityZones", ec2_describe_availability_zones(), false});
      result.push_back(
        {"DescribeInstanceTypes", ec2_describe_instance_types({}, {{"instance-type", types}}),
         true});
      result.push_back(
        {"DescribeSpotPriceHistory", ec2_describe_spot_price_history(types, now), true});
      break;
    }
    case api_op::watch: // EC2 pushes nothing: no request (cloud_api::watch refuses it)
      break;
  }
  return result;
}

} // namespace styx
