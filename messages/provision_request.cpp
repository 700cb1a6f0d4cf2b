#include "messages/provision_request.hpp"

#include <cmath>

namespace styx {

provision_request provision_request::make(std::string name, resources shape) {
  provision_request result;
  result.name_ = std::move(name);
  result.shape_ = std::move(shape);
  return result;
}

provision_request& provision_request::provider(std::string cloud) {
  where_.providers.push_back(std::move(cloud));
  return *this;
}

provision_request& provision_request::region(std::string r) {
  where_.regions.push_back(std::move(r));
  return *this;
}

provision_request& provision_request::zone(std::string z) {
  where_.zones.push_back(std::move(z));
  return *this;
}

provision_request& provision_request::instance_type(std::string t) {
  where_.instance_types.push_back(std::move(t));
  return *this;
}

provision_request& provision_request::tag(std::string key, std::string value) {
  tags_[std::move(key)] = std::move(value);
  return *this;
}

provision_request& provision_request::spot(bool on) {
  pay_.kind = on ? market_kind::spot : market_kind::on_demand;
  return *this;
}

provision_request& provision_request::max_price(double usd_per_hour) {
  pay_.max_price = usd_per_hour;
  return *this;
}

std::optional<std::string> provision_request::validate() const {
  if (name_.empty())
    return "name must not be empty";
  if (count_ <= 0)
    return "count must be positive, got " + std::to_string(count_);
  if (min_count_ < 0)
    return "min-count must not be negative, got " + std::to_string(min_count_);
  if (min_count_ > count_)
    return "min-count (" + std::to_string(min_count_) + ") exceeds count ("
           + std::to_string(count_) + ")";
  if (!(shape_.cpus() > 0) || !std::isfinite(shape_.cpus()))
    return "cpus must be positive";
  if (!(shape_.memory_gib() > 0) || !std::isfinite(shape_.memory_gib()))
    return "memory must be positive";
  if (shape_.gpus() < 0)
    return "gpus must not be negative";
  if (pay_.max_price < 0 || !std::isfinite(pay_.max_price))
    return "max price must not be negative";
  for (auto& [key, value] : tags_)
    if (key.empty() || key.rfind("styx:", 0) == 0)
      return "tag key '" + key + "' is empty or reserved (styx:*)";
  return std::nullopt;
}

} // namespace styx
