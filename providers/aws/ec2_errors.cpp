#include "providers/aws/ec2_errors.hpp"

#include <cmath>
#include <cstdlib>

#include <pugixml.hpp>

#include "providers/aws/ec2_xml.hpp"

namespace styx {

namespace {

using ec2_xml::child;
using ec2_xml::local_name;

/// The first <Error> element with a <Code> child, anywhere in the document.
pugi::xml_node find_error(pugi::xml_node node) {
  for (auto c : node.children()) {
    if (c.type() != pugi::node_element)
      continue;
    if (local_name(c.name()) == "Error" && child(c, "Code"))
      return c;
    if (auto found = find_error(c))
      return found;
  }
  return {};
}

/// A short, single-line excerpt of a body that is not EC2 XML, for the message.
std::string excerpt(const std::string& body) {
  std::string result;
  for (char c : body) {
    if (result.size() >= 120)
      break;
    bool space = c == '\n' || c == '\r' || c == '\t' || c == ' ';
    if (space && (result.empty() || result.back() == ' '))
      continue;
    result += space ? ' ' : c;
  }
  return result;
}

bool starts_with(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

} // namespace

error_kind ec2_error_kind(std::string_view code, int http_status) {
  static const std::pair<const char*, error_kind> table[] = {
    {"RequestLimitExceeded", error_kind::throttled},
    {"Throttling", error_kind::throttled},
    {"ThrottlingException", error_kind::throttled},
    {"EC2ThrottledException", error_kind::throttled},
    {"RequestThrottled", error_kind::throttled},
    {"InsufficientInstanceCapacity", error_kind::capacity},
    {"InsufficientCapacity", error_kind::capacity},
    {"Unsupported", error_kind::capacity},
    {"InsufficientFreeAddressesInSubnet", error_kind::capacity},
    {"SpotMaxPriceTooLow", error_kind::capacity},
    {"UnfulfillableCapacity", error_kind::capacity},
    {"InstanceLimitExceeded", error_kind::quota},
    {"VcpuLimitExceeded", error_kind::quota},
    {"MaxSpotInstanceCountExceeded", error_kind::quota},
    {"MaxFleetCountExceeded", error_kind::quota},
    {"AuthFailure", error_kind::auth},
    {"UnauthorizedOperation", error_kind::auth},
    {"InvalidClientTokenId", error_kind::auth},
    {"SignatureDoesNotMatch", error_kind::auth},
    {"InvalidParameterValue", error_kind::invalid_request},
    {"InvalidParameterCombination", error_kind::invalid_request},
    {"InvalidParameter", error_kind::invalid_request},
    {"MissingParameter", error_kind::invalid_request},
    {"InvalidInstanceType", error_kind::invalid_request},
    {"IdempotentParameterMismatch", error_kind::invalid_request},
    {"IncorrectInstanceState", error_kind::invalid_request},
    {"InternalError", error_kind::transient},
    {"InternalFailure", error_kind::transient},
    {"ServiceUnavailable", error_kind::transient},
    {"Unavailable", error_kind::transient},
  };
  for (auto& [name, kind] : table)
    if (code == name)
      return kind;
  if (starts_with(code, "InvalidAMIID."))
    return error_kind::invalid_request;
  if (starts_with(code, "InvalidInstanceID."))
    return error_kind::not_found;
  if (http_status >= 500 || http_status == 0)
    return error_kind::transient;
  return error_kind::fatal;
}

cloud_error ec2_error_from(const http_response& response) {
  cloud_error result;
  if (response.status == 0)
    return no_answer_error(response, "trust its CA with AWS_CA_BUNDLE or ca_bundle in the AWS "
                                     "config");
  result.retry_after_ms = response.retry_after_ms();
  pugi::xml_document doc;
  bool xml = !response.body.empty()
             && doc.load_buffer(response.body.data(), response.body.size())
             && doc.document_element();
  if (xml) {
    if (auto error = find_error(doc.document_element())) {
      result.code = child(error, "Code").child_value();
      result.message = child(error, "Message").child_value();
      result.kind = ec2_error_kind(result.code, response.status);
      return result;
    }
    auto root = local_name(doc.document_element().name());
    bool ec2_document = root.size() > 8 && root.substr(root.size() - 8) == "Response";
    if (response.status >= 200 && response.status < 300 && ec2_document) {
      result.retry_after_ms = 0;
      return result; // kind none
    }
  }
  // An answer that is not EC2 XML (an HTML page from a proxy, an empty body), or an XML
  // non-2xx answer without an error code.
  result.message = "HTTP " + std::to_string(response.status);
  if (auto text = excerpt(response.body); !text.empty())
    result.message += ": " + text;
  else if (!xml)
    result.message += " with an empty or unreadable body";
  result.kind = response.status == 429 ? error_kind::throttled : error_kind::transient;
  return result;
}

} // namespace styx
