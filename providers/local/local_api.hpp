#pragma once
// Processes on this machine behind the cloud_api contract: the "local" cloud, one local_api
// per host (region "localhost" or the host name, whose one zone is the region). Pure
// translation: each api_call becomes one process_request to the injected process_host
// (runtime/process_manager.hpp), and the facts it answers become cloud_instances. Nothing is
// spawned, signalled, waited for or read here.
//
//   create     spawn: each slot one process named "proc-<instance id>" (slot_identity::name:
//              it carries its ownership tags as labels), running the spec's image as a shell
//              command (else local_options::default_command), with STYX_INSTANCE_ID,
//              STYX_REQUEST_ID, STYX_ENGINE_ID, STYX_INSTANCE_NAME, STYX_PROVIDER and
//              STYX_TAG_<KEY> for the request's tags in its environment. Its size comes from
//              the instance type (local_catalog.hpp); a batch that does not fit what the
//              machine has free is refused whole: capacity (InsufficientLocalCapacity).
//   describe   inspect; an id the host does not know is left out (the provider: vanished).
//   stop, start, terminate
//              SIGSTOP, SIGCONT, SIGTERM then SIGKILL to the process group.
//   list       every process of the host, filtered on the tags.
//   catalog    local_catalog() of the capacity.
// States: alive -> running (pending in the create's answer), stopped (T) -> stopped, and an
// ended process -> terminated; one that ended by itself carries cloud_ended and its exit
// status ("exit status 3", "killed by signal 9", or why it is unknown) as reason_code, and
// one that ended with a failing status before any describe saw it alive -> failed.
//
// Thread rules: start() may be called from any thread; `done` runs on the host's thread (the
// caller's for the catalog and for refused calls). Lifetimes: the host must outlive the api
// and every call in flight.

#include "providers/cloud_api.hpp"
#include "providers/local/local_options.hpp"
#include "providers/local/process_host.hpp"

namespace styx {

class local_api final : public cloud_api {
public:
  local_api(provider_id id, process_host& host, local_options opts = {});

  const provider_id& id() const override { return id_; }
  void start(api_call call, reply_handler done) override;
  size_t max_batch(api_op) const override { return 500; }
  slot_identity identity() const override { return slot_identity::name; }

  /// What the capacity counts: local_options, else the machine (cores x overcommit).
  machine_size capacity() const;

private:
  provider_id id_;
  process_host& host_;
  local_options opts_;
};

/// The cloud instance a process fact stands for (`created`: in a create's answer).
cloud_instance local_instance(const process_fact& f, const std::string& zone, bool created);

/// How a process ended, in words: "exit status 3", "killed by signal 9", or its note.
std::string local_exit_words(const process_fact& f);

} // namespace styx
