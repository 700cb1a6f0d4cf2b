# Fails the build when a test name of TEST_EXECUTABLE is one Catch2 2.13 would read as a
# pattern rather than as a name (run as a POST_BUILD step by styx_test(), before
# catch_discover_tests registers the names with ctest):
#   - a leading ~ or "exclude:" excludes: the ctest entry runs every other test instead;
#   - * is a wildcard, \ an escape; a leading or trailing blank is trimmed from the pattern;
#   - ; ends the name in CatchAddTests.cmake (a CMake list), so the entry runs another name.
# "," "[" and "]" are allowed: CatchAddTests.cmake escapes them in the ctest entry, which
# then runs exactly the one test. Tags in the second TEST_CASE argument are not names.
#
#   cmake -DTEST_EXECUTABLE=<binary> -P check_test_names.cmake

if(NOT EXISTS "${TEST_EXECUTABLE}")
  message(FATAL_ERROR "check_test_names: no test binary '${TEST_EXECUTABLE}'")
endif()
execute_process(
  COMMAND "${TEST_EXECUTABLE}" --list-test-names-only
  OUTPUT_VARIABLE output
  RESULT_VARIABLE result)
# Catch2 exits with the number of tests listed; a negative or non-numeric result is a crash.
if(NOT result MATCHES "^[0-9]+$")
  message(FATAL_ERROR "check_test_names: ${TEST_EXECUTABLE} --list-test-names-only failed: "
                      "${result}")
endif()

# One list element per line: ; [ and ] would otherwise split or join CMake list elements.
string(REPLACE ";" "<semicolon>" output "${output}")
string(REPLACE "[" "<lbracket>" output "${output}")
string(REPLACE "]" "<rbracket>" output "${output}")
string(REPLACE "\n" ";" lines "${output}")

set(bad "")
foreach(name IN LISTS lines)
  if(name STREQUAL "")
    continue()
  endif()
  string(REPLACE "<semicolon>" ";" shown "${name}")
  string(REPLACE "<lbracket>" "[" shown "${shown}")
  string(REPLACE "<rbracket>" "]" shown "${shown}")
  set(why "")
  if(shown MATCHES "^~")
    set(why "a leading ~ means 'exclude'")
  elseif(shown MATCHES "^exclude:")
    set(why "a leading 'exclude:' means 'exclude'")
  elseif(shown MATCHES "[*]")
    set(why "* is a wildcard")
  elseif(shown MATCHES "[\\]")
    set(why "\\ is an escape")
  elseif(shown MATCHES ";")
    set(why "; cuts the name short in ctest")
  elseif(shown MATCHES "^[ \t]" OR shown MATCHES "[ \t\r]$")
    set(why "a leading or trailing blank is trimmed")
  endif()
  if(why)
    string(APPEND bad "\n  \"${shown}\": ${why}")
  endif()
endforeach()
if(bad)
  get_filename_component(binary "${TEST_EXECUTABLE}" NAME)
  message(FATAL_ERROR "${binary}: test names Catch2 would read as patterns (their ctest "
                      "entries would not run them); rename them:${bad}")
endif()
