#pragma once
// Text from outside (a YAML value, a parser's message quoting it) made safe to print as one
// line of an error: every control character becomes a space. Pure; header-only.

#include <string>
#include <string_view>

namespace styx {

inline std::string one_line(std::string_view text) {
  std::string out{text};
  for (auto& c : out)
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f)
      c = ' ';
  return out;
}

} // namespace styx
