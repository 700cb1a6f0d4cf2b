#pragma once
// JSON string literals for the hand-written JSON the CLI and the store emit.

#include <string>

namespace styx {

/// `s` as a quoted JSON string: quotes, backslashes and control characters escaped.
std::string json_quote(const std::string& s);

} // namespace styx
