// Fuzzes every parser of the Kubernetes API server's JSON: pods, pod lists, Status errors and
// watch events (providers/kubernetes/k8s_json.hpp, k8s_errors.hpp): a value or nullopt, never
// a crash; a parsed pod always becomes an instance.

#include <cstdint>
#include <string>
#include <string_view>

#include "providers/kubernetes/k8s_errors.hpp"
#include "providers/kubernetes/k8s_json.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view body{reinterpret_cast<const char*>(data), size};
  using namespace styx;
  if (auto pod = k8s_parse_pod(body)) {
    cloud_error problem;
    (void)k8s_instance_of_pod(*pod, false, &problem);
    (void)k8s_instance_of_pod(*pod, true, &problem);
  }
  if (auto page = k8s_parse_pod_list(body))
    for (auto& pod : page->pods) {
      cloud_error problem;
      (void)k8s_instance_of_pod(pod, false, &problem);
    }
  (void)k8s_parse_status(body);
  (void)k8s_parse_watch_event(body);
  (void)k8s_parse_time(body);
  for (int status : {200, 403, 404, 409, 422, 429, 500}) {
    http_response r;
    r.status = status;
    r.body = std::string{body};
    (void)k8s_error_from(r);
  }
  return 0;
}
