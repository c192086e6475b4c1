// Helpers for the evaluation tests (tests/eval_*_test.cc): a temporary folder, raw file
// writers, and runs of the Python references in tests/eval/reference.py.
//
// The references run with /usr/bin/python3 (Debian's numpy, scipy, matplotlib; override with
// $MINT_PYTHON). They print "key value" lines, returned as a map. In cross builds (tests under
// qemu) the Python comparisons are skipped; natively a missing interpreter or module FAILS
// the test (scripts/install-deps.sh installs them).
#pragma once

#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

namespace mint::eval_test {

inline std::string source_dir() {
  if (const char* env = std::getenv("MINT_SOURCE_DIR")) return env;
  std::string file = __FILE__;  // <root>/tests/eval_test_util.h
  for (int i = 0; i < 2; ++i) file = file.substr(0, file.find_last_of('/'));
  return file;
}

inline std::string python() {
  if (const char* env = std::getenv("MINT_PYTHON")) return env;
  return "/usr/bin/python3";
}

class TempDir {
 public:
  TempDir() {
    char tmpl[] = "/tmp/mint_eval_test_XXXXXX";
    const char* d = mkdtemp(tmpl);
    path_ = d ? d : "/tmp";
  }
  ~TempDir() {
    if (path_ != "/tmp") std::system(("rm -rf '" + path_ + "'").c_str());
  }
  std::string file(const std::string& name) const { return path_ + "/" + name; }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

template <typename T>
void write_raw(const std::string& path, const std::vector<T>& v) {
  std::ofstream out(path, std::ios::binary);
  out.write(reinterpret_cast<const char*>(v.data()), std::streamsize(v.size() * sizeof(T)));
}

inline std::vector<uint8_t> read_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::vector<uint8_t>((std::istreambuf_iterator<char>(in)),
                              std::istreambuf_iterator<char>());
}

inline void write_lines(const std::string& path, const std::vector<std::string>& lines) {
  std::ofstream out(path, std::ios::binary);
  for (const auto& l : lines) out << l << '\n';
}

// Runs `command` and returns its "key value" lines; *ok is false when it fails.
inline std::map<std::string, std::string> run_lines(const std::string& command, bool* ok,
                                                    std::string* all = nullptr) {
  std::map<std::string, std::string> kv;
  FILE* p = popen(command.c_str(), "r");
  if (!p) {
    *ok = false;
    return kv;
  }
  std::string text;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof(buf), p)) > 0) text.append(buf, n);
  *ok = pclose(p) == 0;
  if (all) *all = text;
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) {
    const size_t sp = line.find(' ');
    if (sp == std::string::npos) continue;
    const std::string key = line.substr(0, sp);
    if (kv.count(key)) {
      kv[key] += "\n" + line.substr(sp + 1);
    } else {
      kv[key] = line.substr(sp + 1);
    }
  }
  return kv;
}

// Runs tests/eval/reference.py with `args`; ADD_FAILURE and returns {} if it fails.
inline std::map<std::string, std::string> reference(const std::string& args) {
  const std::string cmd = python() + " " + source_dir() + "/tests/eval/reference.py " + args;
  bool ok = false;
  std::string all;
  auto kv = run_lines(cmd + " 2>&1", &ok, &all);
  if (!ok) {
    ADD_FAILURE() << "reference failed: " << cmd << "\n" << all;
    return {};
  }
  return kv;
}

inline double as_double(const std::map<std::string, std::string>& kv, const std::string& key) {
  auto it = kv.find(key);
  return it == kv.end() ? std::nan("") : std::strtod(it->second.c_str(), nullptr);
}

}  // namespace mint::eval_test

#ifdef MINT_CROSSCOMPILING
#define MINT_SKIP_IF_NO_PYTHON() GTEST_SKIP() << "Python references are not run in cross builds"
#else
#define MINT_SKIP_IF_NO_PYTHON() \
  do {                           \
  } while (0)
#endif
