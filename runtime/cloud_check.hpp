#pragma once
// `styx check` and the hints of an impossible placement, on the facade: which clouds have
// credentials (and from where), which answer an authenticated read, which are usable for
// `up`, and what exists when nothing fits a request.
//
// Every cloud call here is a catalog call its provider actor admits (the one-door rule):
// nothing here talks HTTP. Thread rules: call from a thread that is not an actor's (each
// function blocks on the engine); nothing is kept between calls.

#include <string>
#include <vector>

#include "common/time.hpp"
#include "messages/cloud_types.hpp"
#include "messages/provision_request.hpp"
#include "runtime/engine_config.hpp"

namespace styx {

class engine;

/// What `styx check` says of one cloud of an engine_config.
struct cloud_check {
  std::string cloud;                 // sim, aws, gcp, azure, kubernetes, local
  std::vector<std::string> regions;  // the regions checked
  bool credentials = false;          // found, or none needed
  std::string credentials_from;      // where from, no secret ("environment", a file, ...)
  bool answered = false;             // at least one region answered its catalog read
  size_t offerings = 0;              // what the regions that answered offer
  std::string reason;                // why it is not usable (one line), empty when usable

  bool usable() const { return credentials && answered && offerings > 0; }
  /// "aws: usable: credentials from environment; us-east-1 answered, 12 offerings" or
  /// "aws: not usable: <reason>".
  std::string to_line() const;
};

/// Where `cloud`'s credentials for `region` (empty: its default) come from, without a
/// secret, or why there are none (then `*ok` is false). Resolves settings only: no cloud call.
std::string cloud_credentials(const engine_config& cfg, const std::string& cloud,
                              const std::string& region, bool* ok);

/// One provider's catalog as its actor answered it, or why it could not.
struct provider_catalog {
  provider_id provider;
  catalog offerings;
  std::string error; // set: the catalog call failed (one line)
};

/// The catalogs of every provider `eng` has registered, each asked through its actor
/// (cached by the actor once fetched). An engine started with places_instances = false
/// answers an error for each.
std::vector<provider_catalog> engine_catalogs(engine& eng, duration timeout = seconds(60));

/// Checks each cloud of `cfg.providers`: resolves its settings (credentials and where they
/// come from), starts an engine of cfg (in memory: cfg.state_dir is cleared, unavailable
/// providers are left out, not thrown) and asks every provider's catalog through its actor.
/// One entry per cloud, in cfg's order. Never throws for a cloud that is not usable.
std::vector<cloud_check> check_clouds(engine_config cfg, duration timeout = seconds(60));

/// Why nothing fits `req`, from what exists: the regions the catalogs know, the offering
/// closest to the request, and the providers `eng` left out (engine::unavailable) with why.
/// One line: "known regions: a, b; closest offering: sim/us-east-1 m5.large in us-east-1a
/// (2 vCPU, 8 GiB, $0.096/h); left out: aws/us-east-1 (no credentials)".
std::string explain_no_fit(engine& eng, const provision_request& req);

/// True when `error` is the supervisor's "no provider has an offering that fits the request".
bool is_no_fit_error(const std::string& error);

} // namespace styx
