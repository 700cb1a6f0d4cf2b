#pragma once
// Atoms of the actor protocols (CAF 0.17: at most 10 characters each).

#include <caf/atom.hpp>

namespace styx {

using place_atom = caf::atom_constant<caf::atom("place")>;
using give_up_atom = caf::atom_constant<caf::atom("give_up")>;
using end_atom = caf::atom_constant<caf::atom("end")>;
using watch_atom = caf::atom_constant<caf::atom("watch")>;
using catalog_atom = caf::atom_constant<caf::atom("catalog")>;
using stats_atom = caf::atom_constant<caf::atom("stats")>;
using timeout_atom = caf::atom_constant<caf::atom("timeout")>;
using list_atom = caf::atom_constant<caf::atom("list")>;
using adopt_atom = caf::atom_constant<caf::atom("adopt")>;
using subscribe_atom = caf::atom_constant<caf::atom("subscribe")>;
using provider_atom = caf::atom_constant<caf::atom("provider")>;
using providers_atom = caf::atom_constant<caf::atom("providers")>;
using tick_atom = caf::atom_constant<caf::atom("tick")>;
using record_atom = caf::atom_constant<caf::atom("record")>;
using failed_atom = caf::atom_constant<caf::atom("failed")>;
using count_atom = caf::atom_constant<caf::atom("count")>;
using flush_atom = caf::atom_constant<caf::atom("flush")>;
using admission_atom = caf::atom_constant<caf::atom("admission")>;
using quote_atom = caf::atom_constant<caf::atom("quote")>;
using batched_atom = caf::atom_constant<caf::atom("batched")>;
using pending_atom = caf::atom_constant<caf::atom("pending")>;

} // namespace styx
