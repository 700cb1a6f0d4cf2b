#include "runtime/provider_memory.hpp"

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <sstream>

#include "runtime/engine.hpp"

namespace styx {

namespace {

std::string memory_path(const std::string& state_dir) {
  return state_dir + "/providers";
}

} // namespace

std::vector<provider_id> load_provider_memory(const std::string& state_dir) {
  std::vector<provider_id> result;
  auto path = memory_path(state_dir);
  std::ifstream in{path};
  std::string line;
  for (int n = 1; std::getline(in, line); ++n) {
    std::istringstream words{line};
    provider_id id;
    std::string extra;
    if (!(words >> id.cloud) || id.cloud[0] == '#')
      continue;
    if (!(words >> id.region) || (words >> extra))
      throw engine_error(path + ":" + std::to_string(n) + ": expected 'cloud region', got '"
                         + line + "'");
    if (std::find(result.begin(), result.end(), id) == result.end())
      result.push_back(std::move(id));
  }
  return result;
}

void remember_provider(const std::string& state_dir, const provider_id& id) {
  if (id.cloud == "sim")
    return;
  auto known = load_provider_memory(state_dir);
  if (std::find(known.begin(), known.end(), id) != known.end())
    return;
  known.push_back(id);
  auto path = memory_path(state_dir);
  auto tmp = path + ".tmp";
  {
    std::ofstream out{tmp, std::ios::trunc};
    out << "# clouds and regions styx has used: cloud region\n";
    for (auto& p : known)
      out << p.cloud << ' ' << p.region << '\n';
    if (!out)
      throw engine_error("cannot write " + tmp);
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0)
    throw engine_error("cannot rename " + tmp + " to " + path);
}

} // namespace styx
