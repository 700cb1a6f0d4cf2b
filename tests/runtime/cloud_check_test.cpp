// runtime/cloud_check.hpp on the facade: check_clouds() on the simulated and local clouds,
// engine_catalogs() through the provider actors, and explain_no_fit() naming what exists.

#include <catch2/catch.hpp>

#include "runtime/cloud_check.hpp"
#include "runtime/engine.hpp"

using namespace styx;

TEST_CASE("check_clouds: sim and local need no credentials - answer and are usable") {
  engine_config cfg;
  cfg.providers = {provider_spec{"sim", {}, {}}, provider_spec{"local", {}, {}},
                   provider_spec{"nimbus", {"r1"}, {}}};
  auto checks = check_clouds(cfg);
  REQUIRE(checks.size() == 3);
  CHECK(checks[0].cloud == "sim");
  CHECK(checks[0].usable());
  CHECK(checks[0].regions == std::vector<std::string>{"us-east-1", "us-west-2", "eu-west-1"});
  CHECK(checks[0].offerings > 0);
  CHECK(checks[1].cloud == "local");
  CHECK(checks[1].usable());
  CHECK(checks[1].regions == std::vector<std::string>{"localhost"});
  CHECK_FALSE(checks[2].usable());
  CHECK(checks[2].reason == "no credentials: unknown provider 'nimbus' (known: "
                            + std::string(known_clouds()) + ")");
}

TEST_CASE("engine_catalogs asks each provider actor and explain_no_fit names regions and the closest") {
  engine_config cfg;
  cfg.sim.regions = {"us-east-1", "eu-west-1"};
  auto eng = engine::start(cfg);
  auto catalogs = engine_catalogs(*eng);
  REQUIRE(catalogs.size() == 2);
  for (auto& c : catalogs) {
    CHECK(c.error.empty());
    CHECK_FALSE(c.offerings.empty());
  }
  auto req = provision_request::make("x", resources{}.cpus(4).memory_gib(16)).region("mars-1");
  auto why = explain_no_fit(*eng, req);
  INFO(why);
  CHECK(why.rfind("known regions: sim/eu-west-1, sim/us-east-1; closest offering: sim/", 0) == 0);
  CHECK(why.find("(4 vCPU, 16 GiB") != std::string::npos); // the exact size, elsewhere
  CHECK(why.find("not usable") == std::string::npos);
  auto done = eng->submit(req).wait();
  CHECK(is_no_fit_error(done.error));
}
