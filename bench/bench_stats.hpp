// Benchmark support: medians, percentiles, and the machine and load lines both benchmarks print.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <ctime>
#include <fstream>
#include <string>
#include <sys/utsname.h>
#include <thread>
#include <vector>

namespace echochat::bench {

// The nearest-rank percentile (p in 0..100) of `v`; NaN when empty.
inline double percentile(std::vector<double> v, double p) {
  if (v.empty()) return std::nan("");
  std::sort(v.begin(), v.end());
  const double rank = std::ceil(p / 100.0 * static_cast<double>(v.size()));
  const auto i = static_cast<std::size_t>(std::clamp(rank, 1.0, static_cast<double>(v.size()))) - 1;
  return v[i];
}

// The median (the mean of the middle two for an even count); NaN when empty.
inline double median(std::vector<double> v) {
  if (v.empty()) return std::nan("");
  std::sort(v.begin(), v.end());
  const std::size_t n = v.size();
  return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2.0;
}

// "2026-11-25, 2 CPUs (AMD EPYC), Linux 6.1.0": today, the CPU count and model, the kernel.
inline std::string machine_line() {
  std::string model = "unknown CPU";
  std::ifstream cpuinfo("/proc/cpuinfo");
  for (std::string line; std::getline(cpuinfo, line);) {
    if (line.starts_with("model name")) {
      model = line.substr(line.find(':') + 2);
      break;
    }
  }
  char date[32] = "?";
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  if (localtime_r(&now, &tm) != nullptr) std::strftime(date, sizeof date, "%Y-%m-%d", &tm);
  utsname u{};
  const std::string kernel = ::uname(&u) == 0 ? std::string{u.sysname} + " " + u.release : "unknown kernel";
  return std::string{date} + ", " + std::to_string(std::thread::hardware_concurrency()) + " CPUs (" + model +
         "), " + kernel;
}

// "0.52 0.61 0.70": the load averages over 1, 5 and 15 minutes, to judge how noisy a run was.
inline std::string load_average() {
  std::ifstream in("/proc/loadavg");
  std::string one, five, fifteen;
  if (!(in >> one >> five >> fifteen)) return "unknown";
  return one + " " + five + " " + fifteen;
}

}  // namespace echochat::bench
