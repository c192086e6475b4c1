// Peak resident set size of this process, for the tool's cost reports.
//
// peak_rss_kib(): VmHWM from /proc/self/status in KiB, or getrusage's ru_maxrss (KiB on Linux)
// where /proc is not mounted. Never fails; 0 only if both are unavailable.
#pragma once

#include <sys/resource.h>

#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <string>

namespace mint::tool {

inline uint64_t peak_rss_kib() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmHWM:", 0) == 0) return std::strtoull(line.c_str() + 6, nullptr, 10);
  }
  struct rusage usage {};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<uint64_t>(usage.ru_maxrss);
}

}  // namespace mint::tool
