#pragma once
// Whether a command that acts on this engine's instances (styx down, stop, start) must list the
// clouds by the ownership tag, or may start from the store alone.
//
// The store records every instance the engine created: each create call's intent before the
// call goes out, its outcome (the cloud ids it created) when answered, and every instance's
// record as its state moves. A listing can therefore find nothing the store lacks when every
// intent is answered with success and every cloud id an answer names has a record, or was
// closed by a reconcile (which listed the clouds and recorded what it found). Otherwise (an
// intent a crash left open, a create that failed and may have created instances anyway, a
// crash between an answer and its records) the listing is needed to find the instances the
// store lacks.
//
// Decided without I/O, from what the store returns.

#include <optional>
#include <string>
#include <vector>

#include "messages/instance_record.hpp"
#include "runtime/store.hpp"

namespace styx {

/// Why the clouds must be listed to find this engine's instances, or nullopt when `records`
/// account for every instance the creates in `intents` made (store::intents(),
/// store::instances()).
std::optional<std::string> why_list(const std::vector<stored_intent>& intents,
                                    const std::vector<instance_record>& records);

} // namespace styx
