#include "tools/mint/text_bench.h"

#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "evaluation/plan_cost.h"
#include "runtime/generate/plan_decoder.h"
#include "tools/mint/json_writer.h"
#include "tools/mint/peak_rss.h"

namespace mint::tool {
namespace {

struct Stats {
  double median = 0, min = 0, max = 0;
  size_t n = 0;
};

Stats stats(std::vector<double> v) {
  Stats s;
  if (v.empty()) return s;
  std::sort(v.begin(), v.end());
  const size_t mid = v.size() / 2;
  s.median = v.size() % 2 ? v[mid] : 0.5 * (v[mid - 1] + v[mid]);
  s.min = v.front();
  s.max = v.back();
  s.n = v.size();
  return s;
}

double cpu_seconds() {
  struct rusage u {};
  getrusage(RUSAGE_SELF, &u);
  return double(u.ru_utime.tv_sec + u.ru_stime.tv_sec) + 1e-6 * double(u.ru_utime.tv_usec + u.ru_stime.tv_usec);
}

int32_t argmax(const float* l, size_t n) { return static_cast<int32_t>(std::max_element(l, l + n) - l); }

struct RunTimes {
  double prefill_s = 0, decode_s = 0, prefill_cpu_s = 0, decode_cpu_s = 0;
  std::vector<int32_t> tokens;  // greedy tokens: the prefill's, then one per decode step
};

Result<RunTimes> generate_once(generate::TokenDecoder& d, const std::vector<int32_t>& prompt, size_t steps) {
  using clock = std::chrono::steady_clock;
  RunTimes r;
  d.reset();
  const auto t0 = clock::now();
  const double c0 = cpu_seconds();
  MINT_ASSIGN_OR_RETURN(const float* l, d.append(prompt.data(), prompt.size()));
  int32_t tok = argmax(l, d.vocab_size());
  const auto t1 = clock::now();
  const double c1 = cpu_seconds();
  r.tokens.push_back(tok);
  for (size_t i = 0; i < steps; ++i) {
    MINT_ASSIGN_OR_RETURN(l, d.append(&tok, 1));
    tok = argmax(l, d.vocab_size());
    r.tokens.push_back(tok);
  }
  const auto t2 = clock::now();
  r.prefill_s = std::chrono::duration<double>(t1 - t0).count();
  r.decode_s = std::chrono::duration<double>(t2 - t1).count();
  r.prefill_cpu_s = c1 - c0;
  r.decode_cpu_s = cpu_seconds() - c1;
  return r;
}

// Per-op-kind time of `segment`'s nodes over the profiled run, in ms per call of the segment
// (`calls`), largest first: (op name [kernel] weight shape, ms, nodes).
struct ProfileLine {
  std::string what;
  double ms = 0;
  size_t nodes = 0;
};

// Per-op times of the segments named `segment` or `segment`_<T> (the prefill chunks), summed
// over their nodes that ran (seconds > 0), per call.
std::vector<ProfileLine> profile_lines(const Session& session, const std::string& segment,
                                       const std::vector<double>& seconds, size_t calls) {
  const Model& m = session.model();
  std::vector<ProfileLine> lines;
  if (calls == 0) return lines;
  for (const SegmentDesc& seg : m.segments()) {
    if (seg.name != segment && seg.name.rfind(segment + "_", 0) != 0) continue;
    for (size_t i = seg.first_op; i < seg.first_op + seg.op_count && i < seconds.size(); ++i) {
      if (seconds[i] <= 0) continue;
      std::string what = m.op_definitions()[i]->name;
      const std::string kernel = session.nodes()[i]->kernel_name();
      if (!kernel.empty()) what += " [" + kernel + "]";
      const OpView& op = m.ops()[i];
      if (op.inputs.size() > 1 && op.inputs[1] != nullptr && op.inputs[1]->shape.rank >= 2 &&
          (what.rfind("fully_connected", 0) == 0 || what.rfind("matmul", 0) == 0)) {
        what += " w";
        for (size_t d = 0; d < op.inputs[1]->shape.rank; ++d) what += (d ? "x" : " ") + std::to_string(op.inputs[1]->shape[d]);
      }
      auto it = std::find_if(lines.begin(), lines.end(), [&](const ProfileLine& l) { return l.what == what; });
      if (it == lines.end()) it = lines.insert(lines.end(), ProfileLine{what, 0.0, 0});
      it->ms += seconds[i] * 1e3 / double(calls);
      it->nodes += 1;
    }
  }
  std::sort(lines.begin(), lines.end(), [](const ProfileLine& a, const ProfileLine& b) { return a.ms > b.ms; });
  return lines;
}

void put(JsonWriter& j, const char* key, const Stats& s) {
  j.begin_object(key).value("median", s.median).value("min", s.min).value("max", s.max);
  j.value("n", uint64_t(s.n)).end_object();
}

}  // namespace

int cmd_decode_bench(const DecodeBenchOptions& o) {
  auto fail = [](const Status& st) {
    std::fprintf(stderr, "mint: error: %s\n", st.message().c_str());
    return 1;
  };
  auto model = Model::load_file(o.plan, LoadOptions{});
  if (!model.is_ok()) return fail(model.status().with_context(o.plan));
  SessionOptions so;
  so.num_threads = o.threads;
  auto session = Session::create(*model.value(), so);
  if (!session.is_ok()) return fail(session.status());
  auto decoder = generate::make_plan_decoder(*session.value());
  if (!decoder.is_ok()) return fail(decoder.status().with_context(o.plan));
  generate::TokenDecoder& d = *decoder.value();
  std::vector<int32_t> ids = o.prompt_ids;
  if (ids.empty()) {
    for (size_t i = 0; i < o.prompt; ++i) ids.push_back(static_cast<int32_t>((i * 7919 + 13) % d.vocab_size()));
  }
  if (ids.empty() || o.runs == 0 || ids.size() + o.tokens > d.context_length()) {
    return fail(Status::invalid_argument("want a prompt of at least 1 token, --runs >= 1, and prompt (" +
                                         std::to_string(ids.size()) + ") + tokens (" + std::to_string(o.tokens) +
                                         ") within the context of " + std::to_string(d.context_length())));
  }
  // Warm-up (as ort_decode.js): a short prompt and two steps.
  const std::vector<int32_t> warm(ids.begin(), ids.begin() + long(std::min<size_t>(16, ids.size())));
  auto w = generate_once(d, warm, std::min<size_t>(2, o.tokens));
  if (!w.is_ok()) return fail(w.status());
  std::vector<double> prefill, ttft, decode, prefill_cpu, decode_cpu;
  std::vector<int32_t> tokens;
  for (size_t rep = 0; rep < o.runs; ++rep) {
    auto r = generate_once(d, ids, o.tokens);
    if (!r.is_ok()) return fail(r.status());
    const RunTimes& t = r.value();
    prefill.push_back(double(ids.size()) / t.prefill_s);
    ttft.push_back(t.prefill_s * 1e3);
    if (o.tokens > 0) {
      decode.push_back(double(o.tokens) / t.decode_s);
      decode_cpu.push_back(t.decode_cpu_s * 1e3 / double(o.tokens));
    }
    prefill_cpu.push_back(t.prefill_cpu_s * 1e3 / double(ids.size()));
    tokens = t.tokens;
  }
  const uint64_t rss = peak_rss_kib();
  const Stats pf = stats(prefill), dc = stats(decode);
  // --profile: one more run with per-node timing (the timed runs above are not affected).
  std::vector<ProfileLine> prof_prefill, prof_decode;
  if (o.profile) {
    std::vector<double> seconds;
    session.value()->set_profile(&seconds);
    auto r = generate_once(d, ids, o.tokens);
    session.value()->set_profile(nullptr);
    if (!r.is_ok()) return fail(r.status());
    // The prompt's prefill runs, whatever segments they took.
    prof_prefill = profile_lines(*session.value(), "prefill", seconds, 1);
    prof_decode = profile_lines(*session.value(), "decode", seconds, o.tokens);
    auto print = [&](const char* title, const std::vector<ProfileLine>& lines, const char* unit) {
      double total = 0;
      for (const auto& l : lines) total += l.ms;
      std::fprintf(stderr, "%s profile (%s, threads %zu): %.3f ms\n", title, unit, o.threads, total);
      for (const auto& l : lines) {
        std::fprintf(stderr, "  %8.3f ms %5.1f%%  %3zu x %s\n", l.ms, total > 0 ? 100.0 * l.ms / total : 0.0,
                     l.nodes, l.what.c_str());
      }
    };
    print("prefill", prof_prefill, "per prompt");
    print("decode", prof_decode, "per token");
  }
  if (!o.json) {
    std::printf("%s: threads %zu, isa %s\n", o.plan.c_str(), o.threads, isa_name(session.value()->isa()));
    std::printf("prefill %zu tokens: %.1f tokens/s; decode %zu tokens: %.2f tokens/s (median of %zu)\n",
                ids.size(), pf.median, o.tokens, dc.median, o.runs);
    return 0;
  }
  const eval::PlanCost cost = eval::plan_cost(*model.value());
  JsonWriter j;
  j.begin_object().value("engine", "mint").value("plan", o.plan);
  j.value("isa", isa_name(session.value()->isa())).value("threads", uint64_t(o.threads));
  j.value("prompt_tokens", uint64_t(ids.size())).value("decode_tokens", uint64_t(o.tokens));
  j.value("runs", uint64_t(o.runs));
  put(j, "prefill_tok_s", pf);
  put(j, "decode_tok_s", dc);
  put(j, "ttft_ms", stats(ttft));
  put(j, "prefill_cpu_ms_per_tok", stats(prefill_cpu));
  put(j, "decode_cpu_ms_per_tok", stats(decode_cpu));
  j.begin_array("first_tokens");
  for (size_t i = 0; i < std::min<size_t>(8, tokens.size()); ++i) j.value(nullptr, uint64_t(tokens[i]));
  j.end_array();
  j.value("peak_rss_kib", rss).value("plan_bytes", cost.file_size).value("params", cost.params);
  j.value("constant_bytes", cost.constant_bytes);
  j.value("kv_cache_bytes", uint64_t(model.value()->state_size()));
  j.value("arena_bytes", uint64_t(model.value()->arena_size()));
  j.value("context_length", uint64_t(d.context_length()));
  if (o.profile) {
    for (const auto* part : {&prof_prefill, &prof_decode}) {
      j.begin_array(part == &prof_prefill ? "profile_prefill_ms" : "profile_decode_ms_per_token");
      for (const ProfileLine& l : *part) {
        j.begin_object().value("op", l.what).value("ms", l.ms).value("nodes", uint64_t(l.nodes)).end_object();
      }
      j.end_array();
    }
  }
  j.end_object();
  std::printf("%s\n", j.str().c_str());
  return 0;
}

}  // namespace mint::tool
