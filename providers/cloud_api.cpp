#include "providers/cloud_api.hpp"

namespace styx {

const char* to_string(api_op x) {
  switch (x) {
    case api_op::create: return "create";
    case api_op::describe: return "describe";
    case api_op::stop: return "stop";
    case api_op::start: return "start";
    case api_op::terminate: return "terminate";
    case api_op::list: return "list";
    case api_op::catalog: return "catalog";
    case api_op::watch: return "watch";
  }
  return "unknown";
}

} // namespace styx
