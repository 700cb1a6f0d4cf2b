// `styx stop|start|down`: changes the selected instances the store knows at once, then lists
// the clouds for what the store lacks and changes that too. What is on a provider this
// process does not reach (a node that is down, aws without credentials) is left as it is,
// said in one line per node or provider, and the exit code is 1.

#include <algorithm>
#include <iostream>

#include <spdlog/spdlog.h>

#include "cli/commands.hpp"
#include "cli/config.hpp"
#include "cli/output.hpp"
#include "runtime/engine.hpp"
#include "runtime/listing_policy.hpp"
#include "runtime/store.hpp"

namespace styx::cli {

namespace {

/// `want` names `r`: its id (or a prefix of 8 or more), name or cloud id.
bool names(const instance_record& r, const std::string& want) {
  return r.id.to_string() == want || r.name == want || r.cloud_id == want
         || (want.size() >= 8 && r.id.to_string().rfind(want, 0) == 0);
}

} // namespace

int run_change(const common_options& common, const change_options& opts) {
  selector sel;
  sel.all = opts.all;
  for (auto& t : opts.tags) {
    auto [k, v] = parse_tag(t);
    sel.tags[k] = v;
  }
  for (auto& r : opts.requests)
    sel.requests.push_back(parse_request_id(r, "--request"));
  if (sel.empty() && opts.instances.empty())
    throw usage_error("nothing selected: give instance ids, --tag k=v, --request ID or --all");
  auto cfg = config_for(common, {});
  cfg.places_instances = false; // no catalog: nothing is placed
  auto eng = engine::start(std::move(cfg));
  // The store's records first: no cloud call, so the changes start at once. When the store
  // may lack instances (runtime/listing_policy.hpp: a crash's surplus, an unanswered create),
  // the listing by the ownership tag finds them, and they are changed too, while the first
  // changes are already under way. `listed`: nothing is left for a listing to find.
  bool listed = false;
  std::vector<instance_record> stored;
  if (auto db = eng->durable_store()) {
    stored = db->instances();
    auto why = why_list(db->intents(), stored);
    eng->adopt(stored);
    listed = !why;
    if (why)
      spdlog::info("listing the clouds after the store's instances: {}", *why);
  } else {
    eng->adopt();
    listed = true;
  }
  // down --request cancels: stored before anything ends, so that neither `up --resume` nor a
  // reconcile after a crash of this command brings the request back.
  if (opts.op == change_op::terminate)
    for (auto& rid : sel.requests)
      eng->cancel(rid);
  // The stored records selected: those on a provider not reached are reported below.
  std::vector<instance_record> selected;
  for (auto& r : stored)
    if (opts.instances.empty() ? sel.matches(r)
                               : std::any_of(opts.instances.begin(), opts.instances.end(),
                                             [&](auto& want) { return names(r, want); }))
      selected.push_back(r);
  auto resolve = [&](bool final) {
    auto known = eng->list();
    sel.ids.clear();
    for (auto& want : opts.instances) {
      auto match = std::find_if(known.begin(), known.end(),
                                [&](const instance_record& r) { return names(r, want); });
      if (match != known.end()) {
        sel.ids.push_back(match->id);
        continue;
      }
      if (!final)
        return false;
      // Known to the store but on a provider not reached: reported, not an error.
      if (std::none_of(selected.begin(), selected.end(), [&](auto& r) { return names(r, want); }))
        throw usage_error("no instance '" + want + "' (see styx status)");
    }
    return true;
  };
  if (!opts.instances.empty() && !resolve(listed)) {
    eng->adopt();
    listed = true;
    resolve(true);
  }
  // Named instances none of which is reached: nothing to change (not "all that match --tag").
  bool nothing = !opts.instances.empty() && sel.ids.empty();
  auto change = [&] {
    if (nothing)
      return 0;
    return opts.op == change_op::stop    ? eng->stop(sel)
           : opts.op == change_op::start ? eng->start_instances(sel)
                                          : eng->terminate(sel);
  };
  auto asked = change();
  if (!listed) {
    eng->adopt();
    asked = std::max(asked, change()); // those already changing ignore the second ask
  }
  auto target = opts.op == change_op::stop    ? instance_state::stopped
                : opts.op == change_op::start ? instance_state::running
                                              : instance_state::terminated;
  // A change the cloud refused (pods cannot be stopped) leaves the instance as it was, with
  // "<op> failed: ..." as its last error: nothing more will happen, so the wait ends there
  // (when it holds twice in a row, a second apart, so that an older refusal is not taken for
  // this one's).
  const std::string refusal = std::string{to_string(opts.op)} + " failed:";
  auto refused_count = [&] {
    int n = 0;
    for (auto& r : eng->list(sel)) {
      if (r.state == target || is_final(r.state))
        continue;
      if (is_transitional(r.state) || r.last_error.rfind(refusal, 0) != 0)
        return -1; // still on its way
      ++n;
    }
    return n;
  };
  // Asked again now and then: an instance whose node was cut off mid-change comes back as the
  // cloud has it, and what it did not do is asked anew (the others ignore a second ask).
  bool settled = nothing;
  int refused = 0, refused_before = -1;
  auto deadline = clock_type::now() + std::chrono::seconds(opts.wait_seconds);
  auto ask_again_at = clock_type::now() + seconds(10);
  while (!settled) {
    auto left = deadline - clock_type::now();
    if (left <= duration::zero())
      break;
    settled = eng->wait_for_state(sel, target, std::min<duration>(left, seconds(1)));
    if (settled)
      break;
    auto now_refused = refused_count();
    if (now_refused > 0 && refused_before > 0) {
      refused = now_refused;
      break;
    }
    refused_before = now_refused;
    if (clock_type::now() >= ask_again_at) {
      asked = std::max(asked, change());
      ask_again_at = clock_type::now() + seconds(10);
    }
  }
  auto after = nothing ? std::vector<instance_record>{} : eng->list(sel);
  auto missed = report_unreached(*eng, selected, std::cerr);
  if (opts.json) {
    write_json(std::cout, after);
  } else {
    std::cout << to_string(opts.op) << ": " << asked << " instance(s) asked";
    if (refused > 0)
      std::cout << "; " << refused << " refused by the cloud (their last error: styx status)";
    else if (!settled)
      std::cout << "; still changing after " << opts.wait_seconds << " s";
    if (!missed.empty())
      std::cout << "; " << missed.size() << " not reached";
    std::cout << '\n';
  }
  return settled && missed.empty() ? exit_ok : exit_failed;
}

} // namespace styx::cli
