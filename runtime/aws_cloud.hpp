#pragma once
// The "aws" cloud as the engine and a node make it: settings resolved with
// resolve_aws_settings() (the AWS CLI's chain: credentials, region, endpoint, CA bundle) and
// an ec2_api for the region.
//
// Thread rules: called by the thread that starts the engine or node. Lifetimes: the transport
// and the clock must outlive the returned api.

#include <string>

#include "providers/aws/ec2_options.hpp"
#include "providers/http.hpp"
#include "runtime/made_cloud.hpp"

namespace styx {

class clock;

/// The ec2_api of `region` (`opts` with the resolved CA bundle), or why there is none.
made_cloud make_aws_cloud(const std::string& region, const ec2_options& opts,
                          http_transport& transport, const clock& clk);

} // namespace styx
