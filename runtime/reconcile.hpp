#pragma once
// Crash-safe reconciliation: what the clouds hold (listed by the engine's ownership tag)
// against what the store remembers. plan_reconcile() decides, without I/O:
//
//   - a live cloud instance of a live request is adopted, up to the request's count;
//   - the surplus of a request (more live instances than its count, e.g. a create retried
//     after a timeout on a cloud that ignores client tokens) is terminated: instances the
//     store has no record of go first, then the most recently launched;
//   - a live instance of a cancelled or rolled-back request, or of a request the store does
//     not know, is an orphan and terminated;
//   - a store record of a live instance that no listing shows live has vanished (only
//     decided when every provider answered its listing).
//
// engine::reconcile() (engine.cpp) lists, plans, then adopts, terminates and records.

#include <string>
#include <vector>

#include "messages/instance_record.hpp"
#include "runtime/store.hpp"

namespace styx {

struct reconcile_plan {
  std::vector<cloud_instance> adopt;
  std::vector<cloud_instance> terminate_surplus;
  std::vector<cloud_instance> terminate_orphans;
  std::vector<instance_record> vanished;    // store records to mark terminated
  std::vector<request_id> unfinished;       // "submitted" requests the store never saw finish:
                                            // marked "interrupted" (styx up --resume ID)
};

struct reconcile_report {
  int listed = 0;
  int adopted = 0;
  int terminated_surplus = 0;
  int terminated_orphans = 0;
  int vanished = 0;
  int unfinished = 0;
  std::vector<std::string> errors; // providers whose listing failed

  /// {"listed":..,"adopted":..,...,"errors":[..]}
  std::string to_json() const;
};

/// `listing_complete`: every provider answered; without it nothing is marked vanished.
reconcile_plan plan_reconcile(const std::vector<stored_request>& requests,
                              const std::vector<instance_record>& records,
                              const std::vector<cloud_instance>& listed, bool listing_complete);

} // namespace styx
