#include "runtime/metrics.hpp"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <stdexcept>

namespace styx {

namespace {

bool valid_name(const std::string& s, bool colon) {
  if (s.empty())
    return false;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'
              || (colon && c == ':') || (i > 0 && c >= '0' && c <= '9');
    if (!ok)
      return false;
  }
  return true;
}

void render_labels(std::string& out, const std::vector<std::string>& names,
                   const std::vector<std::string>& values, const char* extra_name = nullptr,
                   const std::string& extra_value = {}) {
  if (names.empty() && !extra_name)
    return;
  out += '{';
  for (size_t i = 0; i < names.size(); ++i) {
    if (i > 0)
      out += ',';
    out += names[i];
    out += "=\"";
    out += escape_label_value(values[i]);
    out += '"';
  }
  if (extra_name) {
    if (!names.empty())
      out += ',';
    out += extra_name;
    out += "=\"";
    out += extra_value;
    out += '"';
  }
  out += '}';
}

} // namespace

const char* to_string(metric_type t) {
  switch (t) {
    case metric_type::counter: return "counter";
    case metric_type::gauge: return "gauge";
    default: return "histogram";
  }
}

std::string escape_label_value(const std::string& v) {
  std::string out;
  out.reserve(v.size());
  for (char c : v) {
    if (c == '\\')
      out += "\\\\";
    else if (c == '"')
      out += "\\\"";
    else if (c == '\n')
      out += "\\n";
    else
      out += c;
  }
  return out;
}

std::string escape_help(const std::string& v) {
  std::string out;
  out.reserve(v.size());
  for (char c : v) {
    if (c == '\\')
      out += "\\\\";
    else if (c == '\n')
      out += "\\n";
    else
      out += c;
  }
  return out;
}

std::string format_metric_value(double v) {
  if (std::isnan(v))
    return "NaN";
  if (std::isinf(v))
    return v > 0 ? "+Inf" : "-Inf";
  char buf[32];
  if (v == std::floor(v) && std::fabs(v) < 1e15) {
    std::snprintf(buf, sizeof buf, "%.0f", v);
    return buf;
  }
  for (int precision = 6; precision <= 17; ++precision) { // the shortest that reads back
    std::snprintf(buf, sizeof buf, "%.*g", precision, v);
    if (std::strtod(buf, nullptr) == v)
      break;
  }
  return buf;
}

const char* metrics_registry::content_type() {
  return "text/plain; version=0.0.4; charset=utf-8";
}

void metrics_registry::describe(const std::string& name, metric_type type,
                                const std::string& help, std::vector<std::string> label_names,
                                std::vector<double> bounds) {
  if (!valid_name(name, true))
    throw std::invalid_argument("invalid metric name '" + name + "'");
  for (auto& l : label_names)
    if (!valid_name(l, false) || l.rfind("__", 0) == 0 || (type == metric_type::histogram && l == "le"))
      throw std::invalid_argument("invalid label name '" + l + "' of " + name);
  if (type != metric_type::histogram && !bounds.empty())
    throw std::invalid_argument(name + ": only a histogram has buckets");
  for (size_t i = 0; i < bounds.size(); ++i)
    if (!std::isfinite(bounds[i]) || (i > 0 && !(bounds[i - 1] < bounds[i])))
      throw std::invalid_argument(name + ": bucket bounds must be finite and increasing");
  std::lock_guard<std::mutex> guard{mtx_};
  auto [i, fresh] = families_.try_emplace(name);
  auto& f = i->second;
  if (!fresh) {
    if (f.type != type || f.label_names != label_names || f.bounds != bounds)
      throw std::invalid_argument(name + " declared twice, differently");
    return;
  }
  f.type = type;
  f.help = help;
  f.label_names = std::move(label_names);
  f.bounds = std::move(bounds);
}

metrics_registry::family& metrics_registry::find(const std::string& name,
                                                 const label_values& labels, metric_type a,
                                                 metric_type b) {
  auto i = families_.find(name);
  if (i == families_.end())
    throw std::invalid_argument("metric " + name + " was not declared");
  if (i->second.type != a && i->second.type != b)
    throw std::invalid_argument(name + " is a " + to_string(i->second.type));
  if (labels.size() != i->second.label_names.size())
    throw std::invalid_argument(name + ": wrong number of label values");
  return i->second;
}

void metrics_registry::add(const std::string& name, const label_values& labels, double delta) {
  std::lock_guard<std::mutex> guard{mtx_};
  auto& f = find(name, labels, metric_type::counter, metric_type::gauge);
  if (f.type == metric_type::counter && delta < 0)
    throw std::invalid_argument(name + ": a counter only goes up");
  f.samples[labels].value += delta;
}

void metrics_registry::set(const std::string& name, const label_values& labels, double value) {
  std::lock_guard<std::mutex> guard{mtx_};
  auto& f = find(name, labels, metric_type::counter, metric_type::gauge);
  f.samples[labels].value = value;
}

void metrics_registry::observe(const std::string& name, const label_values& labels,
                               double value) {
  std::lock_guard<std::mutex> guard{mtx_};
  auto& f = find(name, labels, metric_type::histogram, metric_type::histogram);
  auto& s = f.samples[labels];
  s.counts.resize(f.bounds.size() + 1);
  size_t b = 0;
  while (b < f.bounds.size() && value > f.bounds[b])
    ++b;
  ++s.counts[b];
  s.sum += value;
}

void metrics_registry::set_histogram(const std::string& name, const label_values& labels,
                                     const std::vector<uint64_t>& counts, double sum) {
  std::lock_guard<std::mutex> guard{mtx_};
  auto& f = find(name, labels, metric_type::histogram, metric_type::histogram);
  if (counts.size() != f.bounds.size() + 1)
    throw std::invalid_argument(name + ": one count per bucket and one for +Inf");
  auto& s = f.samples[labels];
  s.counts = counts;
  s.sum = sum;
}

void metrics_registry::clear(const std::string& name) {
  std::lock_guard<std::mutex> guard{mtx_};
  auto i = families_.find(name);
  if (i != families_.end())
    i->second.samples.clear();
}

double metrics_registry::value(const std::string& name, const label_values& labels) const {
  std::lock_guard<std::mutex> guard{mtx_};
  auto i = families_.find(name);
  if (i == families_.end())
    return 0;
  auto s = i->second.samples.find(labels);
  if (s == i->second.samples.end())
    return 0;
  if (i->second.type != metric_type::histogram)
    return s->second.value;
  uint64_t n = 0;
  for (auto c : s->second.counts)
    n += c;
  return static_cast<double>(n);
}

std::string metrics_registry::text() const {
  std::lock_guard<std::mutex> guard{mtx_};
  std::string out;
  for (auto& [name, f] : families_) {
    out += "# HELP " + name + ' ' + escape_help(f.help) + '\n';
    out += "# TYPE " + name + ' ' + to_string(f.type) + '\n';
    for (auto& [labels, s] : f.samples) {
      if (f.type != metric_type::histogram) {
        out += name;
        render_labels(out, f.label_names, labels);
        out += ' ' + format_metric_value(s.value) + '\n';
        continue;
      }
      uint64_t cumulative = 0;
      for (size_t b = 0; b <= f.bounds.size(); ++b) {
        cumulative += b < s.counts.size() ? s.counts[b] : 0;
        out += name + "_bucket";
        render_labels(out, f.label_names, labels, "le",
                      b < f.bounds.size() ? format_metric_value(f.bounds[b]) : "+Inf");
        out += ' ' + std::to_string(cumulative) + '\n';
      }
      out += name + "_sum";
      render_labels(out, f.label_names, labels);
      out += ' ' + format_metric_value(s.sum) + '\n';
      out += name + "_count";
      render_labels(out, f.label_names, labels);
      out += ' ' + std::to_string(cumulative) + '\n';
    }
  }
  return out;
}

} // namespace styx
