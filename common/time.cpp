#include "common/time.hpp"

namespace styx {

unix_ms system_clock::wall_ms() const {
  using namespace std::chrono;
  return duration_cast<milliseconds>(std::chrono::system_clock::now().time_since_epoch())
    .count();
}

unix_ms manual_clock::wall_ms() const {
  // A fixed wall epoch (2026-01-01) plus the manual monotonic time.
  using namespace std::chrono;
  return 1'767'225'600'000 + duration_cast<milliseconds>(now_.time_since_epoch()).count();
}

} // namespace styx
