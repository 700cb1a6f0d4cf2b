// docs/bad-inputs.md, row by row: each command runs with sh in an empty directory that is also
// $HOME (no cloud credentials, `styx` on the PATH, $STYX_FIXTURES = tests/fixtures); its exit
// code and words must be the table's, with no CAF dump and no crash. Anything a
// row leaves running (a background server) is killed with its process group; a tmpfs it
// mounted is unmounted.

#include <catch2/catch.hpp>

#include <fcntl.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace fs = std::filesystem;

namespace {

struct row {
  std::string input, command, says;
  int exit = -1;
};

std::string unquote(std::string cell) {
  auto trim = [](std::string& s) {
    s.erase(0, s.find_first_not_of(' '));
    s.erase(s.find_last_not_of(' ') + 1);
  };
  trim(cell);
  if (cell.size() >= 2 && cell.front() == '`' && cell.back() == '`')
    cell = cell.substr(1, cell.size() - 2);
  return cell;
}

/// The table's rows: lines "| a | `b` | `c` | d |" after the header and its rule.
std::vector<row> table_rows() {
  std::ifstream in{std::string{STYX_SOURCE_DIR} + "/docs/bad-inputs.md"};
  std::vector<row> rows;
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("| ", 0) != 0 || line.rfind("| input ", 0) == 0)
      continue;
    std::vector<std::string> cells;
    for (size_t at = 1; at < line.size();) {
      auto bar = line.find(" | ", at);
      if (bar == std::string::npos) {
        cells.push_back(line.substr(at, line.rfind('|') - at));
        break;
      }
      cells.push_back(line.substr(at, bar - at));
      at = bar + 2;
    }
    if (cells.size() != 4)
      FAIL("docs/bad-inputs.md: a row without 4 cells: " << line);
    rows.push_back(row{unquote(cells[0]), unquote(cells[1]), unquote(cells[2]),
                       std::stoi(unquote(cells[3]))});
  }
  return rows;
}

std::string read_file(const fs::path& p) {
  std::ifstream in{p};
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

/// Unmounts whatever a row mounted under `dir`.
void unmount_under(const fs::path& dir) {
  std::ifstream mounts{"/proc/mounts"};
  for (std::string dev, where, rest; mounts >> dev >> where && std::getline(mounts, rest);)
    if (where.rfind(dir.string() + "/", 0) == 0)
      ::umount2(where.c_str(), MNT_DETACH);
}

bool can_mount_tmpfs(const fs::path& scratch) {
  auto probe = scratch / "mount-probe";
  fs::create_directories(probe);
  bool ok = ::mount("tmpfs", probe.c_str(), "tmpfs", 0, "size=16k") == 0;
  if (ok)
    ::umount2(probe.c_str(), MNT_DETACH);
  return ok;
}

struct outcome {
  int exit = -1; // -1: did not exit by itself (a signal, or killed after the limit)
  std::string output;
};

outcome run_row(const row& r, const fs::path& dir) {
  auto styx_dir = fs::path{STYX_BINARY}.parent_path().string();
  pid_t pid = ::fork();
  if (pid == 0) {
    ::setsid();
    for (auto* var : {"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
                      "AWS_PROFILE", "AWS_REGION", "AWS_DEFAULT_REGION", "AWS_ENDPOINT_URL",
                      "AWS_ENDPOINT_URL_EC2", "AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE",
                      "GOOGLE_APPLICATION_CREDENTIALS", "CLOUDSDK_CONFIG",
                      "CLOUDSDK_CORE_PROJECT", "CLOUDSDK_AUTH_ACCESS_TOKEN",
                      "CLOUDSDK_API_ENDPOINT_OVERRIDES_COMPUTE", "STYX_STATE_DIR", "KUBECONFIG",
                      "AZURE_TENANT_ID", "AZURE_CLIENT_ID", "AZURE_CLIENT_SECRET",
                      "AWS_CA_BUNDLE", "REQUESTS_CA_BUNDLE", "STYX_AZURE_CA_BUNDLE",
                      "CLOUDSDK_CORE_CUSTOM_CA_CERTS_FILE"})
      ::unsetenv(var);
    ::setenv("HOME", dir.c_str(), 1);
    ::setenv("STYX_SIM_PROFILE", "fast", 1);
    ::setenv("STYX_FIXTURES", (std::string{STYX_SOURCE_DIR} + "/tests/fixtures").c_str(), 1);
    std::string path = styx_dir + ":" + (std::getenv("PATH") ? std::getenv("PATH") : "");
    ::setenv("PATH", path.c_str(), 1);
    if (::chdir(dir.c_str()) != 0)
      ::_exit(126);
    int out = ::open("output", O_WRONLY | O_CREAT | O_TRUNC, 0644);
    ::dup2(out, STDOUT_FILENO);
    ::dup2(out, STDERR_FILENO);
    ::execl("/bin/sh", "sh", "-c", r.command.c_str(), static_cast<char*>(nullptr));
    ::_exit(127);
  }
  outcome o;
  int status = 0;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
  while (::waitpid(pid, &status, WNOHANG) == 0) {
    if (std::chrono::steady_clock::now() > deadline) {
      ::kill(-pid, SIGKILL);
      ::waitpid(pid, &status, 0);
      status = -1;
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ::kill(-pid, SIGKILL); // a server the row started in the background
  if (status != -1 && WIFEXITED(status))
    o.exit = WEXITSTATUS(status);
  o.output = read_file(dir / "output");
  unmount_under(dir);
  return o;
}

} // namespace

TEST_CASE("bad inputs: every row of docs/bad-inputs.md") {
  REQUIRE(fs::exists(STYX_BINARY)); // build the styx target first
  auto rows = table_rows();
  REQUIRE(rows.size() >= 25);
  auto scratch = fs::temp_directory_path() / ("styx-bad-inputs-" + std::to_string(::getpid()));
  fs::remove_all(scratch);
  fs::create_directories(scratch);
  bool mounting = ::geteuid() == 0 && can_mount_tmpfs(scratch);
  for (size_t i = 0; i < rows.size(); ++i) {
    auto& r = rows[i];
    DYNAMIC_SECTION("row " << i + 1 << ": " << r.input) {
      if (r.command.find("mount -t tmpfs") != std::string::npos && !mounting) {
        WARN("skipped (cannot mount a tmpfs here): " << r.input);
        continue;
      }
      auto dir = scratch / std::to_string(i + 1);
      fs::create_directories(dir);
      auto o = run_row(r, dir);
      INFO("command: " << r.command);
      INFO("output: " << o.output);
      CHECK(o.exit == r.exit);
      CHECK(o.output.find(r.says) != std::string::npos);
      CHECK(o.output.find("system_error(") == std::string::npos);
      CHECK(o.output.find("caf::") == std::string::npos);
      CHECK(o.output.find("Sanitizer") == std::string::npos);
      CHECK(o.output.find("terminate called") == std::string::npos);
    }
  }
  fs::remove_all(scratch);
}
