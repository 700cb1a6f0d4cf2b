// `styx bench --svg`: a run's timeline as a standalone SVG (runtime/bench.hpp write_svg).
//
// Two panels over one time axis, with round ticks and a legend in a column of its own to the
// right, so that nothing covers the data:
// - instances: a line per state, the achieved created-curve and the ideal one the combined
//   limit allows (runtime/bench_plan.hpp), with both end times marked above the panel;
// - API calls per second (over a 1 s window), with a red tick on its baseline per sample
//   interval that had throttles.

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <iomanip>
#include <string>

#include "runtime/bench.hpp"

namespace styx {

namespace {

constexpr double width = 1060, height = 600;
constexpr double plot_left = 70, plot_right = 790, legend_x = 812;
constexpr double top_a = 60, bottom_a = 360;  // instances
constexpr double top_b = 400, bottom_b = 530; // API calls/s

/// A round step for about `n` ticks up to `max`: 1, 2, 2.5 or 5 times a power of ten.
double nice_step(double max, int n) {
  if (!(max > 0))
    return 1;
  double raw = max / n;
  double mag = std::pow(10, std::floor(std::log10(raw)));
  for (double m : {1.0, 2.0, 2.5, 5.0})
    if (m * mag >= raw - 1e-12)
      return m * mag;
  return 10 * mag;
}

/// The first multiple of `step` at or above `max`.
double round_up(double max, double step) {
  return std::max(step, std::ceil(max / step - 1e-9) * step);
}

/// A tick's words: 20k for 20000, 2.5 for 2.5, 250 for 250.
std::string tick_label(double v) {
  char buf[32];
  if (v >= 10000 && std::fmod(v, 1000) == 0)
    std::snprintf(buf, sizeof(buf), "%gk", v / 1000);
  else
    std::snprintf(buf, sizeof(buf), "%g", v);
  return buf;
}

/// One panel's scales.
struct panel {
  double top, bottom, tmax, ymax;
  double x(double t) const { return plot_left + (plot_right - plot_left) * t / tmax; }
  double y(double v) const { return bottom - (bottom - top) * std::min(v, ymax) / ymax; }
};

/// Grid, y ticks and the frame of `p`; x ticks (labelled when `labels`) every `tstep`.
void axes(std::ostream& out, const panel& p, double ystep, double tstep, bool labels,
          const char* name) {
  for (double v = 0; v <= p.ymax + 1e-9; v += ystep)
    out << "<line x1=\"" << plot_left << "\" y1=\"" << p.y(v) << "\" x2=\"" << plot_right
        << "\" y2=\"" << p.y(v) << "\" stroke=\"#e6e6e6\"/>\n<text x=\"" << plot_left - 6
        << "\" y=\"" << p.y(v) + 4 << "\" text-anchor=\"end\">" << tick_label(v) << "</text>\n";
  for (double t = 0; t <= p.tmax + 1e-9; t += tstep) {
    out << "<line x1=\"" << p.x(t) << "\" y1=\"" << p.top << "\" x2=\"" << p.x(t) << "\" y2=\""
        << p.bottom << "\" stroke=\"#f0f0f0\"/>\n";
    if (labels)
      out << "<text x=\"" << p.x(t) << "\" y=\"" << p.bottom + 16
          << "\" text-anchor=\"middle\">" << tick_label(t) << "</text>\n";
  }
  out << "<rect x=\"" << plot_left << "\" y=\"" << p.top << "\" width=\""
      << plot_right - plot_left << "\" height=\"" << p.bottom - p.top
      << "\" fill=\"none\" stroke=\"black\"/>\n<text transform=\"rotate(-90 16 "
      << (p.top + p.bottom) / 2 << ")\" x=\"16\" y=\"" << (p.top + p.bottom) / 2
      << "\" text-anchor=\"middle\">" << name << "</text>\n";
}

/// A legend entry in the column right of the panels: a swatch and its words.
void legend(std::ostream& out, int& row, const char* color, const std::string& words,
            bool dashed = false) {
  double y = top_a + 4 + 18 * row++;
  out << "<rect x=\"" << legend_x << "\" y=\"" << y << "\" width=\"18\" height=\""
      << (dashed ? 2 : 4) << "\" fill=\"" << color << "\"/>\n<text x=\"" << legend_x + 24
      << "\" y=\"" << y + 5 << "\">" << words << "</text>\n";
}

/// A vertical mark at `t` above the instances panel, its words to one side.
void mark(std::ostream& out, const panel& p, double t, const std::string& words, bool left) {
  out << "<line x1=\"" << p.x(t) << "\" y1=\"" << p.top - 10 << "\" x2=\"" << p.x(t)
      << "\" y2=\"" << p.bottom << "\" stroke=\"#555555\" stroke-dasharray=\"2 3\"/>\n<text x=\""
      << p.x(t) + (left ? -4 : 4) << "\" y=\"" << p.top - 12 << "\" text-anchor=\""
      << (left ? "end" : "start") << "\" fill=\"#555555\">" << words << "</text>\n";
}

/// API calls per second at each sample, over the samples of the second before it.
std::vector<double> call_rates(const std::vector<bench_sample>& tl) {
  std::vector<double> rates(tl.size(), 0);
  size_t from = 0;
  for (size_t i = 1; i < tl.size(); ++i) {
    while (from + 1 < i && tl[i].t - tl[from + 1].t >= 1.0)
      ++from;
    auto dt = tl[i].t - tl[from].t;
    rates[i] = dt > 0 ? static_cast<double>(tl[i].api_calls - tl[from].api_calls) / dt : 0;
  }
  return rates;
}

} // namespace

void write_svg(std::ostream& out, const bench_result& r) {
  auto& tl = r.timeline;
  double tend = std::max({1e-3, tl.empty() ? 0.0 : tl.back().t, r.limit_seconds});
  double tstep = nice_step(tend, 10);
  double ystep = nice_step(std::max(1, r.options.count), 5);
  panel a{top_a, bottom_a, round_up(tend, tstep), round_up(std::max(1, r.options.count), ystep)};
  auto rates = call_rates(tl);
  double max_rate = 1;
  for (auto x : rates)
    max_rate = std::max(max_rate, x);
  double rstep = nice_step(max_rate, 3);
  panel b{top_b, bottom_b, a.tmax, round_up(max_rate, rstep)};
  out << std::fixed << std::setprecision(1)
      << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" << width << "\" height=\"" << height
      << "\" font-family=\"sans-serif\" font-size=\"12\">\n"
      << "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
      << "<text x=\"" << plot_left << "\" y=\"18\" font-size=\"14\">styx bench: "
      << r.options.count << " instances in " << r.requests << " request(s), "
      << r.options.providers << " provider(s), profile " << r.options.profile << ", policy "
      << to_string(r.options.policy) << "</text>\n<text x=\"" << plot_left
      << "\" y=\"36\">all created after " << r.seconds_to_created << " s; combined limit "
      << r.limit_seconds << " s (achieved/limit " << std::setprecision(3)
      << r.achieved_over_limit << std::setprecision(1) << ")</text>\n";
  axes(out, a, ystep, tstep, false, "instances");
  axes(out, b, rstep, tstep, true, "API calls/s");
  out << "<text x=\"" << (plot_left + plot_right) / 2 << "\" y=\"" << bottom_b + 34
      << "\" text-anchor=\"middle\">seconds since the first request</text>\n";
  int row = 0;
  struct series {
    const char* name;
    const char* color;
    int bench_sample::*field;
  };
  const series all[] = {{"requested", "#999999", &bench_sample::requested},
                        {"pending", "#e69f00", &bench_sample::pending},
                        {"running", "#009e73", &bench_sample::running},
                        {"terminated", "#0072b2", &bench_sample::terminated},
                        {"failed", "#d55e00", &bench_sample::failed}};
  for (auto& s : all) {
    out << "<polyline fill=\"none\" stroke=\"" << s.color << "\" stroke-width=\"2\" points=\"";
    for (auto& p : tl)
      out << a.x(p.t) << ',' << a.y(p.*(s.field)) << ' ';
    out << "\"/>\n";
    legend(out, row, s.color, s.name);
  }
  out << "<path fill=\"none\" stroke=\"black\" stroke-width=\"2\" d=\"";
  for (size_t i = 0; i < tl.size(); ++i)
    out << (i ? 'L' : 'M') << a.x(tl[i].t) << ',' << a.y(tl[i].created) << ' ';
  out << "\"/>\n<path fill=\"none\" stroke=\"#6a3d9a\" stroke-width=\"1.5\" "
      << "stroke-dasharray=\"6 4\" d=\"";
  for (size_t i = 0; i < r.ideal.size(); ++i)
    out << (i ? 'L' : 'M') << a.x(r.ideal[i].t) << ',' << a.y(r.ideal[i].instances) << ' ';
  out << "\"/>\n";
  legend(out, row, "black", "created (achieved)");
  legend(out, row, "#6a3d9a", "created (combined limit)", true);
  if (r.limit_seconds > 0)
    mark(out, a, r.limit_seconds, "limit " + tick_label(std::round(r.limit_seconds)) + " s",
         true);
  if (r.seconds_to_created > 0)
    mark(out, a, r.seconds_to_created,
         "all created " + tick_label(std::round(r.seconds_to_created)) + " s", false);
  out << "<polyline fill=\"none\" stroke=\"#cc79a7\" stroke-width=\"1.5\" points=\"";
  for (size_t i = 1; i < tl.size(); ++i)
    out << b.x(tl[i].t) << ',' << b.y(rates[i]) << ' ';
  out << "\"/>\n";
  legend(out, row, "#cc79a7", "API calls/s (max " + tick_label(std::round(max_rate)) + ")");
  // Throttles: a red tick on the calls panel's baseline per sample interval that had any, as
  // tall as the throttles it had (capped).
  uint64_t throttles = 0;
  for (size_t i = 1; i < tl.size(); ++i) {
    auto d = tl[i].throttled - tl[i - 1].throttled;
    if (d == 0)
      continue;
    throttles += d;
    auto tick = 6 + std::min<double>(30, 2.0 * static_cast<double>(d));
    out << "<line x1=\"" << b.x(tl[i].t) << "\" y1=\"" << bottom_b << "\" x2=\"" << b.x(tl[i].t)
        << "\" y2=\"" << bottom_b - tick << "\" stroke=\"#d00000\" stroke-width=\"2\"><title>"
        << d << " throttled at " << tl[i].t << " s</title></line>\n";
  }
  legend(out, row, "#d00000", "throttles (ticks; " + std::to_string(throttles) + " in all)");
  out << "</svg>\n";
}

} // namespace styx
