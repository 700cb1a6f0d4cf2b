#include "providers/aws/ec2_api.hpp"

#include <algorithm>
#include <cctype>
#include <utility>

#include "providers/aws/ec2_errors.hpp"
#include "providers/aws/ec2_parse.hpp"
#include "providers/aws/ec2_prices.hpp"
#include "providers/aws/ec2_query.hpp"
#include "providers/aws/sigv4.hpp"

namespace styx {

struct ec2_api::core {
  provider_id id;
  aws_credentials creds;
  std::string url;
  http_transport& transport;
  const clock& clk;
  ec2_options opts;
  std::atomic<uint64_t> requests{0};
  std::atomic<uint64_t> pages{0};

  core(provider_id i, aws_credentials c, std::string u, http_transport& t, const clock& k,
       ec2_options o)
    : id(std::move(i)), creds(std::move(c)), url(std::move(u)), transport(t), clk(k),
      opts(std::move(o)) {}

  /// Signs and sends one form body.
  void send(std::string body, http_handler done) {
    http_request req;
    req.method = "POST";
    req.url = url;
    req.headers.emplace_back("Content-Type", "application/x-www-form-urlencoded; charset=utf-8");
    req.body = std::move(body);
    req.timeout = opts.request_timeout;
    req.ca_file = opts.ca_bundle;
    sigv4_sign(req, creds, id.region, "ec2", clk.wall_ms());
    ++requests;
    transport.send(std::move(req), std::move(done));
  }
};

namespace {

/// `body` with `key` set to `value` (replaced in place, appended when absent).
std::string with_param(std::string_view body, const std::string& key, const std::string& value) {
  auto params = ec2_form_decode(body);
  auto i = std::find_if(params.begin(), params.end(), [&](auto& p) { return p.first == key; });
  if (i != params.end())
    i->second = value;
  else
    params.emplace_back(key, value);
  return ec2_form_encode(params);
}

/// The instance ids an InvalidInstanceID.NotFound message names ("The instance ID 'i-1' does
/// not exist", "The instance IDs 'i-1, i-2' do not exist") that are among `asked`.
std::vector<std::string> unknown_ids(const std::string& message,
                                     const std::vector<std::string>& asked) {
  std::vector<std::string> result;
  for (size_t pos = message.find("i-"); pos != std::string::npos;
       pos = message.find("i-", pos + 2)) {
    if (pos > 0 && (std::isalnum(static_cast<unsigned char>(message[pos - 1])) != 0))
      continue;
    auto end = pos + 2;
    while (end < message.size() && std::isalnum(static_cast<unsigned char>(message[end])) != 0)
      ++end;
    auto id = message.substr(pos, end - pos);
    if (std::find(asked.begin(), asked.end(), id) != asked.end()
        && std::find(result.begin(), result.end(), id) == result.end())
      result.push_back(id);
  }
  return result;
}

cloud_error invalid_response(const std::string& action) {
  return make_cloud_error(error_kind::transient, "InvalidResponse",
                          action + " answered a body that is not its response");
}

/// One api_call on its way: its EC2 requests in order.
class operation : public std::enable_shared_from_this<operation> {
public:
  operation(std::shared_ptr<ec2_api::core> c, api_call call, reply_handler done)
    : core_(std::move(c)), call_(std::move(call)), done_(std::move(done)) {
    reply_.requests = 0; // counted as they are sent
  }

  void run() {
    if (call_.op == api_op::create) {
      if (call_.spec.image.empty())
        call_.spec.image = core_->opts.default_image;
      if (call_.spec.image.empty()) {
        finish(make_cloud_error(error_kind::invalid_request, "MissingImage",
                                "no image: give the request one or set the default image"));
        return;
      }
      requests_.push_back({"RunInstances", run_instances_body(), false});
    } else {
      requests_ = ec2_requests_for(call_, core_->clk.wall_ms());
      if (call_.op == api_op::list)
        for (auto& r : requests_)
          r.body = with_param(r.body, "MaxResults",
                              std::to_string(std::clamp(core_->opts.list_page_size, 5, 1000)));
    }
    next_request();
  }

private:
  std::string run_instances_body() {
    auto& tags = launch_tags_;
    tags = call_.spec.tags;
    if (call_.slots.size() == 1)
      for (auto& [key, value] : ec2_slot_tags(call_.slots.front()))
        tags[key] = value;
    auto& opts = core_->opts;
    auto subnet = opts.subnet_id;
    if (auto i = opts.subnets.find(call_.spec.zone); i != opts.subnets.end())
      subnet = i->second;
    return ec2_run_instances(call_.spec, call_.slots.size(), call_.client_token, tags, subnet);
  }

  void next_request() {
    if (index_ == requests_.size()) {
      all_answered();
      return;
    }
    send(requests_[index_].body);
  }

  void send(std::string body) {
    auto self = shared_from_this();
    auto sent = body;
    ++reply_.requests;
    core_->send(std::move(body), [self, sent = std::move(sent)](http_response resp) {
      self->on_answer(sent, resp);
    });
  }

  void on_answer(const std::string& sent, const http_response& resp) {
    auto& req = requests_[index_];
    auto err = ec2_error_from(resp);
    if (err) {
      // One unknown id fails an EC2 call on ids as a whole: name them, so that the provider
      // answers them and sends the rest again (it never happens here).
      if (err.kind == error_kind::not_found && call_.op != api_op::list
          && call_.op != api_op::create && call_.op != api_op::catalog)
        unknown_ = unknown_ids(err.message, call_.cloud_ids);
      finish(std::move(err));
      return;
    }
    std::string next_token;
    if (!absorb(req.action, resp.body, next_token)) {
      finish(invalid_response(req.action));
      return;
    }
    if (req.paginated && !next_token.empty()) {
      ++core_->pages;
      send(ec2_with_next_token(sent, next_token));
      return;
    }
    ++index_;
    next_request();
  }

  /// Adds one answer to the reply; false when it does not parse.
  bool absorb(const std::string& action, const std::string& body, std::string& next_token) {
    if (action == "RunInstances") {
      auto launched = ec2_parse_run_instances(body);
      if (!launched)
        return false;
      // What RunInstances tagged is on EC2, whether or not its answer lists the tags.
      // Each is known by the call's client token and its launch index (slot_identity).
      for (auto& inst : *launched) {
        for (auto& [key, value] : launch_tags_)
          inst.tags.emplace(key, value);
        if (inst.client_token.empty())
          inst.client_token = call_.client_token;
      }
      reply_.instances = std::move(*launched);
    } else if (action == "DescribeInstances") {
      auto page = ec2_parse_describe_instances(body);
      if (!page)
        return false;
      std::move(page->instances.begin(), page->instances.end(),
                std::back_inserter(reply_.instances));
      next_token = page->next_token;
    } else if (action == "DescribeInstanceStatus") {
      auto page = ec2_parse_instance_status(body);
      if (!page)
        return false;
      std::move(page->instances.begin(), page->instances.end(),
                std::back_inserter(reply_.instances));
      next_token = page->next_token;
    } else if (action == "DescribeAvailabilityZones") {
      auto zones = ec2_parse_availability_zones(body);
      if (!zones)
        return false;
      for (auto& z : *zones)
        if (z.state == "available")
          zones_.push_back(z.name);
    } else if (action == "DescribeInstanceTypes") {
      auto page = ec2_parse_instance_types(body);
      if (!page)
        return false;
      types_.insert(types_.end(), page->types.begin(), page->types.end());
      next_token = page->next_token;
    } else if (action == "DescribeSpotPriceHistory") {
      auto page = ec2_parse_spot_price_history(body);
      if (!page)
        return false;
      spot_.merge(*page);
      next_token = page->next_token;
    } else { // Stop/Start/TerminateInstances
      auto changed = ec2_parse_state_changes(body);
      if (!changed)
        return false;
      std::move(changed->begin(), changed->end(), std::back_inserter(reply_.instances));
    }
    return true;
  }

  void all_answered() {
    if (call_.op == api_op::catalog) {
      reply_.offerings = types_.empty() ? ec2_catalog(core_->id, zones_, spot_.prices)
                                        : ec2_catalog(core_->id, zones_, spot_.prices, types_);
    }
    finish({});
  }

  void finish(cloud_error err) {
    if (err) {
      api_reply failed;
      failed.error = std::move(err);
      failed.unknown_ids = std::move(unknown_);
      failed.requests = reply_.requests;
      done_(std::move(failed));
    } else {
      done_(std::move(reply_));
    }
  }

  std::shared_ptr<ec2_api::core> core_;
  api_call call_;
  reply_handler done_;
  std::vector<ec2_request> requests_;
  tag_map launch_tags_; // the tags RunInstances set
  size_t index_ = 0;
  api_reply reply_;
  std::vector<std::string> zones_;
  std::vector<ec2_instance_type_info> types_;
  ec2_spot_price_page spot_;
  std::vector<std::string> unknown_;
};

} // namespace

ec2_api::ec2_api(provider_id id, aws_credentials creds, std::string endpoint,
                 http_transport& transport, const clock& clk, ec2_options opts) {
  while (!endpoint.empty() && endpoint.back() == '/')
    endpoint.pop_back();
  core_ = std::make_shared<core>(std::move(id), std::move(creds), endpoint + "/", transport, clk,
                                 std::move(opts));
}

ec2_api::~ec2_api() = default;

const provider_id& ec2_api::id() const {
  return core_->id;
}

void ec2_api::start(api_call call, reply_handler done) {
  std::make_shared<operation>(core_, std::move(call), std::move(done))->run();
}

ec2_api_counters ec2_api::counters() const {
  return {core_->requests.load(), core_->pages.load()};
}

} // namespace styx
