#include "runtime/node_client.hpp"

#include <algorithm>
#include <fstream>
#include <random>
#include <set>
#include <sstream>
#include <stdexcept>

#include <caf/actor_system.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/io/middleman.hpp>
#include <caf/scoped_actor.hpp>
#include <caf/stateful_actor.hpp>
#include <spdlog/spdlog.h>
#include <yaml-cpp/yaml.h>

#include "actors/node_protocol.hpp"

#ifdef STYX_CAF_OPENSSL
#include <caf/openssl/manager.hpp>
#endif

namespace styx {

void load_nodes_file(const std::string& path, std::vector<remote_node>& nodes,
                     node_transport& transport) {
  std::ifstream in{path};
  if (!in)
    throw std::runtime_error("nodes file " + path + ": cannot be read");
  std::stringstream text;
  text << in.rdbuf();
  parse_nodes_text(text.str(), "nodes file " + path, nodes, transport);
}

void parse_nodes_text(const std::string& text, const std::string& where,
                      std::vector<remote_node>& nodes, node_transport& transport) {
  try {
    auto root = YAML::Load(text);
    auto add_list = [&](const YAML::Node& list) {
      if (!list.IsSequence())
        throw std::runtime_error(where + ": 'nodes' must be a list of host:port");
      for (const auto& item : list) {
        if (!item.IsScalar())
          throw std::runtime_error(where + ": each node is a host:port string");
        try {
          auto [host, port] = parse_host_port(item.as<std::string>());
          nodes.push_back(remote_node{host, port});
        } catch (const YAML::Exception&) {
          throw;
        } catch (const std::runtime_error& e) {
          throw std::runtime_error(where + ": " + e.what());
        }
      }
    };
    if (root.IsSequence()) {
      add_list(root);
      return;
    }
    if (!root.IsMap() || !root["nodes"])
      throw std::runtime_error(where + ": expected a list or a map with 'nodes'");
    add_list(root["nodes"]);
    if (auto tls = root["tls"]) {
      if (tls["cafile"])
        transport.tls.cafile = tls["cafile"].as<std::string>();
      if (tls["certificate"])
        transport.tls.certificate = tls["certificate"].as<std::string>();
      if (tls["key"])
        transport.tls.key = tls["key"].as<std::string>();
    }
    if (root["insecure"])
      transport.insecure = root["insecure"].as<bool>();
  } catch (const YAML::Exception& e) {
    throw std::runtime_error(where + ": " + e.what());
  }
}

void node_directory::answered(const remote_node& at, const std::string& node_id) {
  std::lock_guard<std::mutex> guard{mtx_};
  addresses_[node_id] = at.to_string();
}

std::map<std::string, std::string> node_directory::addresses() const {
  std::lock_guard<std::mutex> guard{mtx_};
  return addresses_;
}

namespace {

using retry_atom = caf::atom_constant<caf::atom("nretry")>;
using node_up_atom = caf::atom_constant<caf::atom("nodeup")>;

struct connector_state {
  int attempt = 0;        // failed connection attempts since the last success
  bool announced = false; // the waiter heard of the first connection
  caf::actor_addr node;   // the node actor while connected
  std::mt19937_64 rng{std::random_device{}()}; // drawn from only if the policy has jitter
  backoff retry_delay{node_reconnect_backoff, rng};
};

using connector_actor = caf::stateful_actor<connector_state>;

/// One per node, for the supervisor's lifetime: connects with backoff, registers the node's
/// providers, monitors the node, and when the connection is lost (the node died, froze past
/// the heartbeat timeout, or the network failed) connects again. The supervisor reconciles a
/// returning provider's instances (actors/supervisor.hpp).
caf::behavior connector(connector_actor* self, remote_node n, supervisor_actor sup,
                        caf::actor waiter, bool tls, std::shared_ptr<node_directory> dir) {
  // Ends with the supervisor, even while waiting to retry. A monitor, not a link: the
  // supervisor's exit handler must not see this actor's normal exit.
  self->monitor(sup);
  auto retry_later = [self, n](const std::string& why) {
    auto& st = self->state;
    ++st.attempt;
    auto delay = st.retry_delay.delay(st.attempt);
    spdlog::warn("node {}: {} (attempt {}; retrying in {} ms)", n.to_string(), why, st.attempt,
                 std::chrono::duration_cast<milliseconds>(delay).count());
    self->delayed_send(self, delay, retry_atom::value);
  };
  self->set_down_handler([=](caf::down_msg& dm) {
    if (dm.source == sup.address()) {
      self->quit();
      return;
    }
    if (dm.source != self->state.node)
      return;
    self->state.node = nullptr;
    self->state.attempt = 0;
    retry_later("connection lost (" + to_string(dm.reason) + ")");
  });
  self->send(self, retry_atom::value);
  return {
    [=](retry_atom) {
      auto& sys = self->system();
      caf::io::middleman_actor mm = sys.middleman().actor_handle();
#ifdef STYX_CAF_OPENSSL
      if (tls)
        mm = sys.openssl_manager().actor_handle();
#else
      (void) tls;
#endif
      self->request(mm, seconds(10), caf::connect_atom::value, n.host, n.port)
        .then(
          [=](const caf::node_id&, caf::strong_actor_ptr& p, const std::set<std::string>&) {
            if (!p) {
              retry_later("nothing published on that port");
              return;
            }
            auto node = caf::actor_cast<node_actor>(p);
            self->request(node, seconds(10), providers_atom::value)
              .then(
                [=](node_providers& list) {
                  auto& st = self->state;
                  st.node = node.address();
                  self->monitor(node);
                  if (st.attempt > 0 || st.announced)
                    spdlog::info("node {}: connected", n.to_string());
                  st.attempt = 0;
                  for (auto& np : list) {
                    if (np.id.node.empty() || np.id.node != list.front().id.node) {
                      spdlog::error("node {}: provider {} refused: it does not name its node "
                                    "(an older styx node?)",
                                    n.to_string(), np.id.to_string());
                      continue;
                    }
                    if (dir)
                      dir->answered(n, np.id.node);
                    spdlog::info("node {}: provider {}", n.to_string(), np.id.to_string());
                    auto pid = np.id;
                    self->request(sup, caf::infinite, provider_atom::value, np.handle, np.id)
                      .then([](bool) {},
                            [=](caf::error& e) {
                              spdlog::error("node {}: provider {} refused: {}", n.to_string(),
                                            pid.to_string(), self->system().render(e));
                            });
                  }
                  if (!st.announced) {
                    st.announced = true;
                    self->send(waiter, node_up_atom::value, list.size());
                  }
                },
                [=](caf::error& e) { retry_later("providers: " + self->system().render(e)); });
          },
          [=](caf::error& e) { retry_later("connect: " + self->system().render(e)); });
    },
  };
}

} // namespace

size_t connect_nodes(caf::actor_system& sys, const supervisor_actor& sup,
                     const std::vector<remote_node>& nodes, const node_transport& transport,
                     duration wait, std::shared_ptr<node_directory> directory) {
  for (auto& n : nodes)
    if (auto why = check_transport(n.host, transport); !why.empty())
      throw std::runtime_error("node " + n.to_string() + ": " + why);
  if (nodes.empty())
    return 0;
  caf::scoped_actor self{sys};
  auto waiter = caf::actor_cast<caf::actor>(self);
  for (auto& n : nodes)
    sys.spawn(connector, n, sup, waiter, !transport.insecure, directory);
  size_t registered = 0;
  size_t up = 0;
  auto deadline = clock_type::now() + wait;
  bool timed_out = false;
  while (up < nodes.size() && !timed_out) {
    auto left = std::max<duration>(deadline - clock_type::now(), milliseconds(1));
    self->receive([&](node_up_atom, size_t count) { ++up, registered += count; },
                  caf::after(std::chrono::duration_cast<caf::timespan>(left)) >>
                    [&] { timed_out = true; });
  }
  if (timed_out)
    spdlog::warn("{} of {} node(s) connected; the others keep retrying", up, nodes.size());
  return registered;
}

} // namespace styx
