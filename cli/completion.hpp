#pragma once
// `styx completion bash`: a bash completion script generated from the CLI11 app tree, so
// that it names every command and flag this build has.
//
//   source <(styx completion bash)       # or save it to /etc/bash_completion.d/styx
//
// Thread rules: main thread, after every command is registered.

#include <string>

namespace CLI {
class App;
} // namespace CLI

namespace styx::cli {

/// The completion script of `app`: commands, each command's flags, the known clouds after
/// --provider and file names after flags that take a path.
std::string bash_completion(CLI::App& app);

/// Registers `styx completion SHELL`; `shell` receives its argument.
CLI::App* add_completion_command(CLI::App& app, std::string& shell);

/// Prints the script for `shell` to stdout; an unknown shell is bad input (usage_error).
int run_completion(CLI::App& app, const std::string& shell);

} // namespace styx::cli
