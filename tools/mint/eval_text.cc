// mint eval text PLAN: perplexity, BLEU, distinct-n, speed and memory of a text plan on the
// corpus of models/text/data.py (method in text_usage() below and docs/architecture.md).
#include <sys/resource.h>
#include <sys/stat.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <limits>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "evaluation/plan_cost.h"
#include "evaluation/text_metrics.h"
#include "runtime/generate/generate.h"
#include "runtime/generate/plan_decoder.h"
#include "runtime/model.h"
#include "runtime/session.h"
#include "tools/mint/peak_rss.h"
#include "tools/mint/eval_cmd.h"
#include "tools/mint/json_writer.h"

using mint::tool::peak_rss_kib;

namespace mint::tool {
namespace {

constexpr size_t kPromptTokens = 32;  // BLEU and distinct prompts
constexpr size_t kNewTokens = 32;     // continuation length

int text_usage() {
  std::fprintf(
      stderr,
      "usage: mint eval text PLAN [--split test|validation] [--data DIR] [--ctx N] [--chunks N]\n"
      "                           [--bleu-prompts N] [--distinct-samples N] [--threads 1,2]\n"
      "                           [--json]\n"
      "  The split: DIR/<split>.txt (default DIR .data/text, written by\n"
      "    /usr/bin/python3 models/text/data.py): documents, each followed by a line holding\n"
      "    only \"\\x1e\". Its token stream: each document tokenized with the plan's tokenizer\n"
      "    (no BOS), documents joined with the tokenizer's EOS between them (none if it has\n"
      "    no EOS).\n"
      "  perplexity: as llama-perplexity (evaluation/text_metrics.h): windows of --ctx tokens\n"
      "    (default 128) back to back, the first token replaced by BOS when the plan's prompts\n"
      "    start with BOS (SentencePiece), the second half of each window scored; --chunks N\n"
      "    caps the windows (default 0: all). Logits: prefill of the first ctx/2+1 tokens, then\n"
      "    one decode step per scored position.\n"
      "  BLEU (--bleu-prompts N, default 32; 0: skip): N windows of 64 tokens starting every\n"
      "    floor((T - 64) / N) tokens of the T-token stream (at least 64 apart, so fewer when T\n"
      "    is short); prompt = the first 32 tokens (after BOS when the plan adds it),\n"
      "    hypothesis = 32 greedy tokens (EOS does not stop), reference = the window's last\n"
      "    32 tokens, both detokenized; sacrebleu corpus BLEU (13a, exp smoothing).\n"
      "  distinct-1/2 (--distinct-samples N, default 32; 0: skip): the same windows for N\n"
      "    prompts, 32 tokens sampled at temperature 1.0, top-k 50, seed 1000 + i for the\n"
      "    i-th; distinct n-grams / all n-grams over the detokenized continuations (words).\n"
      "  speed (--threads list, default 1,2): per thread count, 3 runs of the first BLEU\n"
      "    prompt (32 tokens) + 32 greedy tokens, medians of prefill tokens/s, decode tokens/s\n"
      "    and time to first token. Quality metrics run on the first thread count.\n"
      "  memory: peak RSS (VmHWM) at the end; plan size: the file's bytes; params\n"
      "    (--json): evaluation/plan_cost.h's count.\n");
  return 2;
}

struct TextArgs {
  std::string plan, split = "test", data = ".data/text";
  size_t ctx = 128, chunks = 0, bleu_prompts = 32, distinct_samples = 32;
  std::vector<size_t> threads{1, 2};
  bool json = false;
};

bool parse_size(const char* s, size_t* out) {
  char* end = nullptr;
  const unsigned long long v = std::strtoull(s, &end, 10);
  if (end == s || *end != '\0' || s[0] == '-' || v > 100000000ull) return false;
  *out = size_t(v);
  return true;
}

bool parse_text_args(int argc, char** argv, TextArgs* a) {
  std::vector<std::string> positional;
  for (int i = 3; i < argc; ++i) {
    const std::string k = argv[i];
    const bool has = i + 1 < argc;
    if (k == "--json") {
      a->json = true;
    } else if (k == "--split" && has) {
      a->split = argv[++i];
      if (a->split != "test" && a->split != "validation") return false;
    } else if (k == "--data" && has) {
      a->data = argv[++i];
    } else if (k == "--ctx" && has) {
      if (!parse_size(argv[++i], &a->ctx) || a->ctx < 4) return false;
    } else if (k == "--chunks" && has) {
      if (!parse_size(argv[++i], &a->chunks)) return false;
    } else if (k == "--bleu-prompts" && has) {
      if (!parse_size(argv[++i], &a->bleu_prompts)) return false;
    } else if (k == "--distinct-samples" && has) {
      if (!parse_size(argv[++i], &a->distinct_samples)) return false;
    } else if (k == "--threads" && has) {
      a->threads.clear();
      std::stringstream ss(argv[++i]);
      std::string item;
      while (std::getline(ss, item, ',')) {
        size_t t = 0;
        if (!parse_size(item.c_str(), &t) || t < 1 || t > 256) return false;
        a->threads.push_back(t);
      }
      if (a->threads.empty()) return false;
    } else if (!k.empty() && k[0] == '-') {
      return false;
    } else {
      positional.push_back(k);
    }
  }
  if (positional.size() != 1) return false;
  a->plan = positional[0];
  return true;
}

int fail(const Status& st) {
  std::fprintf(stderr, "mint: error: %s\n", st.message().c_str());
  return 1;
}

// The documents of a split file (models/text/data.py read_split_file): separated by, and
// ended with, "\n\x1e\n".
Result<std::vector<std::string>> read_documents(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return Status::io_error("cannot open '" + path +
                            "' (write it with /usr/bin/python3 models/text/data.py)");
  }
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const std::string sep = "\n\x1e\n";
  std::vector<std::string> docs;
  size_t start = 0;
  while (start < text.size()) {
    const size_t end = text.find(sep, start);
    if (end == std::string::npos) {
      docs.push_back(text.substr(start));
      break;
    }
    docs.push_back(text.substr(start, end - start));
    start = end + sep.size();
  }
  if (docs.empty()) return Status::invalid_argument("'" + path + "' holds no document");
  return docs;
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0.0 : v[v.size() / 2];
}

struct Speed {
  size_t threads = 0;
  double prefill_tps = 0, decode_tps = 0, ttft_ms = 0;
};

// Holds a session and its decoder.
struct Runner {
  std::unique_ptr<Session> session;
  std::unique_ptr<generate::TokenDecoder> decoder;
  static Result<Runner> open(const Model& model, size_t threads) {
    Runner r;
    SessionOptions so;
    so.num_threads = threads;
    MINT_ASSIGN_OR_RETURN(r.session, Session::create(model, so));
    MINT_ASSIGN_OR_RETURN(r.decoder, generate::make_plan_decoder(*r.session));
    return r;
  }
};

// A continuation of `prompt` (ids; bos prepended by the caller), new tokens only.
Result<std::vector<int32_t>> continue_ids(generate::TokenDecoder& d,
                                          const tokenizer::Tokenizer& tok,
                                          const std::vector<int32_t>& prompt,
                                          const generate::SamplerOptions& sampling,
                                          generate::GenerateStats* stats = nullptr) {
  d.reset();
  generate::GenerateOptions o;
  o.sampling = sampling;
  o.max_new_tokens = kNewTokens;
  o.stop_at_eos = false;
  std::vector<int32_t> out;
  generate::GenerateState state;
  MINT_ASSIGN_OR_RETURN(generate::GenerateStats s,
                        generate::generate(d, tok, "", prompt, o,
                                           [&](int32_t id, std::string_view) {
                                             if (id >= 0) out.push_back(id);
                                             return true;
                                           },
                                           &state));
  if (stats) *stats = s;
  // Streamed ids are every sampled token (stop tokens are off); the flush callback has -1.
  return out;
}

}  // namespace

int cmd_eval_text(int argc, char** argv) {
  TextArgs a;
  if (!parse_text_args(argc, argv, &a)) return text_usage();
  auto model_r = Model::load_file(a.plan, LoadOptions{});
  if (!model_r.is_ok()) return fail(model_r.status().with_context(a.plan));
  const Model& model = *model_r.value();
  const tokenizer::Tokenizer* tok = model.tokenizer();
  if (tok == nullptr) {
    return fail(Status::invalid_argument(a.plan + ": the plan carries no tokenizer (compile a "
                                         "checkpoint directory with its tokenizer files)"));
  }
  const int32_t bos = model.tokenizer_add_bos() ? tok->bos_id() : -1;
  const std::string split_path = a.data + "/" + a.split + ".txt";
  auto docs = read_documents(split_path);
  if (!docs.is_ok()) return fail(docs.status());
  std::vector<int32_t> stream;
  for (size_t i = 0; i < docs.value().size(); ++i) {
    if (i > 0 && tok->eos_id() >= 0) stream.push_back(tok->eos_id());
    const std::vector<int32_t> ids = tok->encode(docs.value()[i]);
    stream.insert(stream.end(), ids.begin(), ids.end());
  }
  struct stat st {};
  const uint64_t plan_bytes = stat(a.plan.c_str(), &st) == 0 ? uint64_t(st.st_size) : 0;

  // Speed first (a fresh session per thread count), then quality on the first count.
  std::vector<Speed> speeds;
  std::vector<int32_t> bench_prompt;
  if (bos >= 0) bench_prompt.push_back(bos);
  bench_prompt.insert(bench_prompt.end(), stream.begin(),
                      stream.begin() + std::min(stream.size(), kPromptTokens));
  generate::SamplerOptions greedy;
  greedy.temperature = 0.0f;
  std::unique_ptr<Runner> runner;
  for (size_t threads : a.threads) {
    auto r = Runner::open(model, threads);
    if (!r.is_ok()) return fail(r.status());
    runner = std::make_unique<Runner>(std::move(r).value());
    std::vector<double> pf, dc, tt;
    for (int rep = 0; rep < 3; ++rep) {
      generate::GenerateStats s;
      auto ids = continue_ids(*runner->decoder, *tok, bench_prompt, greedy, &s);
      if (!ids.is_ok()) return fail(ids.status().with_context("speed run"));
      pf.push_back(s.prefill_tokens_per_s());
      dc.push_back(s.decode_tokens_per_s());
      tt.push_back(s.time_to_first_token_s * 1e3);
    }
    speeds.push_back({threads, median(pf), median(dc), median(tt)});
  }
  if (a.threads.size() > 1) {  // quality on the first thread count (results do not depend on it)
    auto r = Runner::open(model, a.threads.front());
    if (!r.is_ok()) return fail(r.status());
    runner = std::make_unique<Runner>(std::move(r).value());
  }
  generate::TokenDecoder& d = *runner->decoder;
  const size_t vocab = d.vocab_size();

  // Perplexity.
  eval::PerplexityOptions po;
  po.n_ctx = a.ctx;
  po.bos = bos;
  po.max_chunks = a.chunks;
  if (a.ctx > d.context_length()) {
    return fail(Status::invalid_argument("--ctx " + std::to_string(a.ctx) +
                                         " exceeds the plan's context of " +
                                         std::to_string(d.context_length())));
  }
  auto window_logits = [&](const std::vector<int32_t>& window, std::vector<float>* out) -> Status {
    const size_t n = window.size(), half = n / 2;
    out->assign(n * vocab, std::numeric_limits<float>::quiet_NaN());  // rows < n/2: not scored
    d.reset();
    MINT_ASSIGN_OR_RETURN(const float* l, d.append(window.data(), half + 1));
    std::copy(l, l + vocab, out->data() + half * vocab);
    for (size_t j = half + 1; j + 1 < n; ++j) {
      MINT_ASSIGN_OR_RETURN(l, d.append(&window[j], 1));
      std::copy(l, l + vocab, out->data() + j * vocab);
    }
    return Status::ok();
  };
  auto ppl = eval::perplexity(stream, vocab, window_logits, po);
  if (!ppl.is_ok()) return fail(ppl.status().with_context("perplexity on " + split_path));

  // Prompt windows of 64 tokens, at least 64 apart.
  auto windows = [&](size_t n) {
    std::vector<size_t> starts;
    const size_t span = kPromptTokens + kNewTokens;
    if (n == 0 || stream.size() < span) return starts;
    const size_t step = std::max(span, (stream.size() - span) / n);
    for (size_t k = 0; k < n && k * step + span <= stream.size(); ++k) starts.push_back(k * step);
    return starts;
  };
  auto prompt_at = [&](size_t start) {
    std::vector<int32_t> p;
    if (bos >= 0) p.push_back(bos);
    p.insert(p.end(), stream.begin() + long(start), stream.begin() + long(start + kPromptTokens));
    return p;
  };
  auto text_of = [&](const std::vector<int32_t>& ids) -> Result<std::string> {
    return tok->decode(ids);
  };

  eval::BleuScore bleu;
  size_t bleu_n = 0;
  if (a.bleu_prompts > 0) {
    std::vector<std::string> hyps;
    std::vector<std::vector<std::string>> refs(1);
    for (size_t start : windows(a.bleu_prompts)) {
      auto ids = continue_ids(d, *tok, prompt_at(start), greedy);
      if (!ids.is_ok()) return fail(ids.status().with_context("BLEU prompt"));
      auto hyp = text_of(ids.value());
      const std::vector<int32_t> ref_ids(stream.begin() + long(start + kPromptTokens),
                                         stream.begin() + long(start + kPromptTokens + kNewTokens));
      auto ref = text_of(ref_ids);
      if (!hyp.is_ok()) return fail(hyp.status());
      if (!ref.is_ok()) return fail(ref.status());
      hyps.push_back(hyp.value());
      refs[0].push_back(ref.value());
    }
    bleu_n = hyps.size();
    auto b = eval::corpus_bleu(hyps, refs);
    if (!b.is_ok()) return fail(b.status());
    bleu = b.value();
  }

  eval::Distinct d1, d2;
  size_t distinct_n = 0;
  if (a.distinct_samples > 0) {
    std::vector<std::string> texts;
    const std::vector<size_t> starts = windows(a.distinct_samples);
    for (size_t i = 0; i < starts.size(); ++i) {
      generate::SamplerOptions s;
      s.temperature = 1.0f;
      s.top_k = 50;
      s.seed = 1000 + i;
      auto ids = continue_ids(d, *tok, prompt_at(starts[i]), s);
      if (!ids.is_ok()) return fail(ids.status().with_context("distinct sample"));
      auto text = text_of(ids.value());
      if (!text.is_ok()) return fail(text.status());
      texts.push_back(text.value());
    }
    distinct_n = texts.size();
    auto r1 = eval::distinct_n(texts, 1);
    auto r2 = eval::distinct_n(texts, 2);
    if (!r1.is_ok()) return fail(r1.status());
    if (!r2.is_ok()) return fail(r2.status());
    d1 = r1.value();
    d2 = r2.value();
  }
  const uint64_t rss = peak_rss_kib();

  const eval::Perplexity& p = ppl.value();
  if (a.json) {
    JsonWriter j;
    j.begin_object().value("command", "eval text").value("plan", a.plan);
    j.value("split", a.split).value("stream_tokens", uint64_t(stream.size()));
    j.value("ctx", uint64_t(a.ctx)).value("perplexity", p.ppl).value("mean_nll", p.mean_nll);
    j.value("scored_tokens", uint64_t(p.scored)).value("chunks", uint64_t(p.chunks));
    j.value("bleu_prompts", uint64_t(bleu_n)).value("bleu", bleu.score).value("bleu_bp", bleu.bp);
    j.value("distinct_samples", uint64_t(distinct_n));
    j.value("distinct_1", d1.ratio).value("distinct_2", d2.ratio);
    j.begin_array("speed");
    for (const Speed& s : speeds) {
      j.begin_object().value("threads", uint64_t(s.threads));
      j.value("prefill_tokens_per_s", s.prefill_tps).value("decode_tokens_per_s", s.decode_tps);
      j.value("time_to_first_token_ms", s.ttft_ms).end_object();
    }
    j.end_array();
    j.value("peak_rss_kib", rss).value("plan_bytes", plan_bytes);
    j.value("params", eval::plan_cost(model).params).end_object();
    std::printf("%s\n", j.str().c_str());
  } else {
    std::printf("%s on %s (%zu tokens)\n", a.plan.c_str(), split_path.c_str(), stream.size());
    std::printf("perplexity %.4f (ctx %zu, %zu windows, %llu tokens scored)\n", p.ppl, a.ctx,
                p.chunks, (unsigned long long)p.scored);
    if (bleu_n > 0) {
      std::printf("BLEU %.2f (%zu prompts of %zu tokens, %zu greedy tokens, BP %.3f)\n",
                  bleu.score, bleu_n, kPromptTokens, kNewTokens, bleu.bp);
    }
    if (distinct_n > 0) {
      std::printf("distinct-1 %.4f, distinct-2 %.4f (%zu samples, T 1.0, top-k 50)\n", d1.ratio,
                  d2.ratio, distinct_n);
    }
    for (const Speed& s : speeds) {
      std::printf("threads %zu: prefill %.1f tokens/s, decode %.1f tokens/s, time to first "
                  "token %.2f ms\n",
                  s.threads, s.prefill_tps, s.decode_tps, s.ttft_ms);
    }
    std::printf("peak RSS %llu KiB, plan %llu bytes\n", (unsigned long long)rss,
                (unsigned long long)plan_bytes);
  }
  return 0;
}

}  // namespace mint::tool
