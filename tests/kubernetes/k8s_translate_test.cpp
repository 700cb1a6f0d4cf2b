// The Kubernetes translation layer alone (providers/kubernetes): names, labels and selectors,
// pod bodies, the parsing of pods, lists, watch events and Status objects, the mapping of
// phases and conditions onto the FSM, and of errors onto the taxonomy; and k8s_api's calls
// against a scripted transport (what it sends, what it answers).

#include <catch2/catch.hpp>

#include <deque>

#include "providers/kubernetes/k8s_api.hpp"
#include "providers/kubernetes/k8s_errors.hpp"
#include "providers/kubernetes/k8s_json.hpp"
#include "providers/kubernetes/k8s_names.hpp"

using namespace styx;

namespace {

/// Answers each request with the next scripted response and keeps what was sent. Thread
/// rules: one thread (it answers inside send()). Lifetimes: the test's; keeps copies only.
class scripted final : public http_transport {
public:
  std::deque<http_response> answers;
  std::vector<http_request> sent;

  void send(http_request req, http_handler done) override {
    sent.push_back(req);
    auto r = answers.empty() ? http_response{500, {}, "{}", {}, false} : answers.front();
    if (!answers.empty())
      answers.pop_front();
    done(r);
  }
};

http_response answer(int status, std::string body, http_headers headers = {}) {
  http_response r;
  r.status = status;
  r.body = std::move(body);
  r.headers = std::move(headers);
  return r;
}

const char* pod_json =
  R"({"kind":"Pod","metadata":{"name":"styx-0b108bd5-460f-4054-8890-11480bdf99cf",)"
  R"("namespace":"ns","resourceVersion":"17","creationTimestamp":"2024-01-02T03:04:05Z",)"
  R"("labels":{"styx.dev/engine":"e","styx.dev/instance":"0b108bd5-460f-4054-8890-11480bdf99cf",)"
  R"("styx.dev/class":"small","team":"ml"},"annotations":{"styx.dev/name":"web 1"}},)"
  R"("status":{"phase":"PHASE"CONDS}})";

std::string pod_with(const std::string& phase, const std::string& conds = "") {
  std::string s = pod_json;
  s.replace(s.find("PHASE"), 5, phase);
  s.replace(s.find("CONDS"), 5, conds);
  return s;
}

api_reply run(k8s_api& api, api_call call) {
  api_reply out;
  bool done = false;
  api.start(std::move(call), [&](api_reply r) {
    out = std::move(r);
    done = true;
  });
  REQUIRE(done);
  return out;
}

} // namespace

TEST_CASE("kubernetes names: pod names, ownership labels, the Name annotation and selectors") {
  auto id = uuid::parse("0b108bd5-460f-4054-8890-11480bdf99cf");
  REQUIRE(id);
  instance_id iid;
  static_cast<uuid&>(iid) = *id;
  CHECK(k8s_pod_name(iid) == "styx-0b108bd5-460f-4054-8890-11480bdf99cf");
  CHECK(k8s_instance_of(k8s_pod_name(iid)) == iid);
  CHECK(k8s_instance_of("by-hand") == instance_id{});
  CHECK(k8s_valid_label_key("styx.dev/engine"));
  CHECK(k8s_valid_label_key("team"));
  CHECK_FALSE(k8s_valid_label_key("styx:engine"));
  CHECK_FALSE(k8s_valid_label_key("Bad_Prefix/x"));
  CHECK_FALSE(k8s_valid_label_key(std::string(64, 'a')));
  CHECK(k8s_valid_label_value(""));
  CHECK_FALSE(k8s_valid_label_value("-x"));
  tag_map tags{{ownership_tag::engine, "e"}, {ownership_tag::request, "r"},
               {ownership_tag::name, "web 1"}, {"team", "ml"}};
  auto meta = k8s_metadata_of(tags, "small");
  REQUIRE(meta.error.empty());
  CHECK(meta.labels == tag_map{{"styx.dev/engine", "e"}, {"styx.dev/request", "r"},
                               {"styx.dev/class", "small"}, {"team", "ml"}});
  CHECK(meta.annotations == tag_map{{"styx.dev/name", "web 1"}});
  CHECK(k8s_tags_of(meta.labels, meta.annotations) == tags);
  CHECK_FALSE(k8s_metadata_of({{"a b", "c"}}, "small").error.empty());
  CHECK(k8s_label_selector({}) == "styx.dev/engine");
  CHECK(k8s_label_selector({{ownership_tag::engine, "e"}, {"team", "ml"}})
        == "styx.dev/engine=e,team=ml");
  CHECK(k8s_label_selector({{"team", "ml"}}) == "styx.dev/engine,team=ml");
  CHECK_FALSE(k8s_label_selector({{"no way", "x"}}));
  CHECK(k8s_names_selector({k8s_pod_name(iid), "by-hand"})
        == "styx.dev/instance in (0b108bd5-460f-4054-8890-11480bdf99cf)");
  CHECK(k8s_query_encode("a in (b,c)") == "a%20in%20%28b%2Cc%29");
}

TEST_CASE("kubernetes json: phases and conditions onto the FSM - Unschedulable is a capacity "
          "problem - Unknown is reported as such") {
  auto state_of = [](const std::string& body, bool deleted, cloud_error* problem) {
    auto pod = k8s_parse_pod(body);
    REQUIRE(pod);
    return k8s_instance_of_pod(*pod, deleted, problem);
  };
  cloud_error p;
  auto ci = state_of(pod_with("Pending"), false, &p);
  CHECK(ci.state == instance_state::pending);
  CHECK_FALSE(p);
  CHECK(ci.zone == "ns");
  CHECK(ci.instance_type == "small");
  CHECK(ci.tags.at(ownership_tag::name) == "web 1");
  CHECK(ci.owner_instance().to_string() == "0b108bd5-460f-4054-8890-11480bdf99cf");
  CHECK(ci.launched_at == 1704164645000);
  CHECK(state_of(pod_with("Running"), false, &p).state == instance_state::running);
  auto done = state_of(pod_with("Succeeded"), false, &p);
  CHECK(done.state == instance_state::terminated);
  CHECK(done.reason == state_reason::cloud_ended);
  CHECK(state_of(pod_with("Failed"), false, &p).reason_code == "Failed");
  auto gone = state_of(pod_with("Running"), true, &p);
  CHECK(gone.state == instance_state::terminated);
  CHECK(gone.reason == state_reason::user_initiated);
  auto unsched = state_of(pod_with("Pending", R"(,"conditions":[{"type":"PodScheduled",)"
                                              R"("status":"False","reason":"Unschedulable",)"
                                              R"("message":"0/3 nodes"}])"), false, &p);
  CHECK(unsched.state == instance_state::pending);
  CHECK(p.kind == error_kind::capacity);
  CHECK(p.code == "Unschedulable");
  cloud_error unknown;
  state_of(pod_with("Unknown"), false, &unknown);
  CHECK(unknown.kind == error_kind::transient);
  CHECK(unknown.code == "PodPhaseUnknown");
  std::string deleting = pod_with("Running");
  deleting.replace(deleting.find("\"resourceVersion\""), 0,
                   R"("deletionTimestamp":"2024-01-02T03:04:09Z",)");
  CHECK(state_of(deleting, false, nullptr).state == instance_state::terminating);

  auto page = k8s_parse_pod_list(R"({"kind":"PodList","metadata":{"resourceVersion":"42",)"
                                 R"("continue":"c1"},"items":[)" + pod_with("Running") + "]}");
  REQUIRE(page);
  CHECK(page->pods.size() == 1);
  CHECK(page->next == "c1");
  CHECK(page->resource_version == "42");
  auto ev = k8s_parse_watch_event(R"({"type":"ERROR","object":{"kind":"Status","code":410,)"
                                  R"("reason":"Expired","message":"too old"}})");
  REQUIRE(ev);
  REQUIRE(ev->status);
  CHECK(ev->status->code == 410);
  auto body = k8s_pod_body("p", k8s_default_classes().back(), "img", {{"a", "b"}}, {});
  CHECK(body.find(R"("nvidia.com/gpu":"1")") != std::string::npos);
  CHECK(body.find(R"("memory":"64Gi")") != std::string::npos);
  CHECK(body.find(R"("cpu":"8")") != std::string::npos);
}

TEST_CASE("kubernetes errors: Status objects onto the taxonomy - 429 and APF are throttled with "
          "Retry-After") {
  auto err = [](int status, const std::string& reason, const std::string& message = "m",
                http_headers h = {}) {
    return k8s_error_from(answer(status, R"({"kind":"Status","code":)" + std::to_string(status)
                                           + R"(,"reason":")" + reason + R"(","message":")"
                                           + message + R"("})", std::move(h)));
  };
  auto t = err(429, "TooManyRequests", "m", {{"Retry-After", "3"}});
  CHECK(t.kind == error_kind::throttled);
  CHECK(t.retry_after_ms == 3000);
  CHECK(err(404, "NotFound").kind == error_kind::not_found);
  CHECK(err(409, "AlreadyExists").code == "AlreadyExists");
  CHECK(err(401, "Unauthorized").kind == error_kind::auth);
  CHECK(err(403, "Forbidden").kind == error_kind::auth);
  CHECK(err(403, "Forbidden", "pods is forbidden: exceeded quota: q").kind == error_kind::quota);
  CHECK(err(410, "Gone").code == "Expired");
  CHECK(err(503, "ServiceUnavailable").kind == error_kind::transient);
  CHECK(err(422, "Invalid").kind == error_kind::invalid_request);
  http_response none;
  none.error = "connect failed";
  CHECK(k8s_error_from(none).kind == error_kind::transient);
  none.timed_out = true;
  CHECK(k8s_error_from(none).kind == error_kind::timeout);
  CHECK_FALSE(k8s_error_from(answer(200, "{}")));
}

TEST_CASE("kubernetes api: create posts one pod and adopts it on 409 - delete with a grace "
          "period - stop is refused in one line - lists page through continue") {
  scripted wire;
  system_clock clk;
  k8s_target target{"https://k:6443/", "ns", "tok", nullptr};
  k8s_api api{provider_id{"kubernetes", "c/ns"}, target, wire, clk};
  CHECK(api.pushes());
  CHECK(api.max_batch(api_op::create) == 1);

  api_call create;
  create.op = api_op::create;
  create.spec.instance_type = "medium";
  create.spec.tags = {{ownership_tag::engine, "e"}};
  auto id = uuid::parse("0b108bd5-460f-4054-8890-11480bdf99cf");
  create_slot slot;
  static_cast<uuid&>(slot.id) = *id;
  create.slots = {slot};
  wire.answers = {answer(409, R"({"kind":"Status","code":409,"reason":"AlreadyExists"})"),
                  answer(200, pod_with("Running"))};
  auto r = run(api, create);
  REQUIRE_FALSE(r.error);
  CHECK(r.requests == 2);
  REQUIRE(r.instances.size() == 1);
  CHECK(r.instances[0].state == instance_state::running);
  REQUIRE(wire.sent.size() == 2);
  CHECK(wire.sent[0].method == "POST");
  CHECK(wire.sent[0].url == "https://k:6443/api/v1/namespaces/ns/pods");
  CHECK(wire.sent[0].body.find(R"("cpu":"2")") != std::string::npos);
  CHECK(wire.sent[0].body.find(R"("styx.dev/instance":"0b108bd5)") != std::string::npos);
  CHECK(wire.sent[1].url == "https://k:6443/api/v1/namespaces/ns/pods/"
                            "styx-0b108bd5-460f-4054-8890-11480bdf99cf");
  bool bearer = false;
  for (auto& [k, v] : wire.sent[0].headers)
    bearer = bearer || (k == "Authorization" && v == "Bearer tok");
  CHECK(bearer);

  wire.sent.clear();
  api_call del;
  del.op = api_op::terminate;
  del.cloud_ids = {"p1"};
  wire.answers = {answer(200, pod_with("Running").replace(0, 0, ""))};
  r = run(api, del);
  REQUIRE_FALSE(r.error);
  CHECK(r.instances.at(0).state == instance_state::terminating);
  CHECK(wire.sent.at(0).method == "DELETE");
  CHECK(wire.sent.at(0).url.find("gracePeriodSeconds=30") != std::string::npos);
  CHECK(wire.sent.at(0).body.find(R"("gracePeriodSeconds":30)") != std::string::npos);
  wire.answers = {answer(404, R"({"kind":"Status","code":404,"reason":"NotFound"})")};
  CHECK(run(api, del).instances.at(0).state == instance_state::terminated);

  api_call stop;
  stop.op = api_op::stop;
  stop.cloud_ids = {"p1"};
  auto refused = run(api, stop);
  CHECK(refused.error.kind == error_kind::invalid_request);
  CHECK(refused.error.message.find("cannot be stopped") != std::string::npos);
  CHECK(refused.error.message.find('\n') == std::string::npos);

  wire.sent.clear();
  api_call list;
  list.op = api_op::list;
  list.filter = {{ownership_tag::engine, "e"}};
  wire.answers = {
    answer(200, R"({"kind":"PodList","metadata":{"resourceVersion":"5","continue":"n1"},"items":[)"
                  + pod_with("Running") + "]}"),
    answer(200, R"({"kind":"PodList","metadata":{"resourceVersion":"5"},"items":[]})")};
  r = run(api, list);
  REQUIRE_FALSE(r.error);
  CHECK(r.requests == 2);
  CHECK(r.instances.size() == 1);
  CHECK(r.cursor == "5");
  CHECK(wire.sent.at(1).url.find("continue=n1") != std::string::npos);
  CHECK(wire.sent.at(0).url.find("labelSelector=styx.dev%2Fengine%3De") != std::string::npos);

  // describe: one id is a GET (404: not answered, so the provider sees it vanished); several
  // are one list by their instance label, or of every engine's pods when one is not Styx's.
  wire.sent.clear();
  api_call one;
  one.op = api_op::describe;
  one.cloud_ids = {"styx-0b108bd5-460f-4054-8890-11480bdf99cf"};
  wire.answers = {answer(404, R"({"kind":"Status","code":404,"reason":"NotFound"})")};
  r = run(api, one);
  CHECK_FALSE(r.error);
  CHECK(r.instances.empty());
  api_call many = one;
  many.cloud_ids.push_back("styx-242a5f87-d0a7-4edd-8e1a-95d201fdd96c");
  wire.answers = {answer(200, R"({"kind":"PodList","metadata":{},"items":[)" + pod_with("Running")
                                + "]}")};
  r = run(api, many);
  CHECK(r.instances.size() == 1);
  CHECK(wire.sent.back().url.find("styx.dev%2Finstance%20in%20%280b108bd5") != std::string::npos);
  many.cloud_ids.push_back("by-hand");
  wire.answers = {answer(200, R"({"kind":"PodList","metadata":{},"items":[]})")};
  run(api, many);
  CHECK(wire.sent.back().url.find("labelSelector=styx.dev%2Fengine&") != std::string::npos);
}
