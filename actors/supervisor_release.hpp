#pragma once
// Internal to the supervisor: what a rate-aware supervisor (fastest, cheapest-within) keeps to
// split requests over the providers' create buckets, and the instances it holds back until a
// provider can admit them. The steps are in actors/supervisor_release.cpp; they are declared
// in actors/supervisor_internal.hpp with the other steps. Not a public header.
//
// Thread rules: a part of the supervisor's state, touched only by its handlers. Lifetimes: as
// the supervisor's state; a provider's lane lives from its first admission answer until the
// supervisor ends (a provider that registers again under the same id starts its counts anew).

#include <cstdint>
#include <deque>
#include <map>
#include <utility>
#include <vector>

#include <caf/actor_addr.hpp>
#include <caf/typed_response_promise.hpp>

#include "actors/placement_quote.hpp"
#include "common/time.hpp"
#include "messages/admission.hpp"
#include "messages/provision_request.hpp"

namespace styx::supervisor_detail {

/// What the supervisor knows of one provider's create buckets.
struct lane_info {
  caf::actor_addr handle;     // the provider actor the counts below are of
  admission_state last;       // its latest answer
  bool answered = false;      // in the latest round
  uint64_t sent = 0;          // instances released to it, since it registered
  double health = 1;          // share of its buckets' rate it is planned with; halves per throttle
  time_point last_throttle{};
  time_point seen{};          // when `last` came
};

/// The instances of one request that are not sent yet, oldest first.
struct held_request {
  uint64_t seq = 0;           // arrival order among requests
  time_point started{};       // the start of the request, for cheapest_within's deadline
  std::deque<instance_id> ids;
};

struct release_state {
  std::map<provider_id, lane_info> lanes;
  std::map<request_id, held_request> held; // until the request is done
  std::map<uint64_t, request_id> order;    // requests with instances held, by arrival
  uint64_t next_seq = 0;
  uint64_t round = 0;                      // admission rounds asked
  size_t awaiting = 0;                     // answers the current round still lacks
  time_point round_started{};
  std::vector<std::pair<provision_request, caf::typed_response_promise<placement_quote>>> quotes;
};

} // namespace styx::supervisor_detail
