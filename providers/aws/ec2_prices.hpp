#pragma once
// What EC2 capacity costs, and the cheapest instance type that fits a request.
//
// The built-in price table holds us-east-1 on-demand list prices (Linux, USD per hour) with
// the shape of each type, for the common families: t3 (nano..2xlarge), m5 (large..16xlarge),
// c5 (large..18xlarge), r5 (large..16xlarge), p3 (2xlarge, 8xlarge, 16xlarge; V100) and g5
// (xlarge..48xlarge; A10G). Prices change: treat them as defaults. Spot prices are never
// built in: they come from DescribeSpotPriceHistory.

#include <string>
#include <string_view>
#include <vector>

#include "messages/cloud_types.hpp"
#include "messages/resources.hpp"
#include "providers/aws/ec2_parse.hpp"

namespace styx {

struct ec2_price_entry {
  const char* instance_type;
  double vcpus;
  double memory_gib;
  int gpus;
  const char* gpu_kind; // "" for none
  double on_demand;     // USD per hour
};

/// The built-in table, sorted by instance type.
const std::vector<ec2_price_entry>& ec2_price_table();

/// The table's entry for `instance_type`; nullptr if the table does not know it.
const ec2_price_entry* ec2_price_of(std::string_view instance_type);

/// One offering per (price-table type, zone), shapes and on-demand prices from the table,
/// spot prices from `spot` (0 where it has none: no spot market).
catalog ec2_catalog(const provider_id& provider, const std::vector<std::string>& zones,
                    const ec2_spot_prices& spot);

/// As above, restricted to the types EC2 described (DescribeInstanceTypes), with the shapes
/// EC2 reported; described types the price table does not know are skipped.
catalog ec2_catalog(const provider_id& provider, const std::vector<std::string>& zones,
                    const ec2_spot_prices& spot,
                    const std::vector<ec2_instance_type_info>& described);

/// The cheapest offering of `offerings` that fits `need` (offering::fits), is allowed by
/// `where` (providers by cloud name, regions, zones, instance types; empty lists allow all)
/// and has a price in `market` (spot needs a spot price; types without an on-demand price are
/// skipped). Ties go to fewer cpus, then less memory, then type and zone names. nullptr if none.
const offering* cheapest_fit(const catalog& offerings, const resources& need,
                             market_kind market, const placement& where);

} // namespace styx
