// <state_dir>/providers: the clouds and regions an engine used, for later processes.

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

#include <unistd.h>

#include "runtime/engine.hpp"
#include "runtime/provider_memory.hpp"

using namespace styx;

TEST_CASE("provider memory: remembers each non-sim provider once, in order") {
  auto dir = (std::filesystem::temp_directory_path()
              / ("styx-provider-memory-" + std::to_string(::getpid())))
               .string();
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  CHECK(load_provider_memory(dir).empty()); // no file yet

  remember_provider(dir, provider_id{"aws", "us-east-1"});
  remember_provider(dir, provider_id{"sim", "us-east-1"}); // never written
  remember_provider(dir, provider_id{"aws", "eu-west-1"});
  remember_provider(dir, provider_id{"aws", "us-east-1"}); // known already
  auto known = load_provider_memory(dir);
  REQUIRE(known.size() == 2);
  CHECK(known[0] == (provider_id{"aws", "us-east-1"}));
  CHECK(known[1] == (provider_id{"aws", "eu-west-1"}));

  {
    std::ofstream out(dir + "/providers", std::ios::app);
    out << "\n# a comment\naws\n";
  }
  try {
    load_provider_memory(dir);
    FAIL("a line without a region must be refused");
  } catch (const engine_error& e) {
    CHECK(std::string{e.what()}.find("/providers:6: expected 'cloud region'")
          != std::string::npos);
  }
  std::filesystem::remove_all(dir);
}
