#pragma once
// JSON string literals for the hand-written JSON the CLI and the store emit.

#include <string>

namespace styx {

/// `s` as a quoted JSON string: quotes, backslashes and control characters escaped, and with
/// `escape_high_bytes` every byte >= 0x80 too, as \u00XX (for text that is not valid UTF-8).
std::string json_quote(const std::string& s, bool escape_high_bytes = false);

} // namespace styx
