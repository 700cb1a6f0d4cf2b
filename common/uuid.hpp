#pragma once
// 128-bit identifiers in RFC 4122 text form, and the injected generator that makes them.

#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <string_view>

namespace styx {

struct uuid {
  uint64_t hi = 0;
  uint64_t lo = 0;

  bool empty() const { return hi == 0 && lo == 0; }
  /// "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx", lower-case hex.
  std::string to_string() const;
  /// Accepts the form to_string() writes; nullopt for anything else.
  static std::optional<uuid> parse(std::string_view text);

  friend bool operator==(const uuid& a, const uuid& b) { return a.hi == b.hi && a.lo == b.lo; }
  friend bool operator!=(const uuid& a, const uuid& b) { return !(a == b); }
  friend bool operator<(const uuid& a, const uuid& b) {
    return a.hi != b.hi ? a.hi < b.hi : a.lo < b.lo;
  }
};

struct uuid_hash {
  size_t operator()(const uuid& x) const noexcept { return x.hi ^ (x.lo * 0x9E3779B97F4A7C15ull); }
};

/// Makes version-4 UUIDs from a seeded PRNG. Thread-safe. Seed 0 draws a seed from the OS.
class uuid_generator {
public:
  explicit uuid_generator(uint64_t seed = 0);
  uuid next();

private:
  std::mutex mtx_;
  std::mt19937_64 rng_;
};

} // namespace styx
