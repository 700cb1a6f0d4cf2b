// Full lifecycles (provision -> running -> terminated) through the whole engine on a
// zero-latency, unlimited simulated cloud: what the engine itself costs.
//
//   styx_lifecycle_bench [count=100000] [threads=0] [policy=sharing] [requests=1]
//
// Prints wall time, lifecycles per second, CPU time per instance and peak RSS.

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "runtime/bench.hpp"
#include "runtime/engine.hpp"

using namespace styx;


int main(int argc, char** argv) {
  int count = argc > 1 ? std::atoi(argv[1]) : 100'000;
  size_t threads = argc > 2 ? static_cast<size_t>(std::atoi(argv[2])) : 0;
  std::string policy = argc > 3 ? argv[3] : "sharing";
  int requests = argc > 4 ? std::atoi(argv[4]) : 1;
  bench_options o; // styx bench's `unlimited` profile: no buckets, no latency, 1 ms windows
  o.profile = "unlimited";
  o.providers = 1;
  o.threads = threads;
  o.seed = 1;
  auto cfg = bench_config(o);
  cfg.scheduler = policy;
  auto eng = engine::start(cfg);
  auto t0 = std::chrono::steady_clock::now();
  auto c0 = process_cpu_seconds();
  std::vector<request_handle> handles;
  for (int i = 0; i < requests; ++i)
    handles.push_back(eng->submit(
      provision_request::make("bench", resources{}.cpus(1).memory_gib(1)).count(count / requests)));
  int running = 0;
  for (auto& h : handles)
    running += h.wait().running;
  auto t1 = std::chrono::steady_clock::now();
  double rss_up = process_peak_rss_mib();
  eng->terminate(selector::everything());
  eng->wait_for_state(selector::everything(), instance_state::terminated, std::chrono::minutes(10));
  auto t2 = std::chrono::steady_clock::now();
  auto cpu = process_cpu_seconds() - c0;
  auto secs = std::chrono::duration<double>(t2 - t0).count();
  std::printf("lifecycles=%d running=%d threads=%zu policy=%s requests=%d\n", count, running,
              threads, policy.c_str(), requests);
  std::printf("up: %.3f s  down: %.3f s  total: %.3f s  => %.0f lifecycles/s\n",
              std::chrono::duration<double>(t1 - t0).count(),
              std::chrono::duration<double>(t2 - t1).count(), secs, count / secs);
  std::printf("cpu: %.3f s (%.2f us/instance)  peak rss: %.1f MiB (%.0f B/instance at peak)\n",
              cpu, cpu * 1e6 / count, rss_up, rss_up * 1024.0 * 1024.0 / count);
  return running == count ? 0 : 1;
}
