#pragma once
// A provision request: N instances of one shape. Built fluently:
//
//   auto req = provision_request::make("job", resources{}.cpus(4).memory_gib(16))
//                .region("us-west-2").tag("env", "prod").spot(true).count(100);
//
// Each setter has a getter of the same name. validate() says what is wrong, if anything.

#include <optional>
#include <string>

#include <caf/meta/type_name.hpp>

#include "common/time.hpp"
#include "messages/ids.hpp"
#include "messages/resources.hpp"

namespace styx {

class provision_request {
public:
  static provision_request make(std::string name, resources shape);

  // -- getters ---------------------------------------------------------------
  const request_id& id() const { return id_; }
  const std::string& name() const { return name_; }
  int count() const { return count_; }
  /// Fewer running than this rolls the request back; 0 means all of count().
  int min_count() const { return min_count_; }
  const resources& shape() const { return shape_; }
  const placement& where() const { return where_; }
  const market& pay() const { return pay_; }
  const tag_map& tags() const { return tags_; }
  /// Empty: the provider's default image.
  const std::string& image() const { return image_; }
  /// Wall time after which unfinished instances are given up; 0: none.
  unix_ms deadline() const { return deadline_; }

  /// The number that must run for the request to succeed.
  int required() const { return min_count_ > 0 ? min_count_ : count_; }

  // -- fluent setters --------------------------------------------------------
  provision_request& id(request_id x) { id_ = x; return *this; }
  provision_request& name(std::string x) { name_ = std::move(x); return *this; }
  provision_request& count(int n) { count_ = n; return *this; }
  provision_request& min_count(int n) { min_count_ = n; return *this; }
  provision_request& shape(resources r) { shape_ = std::move(r); return *this; }
  provision_request& provider(std::string cloud);
  provision_request& region(std::string r);
  provision_request& zone(std::string z);
  provision_request& instance_type(std::string t);
  provision_request& tag(std::string key, std::string value);
  provision_request& spot(bool on = true);
  provision_request& max_price(double usd_per_hour);
  provision_request& image(std::string img) { image_ = std::move(img); return *this; }
  provision_request& deadline(unix_ms t) { deadline_ = t; return *this; }

  /// Why the request cannot be served as written, or nullopt when it is valid.
  std::optional<std::string> validate() const;

  template <class Inspector>
  friend typename Inspector::result_type inspect(Inspector& f, provision_request& x) {
    return f(caf::meta::type_name("provision_request"), x.id_, x.name_, x.count_, x.min_count_,
             x.shape_, x.where_, x.pay_, x.tags_, x.image_, x.deadline_);
  }

private:
  request_id id_;
  std::string name_;
  int count_ = 1;
  int min_count_ = 0;
  resources shape_;
  placement where_;
  market pay_;
  tag_map tags_;
  std::string image_;
  unix_ms deadline_ = 0;
};

} // namespace styx
