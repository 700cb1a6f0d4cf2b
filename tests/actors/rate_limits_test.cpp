#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "actors/provider_config.hpp"
#include "providers/sim/sim_config.hpp"

using namespace styx;

// The client paces itself with the limits the simulated cloud enforces: both come from
// common/ec2_rate_limits.hpp, so one number changes in one place.

namespace {

struct named_bucket {
  std::string name;
  double capacity;
  double refill_per_sec;
};

std::vector<named_bucket> list(const ec2_rate_limits& l) {
  std::vector<named_bucket> result;
  l.for_each([&](const char* name, const bucket_config& b) {
    result.push_back({name, b.capacity, b.refill_per_sec});
  });
  return result;
}

void check_equal(const ec2_rate_limits& client, const ec2_rate_limits& server) {
  auto c = list(client);
  auto s = list(server);
  REQUIRE(c.size() == s.size());
  for (size_t i = 0; i < c.size(); ++i) {
    INFO(c[i].name);
    CHECK(c[i].name == s[i].name);
    CHECK(c[i].capacity == s[i].capacity);
    CHECK(c[i].refill_per_sec == s[i].refill_per_sec);
  }
}

} // namespace

TEST_CASE("rate limits: the client's defaults equal the simulated cloud's field for field") {
  auto client = provider_config{}.limits;
  auto server = sim_config{}.buckets;
  check_equal(client, server);
  // Spelled out for the fields other code names.
  CHECK(client.create.capacity == server.create.capacity);
  CHECK(client.create.refill_per_sec == server.create.refill_per_sec);
  CHECK(client.create_instances.capacity == server.create_instances.capacity);
  CHECK(client.mutate.refill_per_sec == server.mutate.refill_per_sec);
  CHECK(client.describe.capacity == server.describe.capacity);
  CHECK(client.terminate_instances.refill_per_sec == server.terminate_instances.refill_per_sec);
}

TEST_CASE("rate limits: scale_refill applies alike to the client and the simulated cloud") {
  for (double k : {0.5, 3.0, 100.0}) {
    INFO("k " << k);
    auto client = provider_config{}.limits;
    auto server = sim_config{}.buckets;
    client.scale_refill(k);
    server.scale_refill(k);
    check_equal(client, server);
    auto scaled = list(client);
    auto base = list(rate_limits{});
    for (size_t i = 0; i < base.size(); ++i) {
      INFO(base[i].name);
      CHECK(scaled[i].capacity == base[i].capacity);
      CHECK(scaled[i].refill_per_sec == Approx(base[i].refill_per_sec * k));
    }
  }
}

TEST_CASE("rate limits: unlimited is unlimited on both sides") {
  check_equal(rate_limits::unlimited(), sim_buckets::unlimited());
  rate_limits::unlimited().for_each([](const char*, const bucket_config& b) {
    CHECK(b.unlimited());
  });
}
