#include "runtime/listing_policy.hpp"

#include <string_view>
#include <unordered_set>

#include <simdjson.h>

namespace styx {

namespace {

/// What an intent's outcome says (store_sql.cpp's outcome_json, or close_intent's note).
struct outcome_view {
  bool resolved = false;            // {"resolved": note}: a reconcile accounted for it
  bool ok = false;                  // {"error": "", ...}: the create succeeded
  std::vector<std::string> created; // its cloud ids
};

std::optional<outcome_view> parse_outcome(const std::string& json) {
  simdjson::dom::parser parser;
  simdjson::dom::object obj;
  if (parser.parse(json).get(obj))
    return std::nullopt;
  outcome_view out;
  if (obj["resolved"].error() == simdjson::SUCCESS) {
    out.resolved = true;
    return out;
  }
  std::string_view error;
  if (obj["error"].get_string().get(error))
    return std::nullopt;
  out.ok = error.empty();
  simdjson::dom::array created;
  if (obj["created"].get_array().get(created))
    return std::nullopt;
  for (auto id : created) {
    std::string_view s;
    if (id.get_string().get(s))
      return std::nullopt;
    out.created.emplace_back(s);
  }
  return out;
}

} // namespace

std::optional<std::string> why_list(const std::vector<stored_intent>& intents,
                                    const std::vector<instance_record>& records) {
  std::unordered_set<std::string_view> recorded;
  recorded.reserve(records.size());
  for (auto& r : records) {
    if (!r.cloud_id.empty())
      recorded.insert(r.cloud_id);
    // An end the engine only inferred (its provider was lost mid-create, or answered "not
    // found"): the cloud may hold it still, and a remote node journals its own creates.
    if (is_final(r.state) && is_inferred(r.reason))
      return "instance " + r.name + " ended as " + to_string(r.reason)
             + " without the cloud saying so";
  }
  for (auto& intent : intents) {
    auto& token = intent.client_token;
    if (intent.outcome.empty())
      return "create " + token + " was never answered";
    auto outcome = parse_outcome(intent.outcome);
    if (!outcome)
      return "create " + token + " has an outcome that does not parse";
    if (outcome->resolved)
      continue;
    if (!outcome->ok)
      return "create " + token + " failed and may have created instances";
    for (auto& id : outcome->created)
      if (recorded.count(id) == 0)
        return "create " + token + " made " + id + ", which has no record";
  }
  return std::nullopt;
}

} // namespace styx
