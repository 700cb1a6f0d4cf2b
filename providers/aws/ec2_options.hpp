#pragma once
// How Styx launches on EC2, besides credentials and endpoint: the image used when a request
// names none, the subnet, and the knobs of the calls the EC2 provider makes on its own
// (per-instance CreateTags, list pagination).
//
// The default image is moto's built-in Amazon Linux AMI (amzn-ami-hvm-2017.09.1, present in
// every region of moto_server). It does not exist on real AWS: there, set `default_image` (the
// CLI reads STYX_AWS_DEFAULT_IMAGE) or give every request an image (`styx up --image`).

#include <cstddef>
#include <map>
#include <string>

#include "common/time.hpp"

namespace styx {

struct ec2_options {
  std::string default_image = "ami-760aaa0f";
  std::string subnet_id;                        // every launch; empty: the default VPC's
  std::map<std::string, std::string> subnets;   // zone -> subnet id, before `subnet_id`
  duration request_timeout = seconds(60);       // one HTTP exchange (botocore's read_timeout)
  int list_page_size = 1000;                    // MaxResults of a list (5..1000)
  std::string ca_bundle;                        // PEM file trusted for the endpoint instead
                                                // of the system's CAs; empty: the system's
};

} // namespace styx
