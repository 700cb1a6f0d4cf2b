#pragma once
// The "local" cloud's instance types: a ladder of sizes up to the machine's (cpus 0.125, 0.25,
// ... doubling, and the machine's own; memory likewise), named "local-<cpus>c-<memory>g", one
// zone per host (the region). Prices are nominal (a thousandth of a cent per vCPU-hour and
// half that per GiB-hour): the cheapest fitting type is the smallest one, and this machine
// comes before any cloud. There is no spot market. Pure functions, any thread.

#include <optional>
#include <string>

#include "messages/cloud_types.hpp"

namespace styx {

struct local_size {
  double cpus = 0;
  double memory_gib = 0;
};

/// "local-0.5c-2g".
std::string local_type_name(local_size s);

/// The size a type name stands for; nullopt for a name that is not one of ours.
std::optional<local_size> parse_local_type(const std::string& name);

/// The ladder of `id`'s region (its one zone is the region) up to `machine`.
catalog local_catalog(const provider_id& id, local_size machine);

} // namespace styx
