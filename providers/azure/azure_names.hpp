#pragma once
// How the engine's words become Resource Manager's and back: VM names, cloud ids, tags and
// locations. Pure functions; nothing here does I/O.
//
//   name      a VM is named after its engine id: "styx-" + the id, "styx-spot-" + the id for a
//             Spot VM (46 characters at most; a Linux VM name may have 64). The name is the
//             VM's identity within its resource group (slot_identity::name): a create is a PUT
//             of that name, idempotent by construction, and the name is its cloud id.
//             The priority in the name lets a describe tell that a VM it no longer finds was
//             a Spot VM (an eviction with evictionPolicy Delete leaves nothing else behind).
//   tags      every tag goes as it is, the ownership tags included (styx:engine,
//             styx:request, styx:instance): Azure tag names may hold ':' but not < > % & \ ?
//             or /, at most 512 characters (values 256), at most 50 tags. Styx refuses a tag
//             Azure would refuse rather than rewrite it.
//   location  compared as Azure does: case and spaces aside ("East US" is eastus).

#include <string>
#include <string_view>

#include "messages/cloud_types.hpp"

namespace styx {

/// "styx-" + id, or "styx-spot-" + id for a Spot VM.
std::string azure_vm_name(const instance_id& id, market_kind market);

/// The engine id of a name azure_vm_name made; empty for any other name.
instance_id azure_instance_of(std::string_view name);

/// True for a name azure_vm_name made for a Spot VM.
bool azure_spot_name(std::string_view name);

/// Empty when Azure accepts `tags` on a VM; else why not (one line).
std::string azure_tags_error(const tag_map& tags);

/// The engine's tags of a VM named `name` that carries `tags`: those, plus styx:instance from
/// the name when the tags lack it.
tag_map azure_tags_of(const tag_map& tags, std::string_view name);

bool azure_same_location(std::string_view a, std::string_view b);

/// An error code that only says something went wrong (Conflict, BadRequest, DeploymentFailed,
/// ...): its details say what.
bool azure_generic_code(std::string_view code);

} // namespace styx
