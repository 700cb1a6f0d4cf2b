#include <catch2/catch.hpp>

#include <map>
#include <string>
#include <utility>

#include "common/ec2_rate_limits.hpp"

using namespace styx;

namespace {

using numbers = std::map<std::string, std::pair<double, double>>; // capacity, refill

numbers numbers_of(const ec2_rate_limits& l) {
  numbers result;
  l.for_each([&](const char* name, const bucket_config& b) {
    result[name] = {b.capacity, b.refill_per_sec};
  });
  return result;
}

} // namespace

TEST_CASE("ec2 rate limits default to EC2's published buckets") {
  const numbers expected{
    {"create", {5, 2}},           {"start", {5, 2}},
    {"mutate", {50, 5}},          {"describe", {100, 20}},
    {"terminate", {100, 5}},      {"create_instances", {1000, 2}},
    {"start_instances", {1000, 2}}, {"stop_instances", {1000, 20}},
    {"terminate_instances", {1000, 20}},
  };
  CHECK(numbers_of(ec2_rate_limits{}) == expected);
}

TEST_CASE("ec2 rate limits for_each visits every bucket once and may change it") {
  ec2_rate_limits l;
  int visits = 0;
  l.for_each([&](const char*, bucket_config& b) {
    ++visits;
    b.capacity = visits;
  });
  CHECK(visits == 9);
  CHECK(numbers_of(l).size() == 9); // nine distinct names
  CHECK(l.create.capacity == 1);
  CHECK(l.terminate_instances.capacity == 9);
}

TEST_CASE("ec2 rate limits scale_refill multiplies every refill and keeps capacities") {
  ec2_rate_limits l;
  l.scale_refill(10);
  auto before = numbers_of(ec2_rate_limits{});
  auto after = numbers_of(l);
  for (auto& [name, b] : before) {
    INFO(name);
    CHECK(after[name].first == b.first);
    CHECK(after[name].second == Approx(b.second * 10));
  }
}

TEST_CASE("ec2 rate limits unlimited has no limited bucket") {
  auto l = ec2_rate_limits::unlimited();
  l.for_each([](const char* name, const bucket_config& b) {
    INFO(name);
    CHECK(b.unlimited());
  });
  l.scale_refill(5); // stays unlimited
  l.for_each([](const char*, const bucket_config& b) { CHECK(b.unlimited()); });
}
