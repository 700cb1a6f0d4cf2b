#pragma once
// A reconciler carries out one crash-safe reconciliation of an engine (runtime/reconcile.hpp
// decides what to do, without I/O; this does it):
//
//   1. lists every provider actor by the engine's ownership tag (styx:engine), each listing
//      kept with the provider that answered it (a cloud id means something only there);
//   2. identifies live instances that carry no styx:instance tag (an EC2 batch's: by the
//      store's record of their cloud id or by their create call's client token and launch
//      index), in memory: nothing is written to a cloud;
//   3. plans against the store, hands every live tagged instance to the supervisor (adopt),
//      terminates surplus and orphans and waits until they are terminated;
//   4. writes the outcome to the store: adopted and vanished records, interrupted requests,
//      slots that never reached the cloud, resolved intents; then flushes.
//
//   reconciler r{eng, *db, providers, fresh_id, wall};   // providers: the registered ones
//   reconcile_report report = r.run();
//
// Thread rules: run() blocks the calling thread on actor replies and on the terminations it
// asked for, so it must not run on an actor or engine callback thread. A reconciler is not
// thread-safe: one run() at a time (engine::reconcile() makes a fresh one per call).
//
// Lifetimes: the reconciler refers to the engine, the store and the wall clock it was given
// and owns none of them; it must not outlive them (engine::reconcile() keeps it
// on its stack). Provider handles are copied.

#include <functional>
#include <memory>
#include <vector>

#include "actors/protocol.hpp"
#include "common/time.hpp"
#include "runtime/reconcile.hpp"

namespace styx {

class engine;
class store;

class reconciler {
public:
  /// `providers`: every provider registered with the supervisor, local or on a node.
  /// `fresh_id` makes an unused instance id; `wall` stamps the records it writes.
  reconciler(engine& eng, store& db, std::vector<provider_ref> providers,
             std::function<instance_id()> fresh_id, const clock& wall);

  reconciler(const reconciler&) = delete;
  reconciler& operator=(const reconciler&) = delete;

  /// Lists, assigns owners, adopts, terminates and records, as described above.
  reconcile_report run();

private:
  /// Every provider's listing; a provider that could not list adds a line to report.errors.
  void list_providers(reconcile_report& report);
  /// Terminates the tagged instances of `xs` and waits until they are; returns how many.
  int end_all(const std::vector<listed_instance>& xs, state_reason why,
              const std::string& detail);
  /// The plan's store writes, counted in `report`.
  void record_outcome(const reconcile_plan& plan, reconcile_report& report);

  engine& eng_;
  store& db_;
  std::vector<provider_ref> providers_;
  std::function<instance_id()> fresh_id_;
  const clock& wall_;

  std::vector<provider_listing> listings_; // one per provider that answered
};

} // namespace styx
