#include "providers/aws/credentials.hpp"

#include <cctype>
#include <sstream>

namespace styx {

namespace {

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v';
}

std::string trim(const std::string& s) {
  size_t b = 0, e = s.size();
  while (b < e && is_space(s[b]))
    ++b;
  while (e > b && is_space(s[e - 1]))
    --e;
  return s.substr(b, e - b);
}

std::string lower(std::string s) {
  for (auto& c : s)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// Removes " # comment" / " ; comment": a comment marker counts only after whitespace, so
// values containing '#' or ';' (URLs, some secrets) survive.
std::string strip_inline_comment(const std::string& s) {
  for (size_t i = 1; i < s.size(); ++i)
    if ((s[i] == '#' || s[i] == ';') && is_space(s[i - 1]))
      return s.substr(0, i);
  return s;
}

std::string error_at(const std::string& path, int line, const std::string& what) {
  return path + ":" + std::to_string(line) + ": " + what;
}

// "profile work" -> "work"; "profile \"my name\"" -> "my name"; anything else -> nullopt.
std::optional<std::string> config_profile_name(const std::string& section) {
  if (section == "default")
    return section;
  const std::string prefix = "profile";
  if (section.compare(0, prefix.size(), prefix) != 0 || section.size() <= prefix.size()
      || !is_space(section[prefix.size()]))
    return std::nullopt;
  auto name = trim(section.substr(prefix.size()));
  if (name.size() >= 2 && (name.front() == '"' || name.front() == '\'')
      && name.back() == name.front())
    name = name.substr(1, name.size() - 2);
  if (name.empty())
    return std::nullopt;
  return name;
}

} // namespace

std::string aws_credentials::redacted() const {
  std::string out = "access key ";
  if (access_key_id.empty())
    out += "(none)";
  else if (access_key_id.size() <= 4)
    out += "****";
  else
    out += "****" + access_key_id.substr(access_key_id.size() - 4);
  out += session_token.empty() ? "" : " (with session token)";
  return out;
}

std::variant<aws_ini_file, std::string> parse_aws_ini(const std::string& text,
                                                      const std::string& path,
                                                      aws_file_kind kind) {
  aws_ini_file file;
  file.path = path;
  file.kind = kind;
  std::istringstream in(text);
  std::string raw;
  int line_no = 0;
  std::string* last_value = nullptr;  // for continuation lines
  while (std::getline(in, raw)) {
    ++line_no;
    if (!raw.empty() && raw.back() == '\r')
      raw.pop_back();
    auto line = trim(raw);
    if (line.empty() || line[0] == '#' || line[0] == ';')
      continue;
    if (is_space(raw[0]) && line[0] != '[') {
      // Indented: continues the previous value (nested settings).
      if (!last_value)
        return error_at(path, line_no, "indented line does not continue any setting");
      *last_value += "\n" + trim(strip_inline_comment(line));
      continue;
    }
    last_value = nullptr;
    if (line[0] == '[') {
      auto close = line.find(']');
      if (close == std::string::npos)
        return error_at(path, line_no, "section header is missing its closing ']'");
      auto rest = trim(strip_inline_comment(" " + line.substr(close + 1)));
      if (!rest.empty())
        return error_at(path, line_no, "unexpected text after the section header");
      auto name = trim(line.substr(1, close - 1));
      if (name.empty())
        return error_at(path, line_no, "empty section name '[]'");
      for (auto& s : file.sections)
        if (s.name == name)
          return error_at(path, line_no, "duplicate section [" + name + "] (first at line "
                                             + std::to_string(s.line) + ")");
      file.sections.push_back(aws_ini_section{name, line_no, {}});
      continue;
    }
    auto sep = line.find_first_of("=:");
    if (sep == std::string::npos)
      return error_at(path, line_no, "expected 'key = value' or '[section]'");
    auto key = lower(trim(line.substr(0, sep)));
    if (key.empty())
      return error_at(path, line_no, "missing key before '" + std::string(1, line[sep]) + "'");
    if (file.sections.empty())
      return error_at(path, line_no, "setting '" + key + "' before any [section]");
    auto& section = file.sections.back();
    if (section.values.count(key))
      return error_at(path, line_no,
                      "duplicate key '" + key + "' in section [" + section.name + "]");
    auto value = trim(strip_inline_comment(line.substr(sep + 1)));
    last_value = &(section.values[key] = value);
  }
  return file;
}

std::optional<aws_profile> find_aws_profile(const aws_ini_file& file, const std::string& name) {
  const aws_ini_section* found = nullptr;
  for (auto& s : file.sections) {
    bool match = file.kind == aws_file_kind::credentials ? s.name == name
                                                        : config_profile_name(s.name) == name;
    // In a config file [profile default] wins over [default].
    if (match && (!found || s.name != "default"))
      found = &s;
  }
  if (!found)
    return std::nullopt;
  aws_profile p;
  p.name = name;
  p.where = file.path + " [" + found->name + "]";
  auto get = [&](const char* key) {
    auto it = found->values.find(key);
    return it == found->values.end() ? std::string() : it->second;
  };
  p.access_key_id = get("aws_access_key_id");
  p.secret_access_key = get("aws_secret_access_key");
  p.session_token = get("aws_session_token");
  p.region = get("region");
  p.ca_bundle = get("ca_bundle");
  return p;
}

} // namespace styx
