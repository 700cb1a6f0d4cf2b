#include "providers/azure/azure_names.hpp"

#include <cctype>

namespace styx {

namespace {

constexpr std::string_view regular_prefix = "styx-";
constexpr std::string_view spot_prefix = "styx-spot-";

std::string folded(std::string_view s) {
  std::string out;
  for (char c : s)
    if (c != ' ')
      out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

} // namespace

std::string azure_vm_name(const instance_id& id, market_kind market) {
  return std::string{market == market_kind::spot ? spot_prefix : regular_prefix}
         + id.to_string();
}

instance_id azure_instance_of(std::string_view name) {
  instance_id id;
  auto rest = name.substr(0, spot_prefix.size()) == spot_prefix ? name.substr(spot_prefix.size())
              : name.substr(0, regular_prefix.size()) == regular_prefix
                ? name.substr(regular_prefix.size())
                : std::string_view{};
  if (auto parsed = uuid::parse(rest))
    static_cast<uuid&>(id) = *parsed;
  return id;
}

bool azure_spot_name(std::string_view name) {
  return name.substr(0, spot_prefix.size()) == spot_prefix && !azure_instance_of(name).empty();
}

std::string azure_tags_error(const tag_map& tags) {
  if (tags.size() > 50)
    return "Azure allows at most 50 tags on a VM (" + std::to_string(tags.size()) + " given)";
  for (auto& [k, v] : tags) {
    if (k.empty() || k.size() > 512)
      return "Azure tag names have 1 to 512 characters: '" + k + "'";
    if (k.find_first_of("<>%&\\?/") != std::string::npos)
      return "Azure tag names may not contain < > % & \\ ? or /: '" + k + "'";
    if (v.size() > 256)
      return "Azure tag values have at most 256 characters (tag '" + k + "')";
  }
  return {};
}

tag_map azure_tags_of(const tag_map& tags, std::string_view name) {
  tag_map out = tags;
  auto id = azure_instance_of(name);
  if (!id.empty() && out.count(ownership_tag::instance) == 0)
    out[ownership_tag::instance] = id.to_string();
  return out;
}

bool azure_same_location(std::string_view a, std::string_view b) {
  return folded(a) == folded(b);
}

bool azure_generic_code(std::string_view code) {
  for (auto g : {"Conflict", "BadRequest", "DeploymentFailed", "ResourceDeploymentFailure",
                 "InternalExecutionError", "OperationFailed"})
    if (code == g)
      return true;
  return false;
}

} // namespace styx
