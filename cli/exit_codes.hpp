#pragma once
// The exit codes of every styx command, in one place: what main() and the commands return,
// what `styx --help` lists in its footer and what README's table says.

namespace styx::cli {

/// Unscoped on purpose: a command returns one as its int exit code.
enum exit_code : int {
  exit_ok = 0,        // success
  exit_failed = 1,    // the work failed or could not start, some instances were not reached,
                      // or `styx check` found a requested cloud not usable
  exit_bad_input = 2, // the input itself is wrong (a flag, a spec file, an unknown provider)
  exit_sigint = 130,  // `styx up` ended by SIGINT, after draining and persisting (--resume)
  exit_sigterm = 143, // the same for SIGTERM
};

/// The footer of `styx --help`: one line per code.
inline const char* exit_codes_help() {
  return "Exit codes:\n"
         "  0    success\n"
         "  1    the work failed or could not start, instances were not reached, or\n"
         "       styx check found a requested cloud not usable\n"
         "  2    bad input (flags, spec file, unknown provider or command)\n"
         "  130  styx up interrupted by SIGINT (state saved: styx up --resume REQUEST)\n"
         "  143  styx up ended by SIGTERM (state saved: styx up --resume REQUEST)";
}

} // namespace styx::cli
