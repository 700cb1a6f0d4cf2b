#pragma once
// Which clouds and regions an engine has used, so that a later process (`styx status`,
// `styx down`) asks the same providers for its instances. Kept in <state_dir>/providers, one
// "cloud region" per line; lines starting with '#' and blank lines are ignored. The simulated
// cloud is never written: an engine always has it in all its regions.

#include <string>
#include <vector>

#include "messages/ids.hpp"

namespace styx {

/// The remembered providers, in file order, without duplicates; empty when there is no file.
/// Throws engine_error on a malformed line ("path:line: expected 'cloud region'").
std::vector<provider_id> load_provider_memory(const std::string& state_dir);

/// Adds `id` to the file unless it is there already (or is "sim"). Written through a
/// temporary file and a rename. Throws engine_error when the file cannot be written.
void remember_provider(const std::string& state_dir, const provider_id& id);

} // namespace styx
