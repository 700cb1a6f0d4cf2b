#pragma once
// JSON text through nlohmann-json: what the CLI, the bench report, the state files, the store
// and the clouds' request bodies write. Escaping and number formatting are the library's;
// simdjson stays the reader (providers/json_read.hpp, the decoders of each format).
//
// Thread rules: free functions over values; json objects are plain values (one thread each).

#include <map>
#include <string>

#include <nlohmann/json.hpp>

namespace styx {

/// A JSON value whose objects keep their keys in insertion order, so that every format keeps
/// the field order it had when it was written by hand.
using json = nlohmann::ordered_json;

/// `j` as compact text (no spaces). A string that is not valid UTF-8 has each bad byte
/// replaced by U+FFFD instead of throwing (nlohmann's error_handler_t::replace): JSON text is
/// UTF-8, and a tag or a command line of stray bytes must not stop a state file being saved.
std::string json_text(const json& j);

/// A string map (tags, labels) as a JSON object, in the map's order; empty: {}.
json json_object(const std::map<std::string, std::string>& m);

/// `s` as a quoted JSON string (json_text of one string), for the writers that place a few
/// strings inside text they lay out themselves.
std::string json_quote(const std::string& s);

} // namespace styx
