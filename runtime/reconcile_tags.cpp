#include "runtime/reconcile_tags.hpp"

#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>
#include <utility>

namespace styx {

std::vector<std::string> apply_retags(ec2_api& api, const std::vector<reconcile_retag>& retags,
                                      size_t concurrency, int attempts) {
  struct answer {
    size_t index;
    int attempt;
    cloud_error error;
  };
  std::mutex mtx;
  std::condition_variable cv;
  std::deque<answer> answers;
  std::deque<std::pair<size_t, int>> todo; // (index, attempt)
  for (size_t i = 0; i < retags.size(); ++i)
    todo.emplace_back(i, 1);
  std::vector<std::string> failures;
  size_t in_flight = 0;
  concurrency = std::max<size_t>(1, concurrency);
  while (!todo.empty() || in_flight > 0) {
    while (!todo.empty() && in_flight < concurrency) {
      auto [i, attempt] = todo.front();
      todo.pop_front();
      ++in_flight;
      api.tag(retags[i].cloud_id, retags[i].tags, [&, i = i, attempt = attempt](cloud_error e) {
        std::lock_guard<std::mutex> guard{mtx};
        answers.push_back({i, attempt, std::move(e)});
        cv.notify_all();
      });
    }
    answer a;
    {
      std::unique_lock<std::mutex> lock{mtx};
      cv.wait(lock, [&] { return !answers.empty(); });
      a = std::move(answers.front());
      answers.pop_front();
    }
    --in_flight;
    if (!a.error)
      continue;
    if (is_retryable(a.error.kind) && a.attempt < attempts) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100 * a.attempt));
      todo.emplace_back(a.index, a.attempt + 1);
      continue;
    }
    failures.push_back("could not tag " + retags[a.index].cloud_id + ": "
                       + a.error.to_string());
  }
  return failures;
}

} // namespace styx
