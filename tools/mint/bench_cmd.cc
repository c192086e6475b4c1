// mint bench: latency at each thread count over repeated runs, peak memory, and the plan's
// static cost (evaluation/plan_cost.h).
//
// Inputs are filled once with seeded uniform values in [-1, 1) (f32; other dtypes zero).
// Per thread count: one session, `warmup` untimed runs, then `runs` timed runs
// (steady_clock around mint_session_run). Statistics over the timed runs: median (mean of the
// two middle values for an even count), p90 (nearest rank: the ceil(0.9 n)-th smallest), min,
// max and spread = (max - min) / median in percent. Peak RSS is the process high-water mark
// (VmHWM of /proc/self/status; getrusage's ru_maxrss where /proc is missing) after all runs:
// the plan mapping, arenas and pools of every session created so far.
//
// --profile (opt-in, after the timings): per thread count, one more session through the
// internal API (runtime/session.h Session::set_profile: each node timed separately, so the
// sum exceeds a plain run by the clock reads), the same warm-up and runs, then per op its
// median milliseconds, share of the summed medians, op name, output dtype and kernel.
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "evaluation/plan_cost.h"
#include "mint/mint.h"
#include "runtime/model.h"
#include "runtime/session.h"
#include "tools/mint/peak_rss.h"
#include "tools/mint/eval_cmd.h"
#include "tools/mint/json_writer.h"

using mint::tool::peak_rss_kib;

namespace mint::tool {
namespace {

int bench_usage() {
  std::fprintf(
      stderr,
      "usage: mint bench PLAN [--threads 1,2] [--runs N] [--warmup W] [--isa ISA] [--json]\n"
      "                  [--profile]   (per-op median times; with --json, a \"profile\" array)\n"
      "  defaults: --threads 1, --runs 50, --warmup 5\n");
  return 2;
}

struct LatencyStats {
  size_t threads = 1;
  std::string isa;
  double median = 0, p90 = 0, min = 0, max = 0, spread_pct = 0;
};

bool parse_list(const std::string& s, std::vector<size_t>* out) {
  size_t pos = 0;
  while (pos <= s.size()) {
    const size_t comma = std::min(s.find(',', pos), s.size());
    const std::string item = s.substr(pos, comma - pos);
    char* end = nullptr;
    const unsigned long v = std::strtoul(item.c_str(), &end, 10);
    if (item.empty() || *end != '\0' || item[0] == '-' || v == 0 || v > 1024) return false;
    out->push_back(v);
    pos = comma + 1;
  }
  return !out->empty();
}

int fail_c(mint_status st) {
  std::fprintf(stderr, "mint: error (%s): %s\n", mint_status_string(st), mint_last_error());
  return 1;
}

// Runs one session at `threads`; fills *stats.
int bench_threads(mint_model_t model, size_t threads, const std::string& isa, size_t runs,
                  size_t warmup, LatencyStats* stats) {
  mint_session_options options;
  mint_session_options_init(&options);
  options.num_threads = threads;
  options.max_isa = isa.empty() ? nullptr : isa.c_str();
  mint_session_t session = nullptr;
  mint_status st = mint_session_create(model, &options, &session);
  if (st != mint_status_success) return fail_c(st);
  size_t inputs = 0;
  mint_model_input_count(model, &inputs);
  std::mt19937 rng(42);
  std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
  for (size_t i = 0; i < inputs && st == mint_status_success; ++i) {
    mint_tensor_info info{};
    info.size = sizeof(info);
    mint_model_input_info(model, i, &info);
    std::vector<uint8_t> data(info.byte_size, 0);
    if (info.dtype == mint_dtype_f32) {
      for (size_t j = 0; j + 4 <= data.size(); j += 4) {
        const float v = dist(rng);
        std::memcpy(&data[j], &v, 4);
      }
    }
    st = mint_session_set_input(session, i, data.data(), data.size());
  }
  std::vector<double> ms;
  for (size_t r = 0; r < warmup + runs && st == mint_status_success; ++r) {
    const auto t0 = std::chrono::steady_clock::now();
    st = mint_session_run(session);
    const auto t1 = std::chrono::steady_clock::now();
    if (r >= warmup) ms.push_back(std::chrono::duration<double, std::milli>(t1 - t0).count());
  }
  if (st != mint_status_success) {
    const int rc = fail_c(st);
    mint_session_free(session);
    return rc;
  }
  const char* used = "";
  mint_session_isa(session, &used);
  stats->isa = used;
  mint_session_free(session);
  std::sort(ms.begin(), ms.end());
  const size_t n = ms.size();
  stats->threads = threads;
  stats->median = n % 2 ? ms[n / 2] : 0.5 * (ms[n / 2 - 1] + ms[n / 2]);
  stats->p90 = ms[size_t(std::ceil(0.9 * double(n))) - 1];
  stats->min = ms.front();
  stats->max = ms.back();
  stats->spread_pct = stats->median > 0 ? 100.0 * (stats->max - stats->min) / stats->median : 0.0;
  return 0;
}

double median_of(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  return n == 0 ? 0.0 : n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

struct OpProfile {
  size_t threads = 1;
  std::vector<double> median_ms;  // per op
};

// Per-op medians over `runs` profiled runs (after `warmup`) of one internal session.
Status profile_threads(const Model& model, size_t threads, const std::string& isa, size_t runs,
                       size_t warmup, OpProfile* out) {
  SessionOptions options;
  options.num_threads = threads;
  options.max_isa = isa.empty() ? nullptr : isa.c_str();
  MINT_ASSIGN_OR_RETURN(auto session, Session::create(model, options));
  std::mt19937 rng(42);
  std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
  for (size_t i = 0; i < model.inputs().size(); ++i) {
    const TensorDesc& t = model.tensors()[size_t(model.inputs()[i])];
    std::vector<uint8_t> data(t.byte_size, 0);
    if (t.dtype == DType::f32) {
      for (size_t j = 0; j + 4 <= data.size(); j += 4) {
        const float v = dist(rng);
        std::memcpy(&data[j], &v, 4);
      }
    }
    MINT_RETURN_IF_ERROR(session->set_input(i, data.data(), data.size()));
  }
  const size_t ops = session->nodes().size();
  std::vector<std::vector<double>> per_op(ops);
  std::vector<double> seconds;
  session->set_profile(&seconds);
  for (size_t r = 0; r < warmup + runs; ++r) {
    std::fill(seconds.begin(), seconds.end(), 0.0);
    MINT_RETURN_IF_ERROR(session->run());
    if (r < warmup) continue;
    for (size_t i = 0; i < ops; ++i) per_op[i].push_back(seconds[i] * 1e3);
  }
  session->set_profile(nullptr);
  out->threads = threads;
  out->median_ms.clear();
  for (size_t i = 0; i < ops; ++i) out->median_ms.push_back(median_of(per_op[i]));
  return Status::ok();
}

std::string op_dtype(const Model& model, size_t i) {
  const OpView& op = model.ops()[i];
  return op.outputs.empty() || op.outputs[0] == nullptr ? "-" : dtype_name(op.outputs[0]->dtype);
}

}  // namespace

int cmd_bench(int argc, char** argv) {
  if (argc < 3) return bench_usage();
  std::string path, isa;
  std::vector<size_t> threads;
  size_t runs = 50, warmup = 5;
  bool json = false, profile = false;
  for (int i = 2; i < argc; ++i) {
    const std::string k = argv[i];
    const bool has = i + 1 < argc;
    if (k == "--json") {
      json = true;
    } else if (k == "--profile") {
      profile = true;
    } else if (k == "--threads" && has) {
      if (!parse_list(argv[++i], &threads)) return bench_usage();
    } else if ((k == "--runs" || k == "--warmup") && has) {
      char* end = nullptr;
      const char* s = argv[++i];
      const unsigned long v = std::strtoul(s, &end, 10);
      if (end == s || *end != '\0' || s[0] == '-' || v > 1000000) return bench_usage();
      (k == "--runs" ? runs : warmup) = v;
    } else if (k == "--isa" && has) {
      isa = argv[++i];
    } else if (!k.empty() && k[0] == '-') {
      std::fprintf(stderr, "mint: unknown or incomplete option '%s'\n", k.c_str());
      return bench_usage();
    } else if (path.empty()) {
      path = k;
    } else {
      return bench_usage();
    }
  }
  if (path.empty() || runs == 0) return bench_usage();
  if (threads.empty()) threads.push_back(1);

  // Static cost from the validated plan (internal API), latency through the C ABI.
  auto loaded = Model::load_file(path, {});
  if (!loaded.is_ok()) {
    std::fprintf(stderr, "mint: error: %s\n", loaded.status().message().c_str());
    return 1;
  }
  const eval::PlanCost cost = eval::plan_cost(*loaded.value());
  std::string batch = "";
  for (int32_t id : loaded.value()->inputs()) {
    const Shape& s = loaded.value()->tensors()[size_t(id)].shape;
    batch += (batch.empty() ? "" : ",") + (s.rank ? std::to_string(s[0]) : std::string("1"));
  }
  std::vector<OpProfile> profiles;
  std::vector<std::string> kernels;
  if (profile) {
    for (size_t t : threads) {
      OpProfile p;
      Status pst = profile_threads(*loaded.value(), t, isa, runs, warmup, &p);
      if (!pst.is_ok()) {
        std::fprintf(stderr, "mint: error: profile: %s\n", pst.message().c_str());
        return 1;
      }
      profiles.push_back(std::move(p));
    }
    SessionOptions options;
    options.max_isa = isa.empty() ? nullptr : isa.c_str();
    auto session = Session::create(*loaded.value(), options);
    if (session.is_ok()) {
      for (const auto& node : session.value()->nodes()) kernels.push_back(node->kernel_name());
    }
  }
  std::vector<std::string> op_names, op_dtypes;
  for (size_t i = 0; profile && i < loaded.value()->ops().size(); ++i) {
    op_names.push_back(loaded.value()->op_definitions()[i]->name);
    op_dtypes.push_back(op_dtype(*loaded.value(), i));
  }
  loaded.value().reset();

  mint_model_t model = nullptr;
  mint_status st = mint_model_load_file(path.c_str(), nullptr, &model);
  if (st != mint_status_success) return fail_c(st);
  std::vector<LatencyStats> results;
  for (size_t t : threads) {
    LatencyStats s;
    if (int rc = bench_threads(model, t, isa, runs, warmup, &s)) {
      mint_model_free(model);
      return rc;
    }
    results.push_back(s);
  }
  mint_model_free(model);
  const uint64_t rss = peak_rss_kib();

  if (json) {
    JsonWriter j;
    j.begin_object().value("command", "bench").value("plan", path);
    j.value("plan_bytes", cost.file_size).value("constant_bytes", cost.constant_bytes);
    j.value("params", cost.params).value("macs", cost.macs).value("flops", cost.flops);
    j.value("input_batch", batch).value("runs", uint64_t(runs)).value("warmup", uint64_t(warmup));
    j.begin_array("latency_ms");
    for (const LatencyStats& s : results) {
      j.begin_object().value("threads", uint64_t(s.threads)).value("isa", s.isa);
      j.value("median", s.median).value("p90", s.p90).value("min", s.min).value("max", s.max);
      j.value("spread_pct", s.spread_pct).end_object();
    }
    j.end_array();
    j.value("peak_rss_kib", rss);
    if (profile) {
      j.begin_array("profile");
      for (const OpProfile& p : profiles) {
        for (size_t i = 0; i < p.median_ms.size(); ++i) {
          j.begin_object().value("threads", uint64_t(p.threads)).value("op", uint64_t(i));
          j.value("name", op_names[i]).value("dtype", op_dtypes[i]);
          j.value("kernel", i < kernels.size() ? kernels[i] : std::string());
          j.value("median_ms", p.median_ms[i]).end_object();
        }
      }
      j.end_array();
    }
    j.end_object();
    std::printf("%s\n", j.str().c_str());
    return 0;
  }
  std::printf(
      "plan %s: %llu bytes (constants %llu), %llu parameters, %llu MACs = %llu FLOPs per run "
      "(2 x MACs of conv, transposed conv, fully connected, matmul), input batch %s\n",
      path.c_str(), (unsigned long long)cost.file_size, (unsigned long long)cost.constant_bytes,
      (unsigned long long)cost.params, (unsigned long long)cost.macs,
      (unsigned long long)cost.flops, batch.c_str());
  std::printf("%zu timed runs after %zu warm-up runs\n", runs, warmup);
  std::printf("%8s %-11s %10s %10s %10s %10s %8s\n", "threads", "kernels", "median ms", "p90 ms",
              "min ms", "max ms", "spread");
  for (const LatencyStats& s : results) {
    std::printf("%8zu %-11s %10.4f %10.4f %10.4f %10.4f %7.1f%%\n", s.threads, s.isa.c_str(),
                s.median, s.p90, s.min, s.max, s.spread_pct);
  }
  std::printf("peak RSS %llu KiB\n", (unsigned long long)rss);
  for (const OpProfile& p : profiles) {
    double total = 0;
    for (double v : p.median_ms) total += v;
    std::printf("\nprofile, %zu thread(s): per-op median ms over %zu runs (sum %.4f ms)\n",
                p.threads, runs, total);
    std::printf("%4s %10s %6s  %-20s %-5s %s\n", "op", "median ms", "share", "name", "out",
                "kernel");
    for (size_t i = 0; i < p.median_ms.size(); ++i) {
      std::printf("%4zu %10.4f %5.1f%%  %-20s %-5s %s\n", i, p.median_ms[i],
                  total > 0 ? 100.0 * p.median_ms[i] / total : 0.0, op_names[i].c_str(),
                  op_dtypes[i].c_str(), i < kernels.size() ? kernels[i].c_str() : "");
    }
  }
  return 0;
}

}  // namespace mint::tool
