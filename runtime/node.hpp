#pragma once
// A Styx node: an actor system that runs provider actors (each with its own cloud) and
// publishes a node_actor (actors/node_protocol.hpp) on HOST:PORT for engines to use.
//
//   styx::node_options o;  o.listen_host = "127.0.0.1"; o.port = 0; o.insecure = true;
//   o.regions = {"us-east-1"};
//   auto n = styx::node::start(o);   // throws std::runtime_error
//   n->port();                       // the port actually bound
//   n->id();                         // durable with a state dir: the node of its providers
//   n->stop();                       // also the destructor: drains actors, saves the sim cloud
//
// Transport rules (check_transport): TLS needs cafile, certificate and key; plaintext only with
// `insecure`, and then only on a loopback host. Credentials never leave the node: only actor
// handles and protocol messages cross the wire.

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <caf/fwd.hpp>

#include "actors/provider_config.hpp"
#include "common/time.hpp"
#include "messages/protocol.hpp"
#include "providers/aws/ec2_options.hpp"
#include "providers/sim/sim_config.hpp"

namespace styx {

/// Mutual TLS through caf::openssl: the openssl.cafile / certificate / key settings.
struct node_tls {
  std::string cafile;
  std::string certificate;
  std::string key;
  bool empty() const { return cafile.empty() && certificate.empty() && key.empty(); }
};

/// How peers talk and how soon a silent peer counts as gone (middleman settings).
struct node_transport {
  bool insecure = false;              // plaintext, loopback only
  node_tls tls;
  duration heartbeat = milliseconds(200);
  duration connection_timeout = milliseconds(2000);
};

/// A node an engine uses (engine_config::nodes).
struct remote_node {
  std::string host;
  uint16_t port = 0;
  std::string to_string() const { return host + ":" + std::to_string(port); }
};

struct node_options {
  std::string listen_host = "127.0.0.1";
  uint16_t port = 0;                  // 0: any free port (see node::port())
  std::string cloud = "sim";          // sim or aws (credentials: the AWS CLI's chain, here)
  ec2_options aws;                    // the aws cloud's launch options
  std::vector<std::string> regions;   // empty: every region of the sim config
  std::string state_dir;              // made if missing and locked while the node runs; holds
                                      // its id (node-id) and simulated cloud. Empty: both
                                      // live in memory only, new on every start
  sim_config sim;
  provider_config limits;
  node_transport transport;
  size_t threads = 2;
};

/// True for 127.0.0.0/8, ::1 and "localhost".
bool is_loopback_host(const std::string& host);

/// Empty when `host` may be used with `t`; else why not.
std::string check_transport(const std::string& host, const node_transport& t);

/// Loads the middleman and sets heartbeat and connection timeout on `cfg`; registers the node
/// types (not the actor types: add_actor_types does). Call before the actor system starts.
/// Throws std::runtime_error when TLS is asked for and this build has no caf::openssl.
void configure_node_networking(caf::actor_system_config& cfg, const node_transport& t);

/// Parses "HOST:PORT"; throws std::runtime_error.
std::pair<std::string, uint16_t> parse_host_port(const std::string& s);

class node {
public:
  static std::unique_ptr<node> start(node_options opts);
  ~node();
  node(const node&) = delete;
  node& operator=(const node&) = delete;

  uint16_t port() const;
  /// The node's id: the `node` of its providers' ids (messages/ids.hpp).
  const std::string& id() const;
  size_t provider_count() const;
  /// Its providers' stats, asked now (empty once stopped). Thread-safe, but not together
  /// with stop().
  std::vector<provider_stats> stats();
  /// Its providers' metrics (runtime/metrics_collect.hpp) in the Prometheus text format, for
  /// `styx node --metrics`. Same thread rules as stats().
  std::string metrics_text();
  void stop();

  struct impl;

private:
  explicit node(std::unique_ptr<impl> p);
  std::unique_ptr<impl> impl_;
};

} // namespace styx
