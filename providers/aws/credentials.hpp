#pragma once
// AWS credentials as plain values, and pure parsing of the AWS CLI's two INI files:
//   ~/.aws/credentials  sections are profile names:        [default], [work]
//   ~/.aws/config       sections are "profile <name>":     [default], [profile work]
//                       (other sections such as [sso-session x] are kept but are not profiles)
// Syntax follows the CLI's parser: `key = value` (or `key: value`), keys case-insensitive,
// full-line comments starting with # or ;, an inline comment only after whitespace (" # ..."),
// indented lines continue the previous value (nested settings such as "s3 =\n  max = 1").
// Duplicate sections or keys are errors, as they are for the CLI.
// Errors read "path:line: what is wrong". No I/O here: callers pass the file's text.
// Secrets never appear in error messages or in redacted().

#include <map>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace styx {

struct aws_credentials {
  std::string access_key_id;
  std::string secret_access_key;
  std::string session_token;  // empty: long-term credentials

  bool empty() const { return access_key_id.empty() && secret_access_key.empty(); }
  /// Safe to log: "****WXYZ" (the access key id's last 4 characters), plus whether a session
  /// token is present. Never shows the secret or the token.
  std::string redacted() const;
};

enum class aws_file_kind { credentials, config };

struct aws_ini_section {
  std::string name;                          // as written between the brackets, trimmed
  int line = 0;                              // where the header is
  std::map<std::string, std::string> values; // keys lower-cased
};

struct aws_ini_file {
  std::string path;  // for messages only
  aws_file_kind kind = aws_file_kind::credentials;
  std::vector<aws_ini_section> sections;
};

/// The settings of one profile, as found in one file.
struct aws_profile {
  std::string name;
  std::string where;  // "path [section]", for messages and aws_settings::source
  std::string access_key_id, secret_access_key, session_token, region;
  std::string ca_bundle; // the AWS CLI's `ca_bundle`: a PEM file trusted for the endpoint
};

/// Parses `text` (the contents of the file at `path`). Returns the file or "path:line: error".
std::variant<aws_ini_file, std::string> parse_aws_ini(const std::string& text,
                                                      const std::string& path,
                                                      aws_file_kind kind);

/// The profile named `name` in `file`: section [name] in a credentials file; [profile name]
/// (or [default] for "default") in a config file. nullopt if the file has no such profile.
std::optional<aws_profile> find_aws_profile(const aws_ini_file& file, const std::string& name);

} // namespace styx
