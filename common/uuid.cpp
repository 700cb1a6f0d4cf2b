#include "common/uuid.hpp"

namespace styx {

std::string uuid::to_string() const {
  // 8-4-4-4-12 hex digits, written from the words directly (snprintf was 1.5 % of a lifecycle).
  static constexpr char hex[] = "0123456789abcdef";
  std::string out(36, '-');
  size_t pos = 0;
  auto put = [&](uint64_t word, int nibbles) {
    for (int shift = (nibbles - 1) * 4; shift >= 0; shift -= 4) {
      if (pos == 8 || pos == 13 || pos == 18 || pos == 23)
        ++pos; // the dash already there
      out[pos++] = hex[(word >> shift) & 0xf];
    }
  };
  put(hi, 16);
  put(lo, 16);
  return out;
}

std::optional<uuid> uuid::parse(std::string_view text) {
  if (text.size() != 36)
    return std::nullopt;
  uuid result;
  int nibbles = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      if (c != '-')
        return std::nullopt;
      continue;
    }
    uint64_t v;
    if (c >= '0' && c <= '9')
      v = static_cast<uint64_t>(c - '0');
    else if (c >= 'a' && c <= 'f')
      v = static_cast<uint64_t>(c - 'a' + 10);
    else if (c >= 'A' && c <= 'F')
      v = static_cast<uint64_t>(c - 'A' + 10);
    else
      return std::nullopt;
    uint64_t& word = nibbles < 16 ? result.hi : result.lo;
    word = (word << 4) | v;
    ++nibbles;
  }
  return result;
}

namespace {

// Seed 0: 256 bits from the OS. A single random_device draw is only 32 bits, and two
// processes that drew the same one would make the very same ids.
std::mt19937_64 seeded(uint64_t seed) {
  if (seed != 0)
    return std::mt19937_64{seed};
  std::random_device os;
  std::seed_seq seq{os(), os(), os(), os(), os(), os(), os(), os()};
  return std::mt19937_64{seq};
}

} // namespace

uuid_generator::uuid_generator(uint64_t seed) : rng_(seeded(seed)) {
  // nop
}

uuid uuid_generator::next() {
  std::lock_guard<std::mutex> guard{mtx_};
  uuid x{rng_(), rng_()};
  x.hi = (x.hi & ~0xf000ull) | 0x4000ull;                        // version 4
  x.lo = (x.lo & ~(0xc000ull << 48)) | (0x8000ull << 48);       // RFC 4122 variant
  return x;
}

} // namespace styx
