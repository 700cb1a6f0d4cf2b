#pragma once
// How Styx launches on Compute Engine, besides credentials, project and endpoint: the image
// of a request that names none, the network, the calls' sizes, and the project's API quotas.

#include <cstddef>
#include <string>

#include "common/ec2_rate_limits.hpp"
#include "common/time.hpp"

namespace styx {

/// Compute Engine's API rate quotas, per project and minute (cloud-limits.md: mutation
/// "queries" 1,500/min, read requests 1,500/min). Over them Compute answers 403
/// rateLimitExceeded. <= 0: no quota.
struct gcp_quotas {
  double mutations_per_minute = 1500;
  double reads_per_minute = 1500;
};

struct gcp_options {
  std::string project;                     // empty: resolved as gcloud does (gcp_settings.hpp)
  std::string default_image = "projects/debian-cloud/global/images/family/debian-12";
  std::string network = "global/networks/default";
  std::string subnetwork;                  // empty: the network's own
  duration request_timeout = seconds(60);  // one HTTP exchange (google-api-python-client's)
  int list_page_size = 500;                // maxResults (1..500)
  size_t max_change_batch = 100;           // instances per stop/start/delete call: each is an
                                           // HTTP request of its own
  gcp_quotas quotas;
  std::string ca_bundle;                   // PEM file trusted for Compute instead of the
                                           // system's CAs (gcp_settings: gcloud's
                                           // custom_ca_certs_file); empty: the system's
};

/// The provider buckets of `regions` provider actors sharing one project's quotas: each gets
/// its share, as a bucket the size of a minute's share refilled at its average rate. Every
/// mutation (bulkInsert counts once, a stop or delete once per instance) draws from the
/// mutation bucket (create, with provider_config::one_mutation_bucket), every read (list,
/// describe, an operation's state, the catalog) from the describe bucket. No resource
/// buckets: Compute limits requests, not instances.
ec2_rate_limits gcp_rate_limits(const gcp_quotas& quotas, size_t regions = 1);

} // namespace styx
