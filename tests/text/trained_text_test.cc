// The committed trained text models (models/text/trained/<name>/: config.json,
// model.safetensors, tokenizer files), checked against their plain-PyTorch definition and
// across weight precisions. Every checkpoint directory found under the models directory
// (MINT_TRAINED_TEXT_DIR overrides it; CTest's text_trained_on_tiny points it at tiny random
// checkpoints to test this test) is:
//   1. compiled by `mint compile DIR` (f32 weights, f32 KV cache; the tokenizer embedded from
//      the directory);
//   2. for 2 fixed prompts (tokenized by the plan's tokenizer, BOS first when the plan adds
//      it), compared with models/text/make_reference.py run now into the build tree:
//      - logits at every prompt position (one decode step per token from an empty context),
//        and the last position again through one prefill: max_i |mint_i - ref_i| / max_i
//        |ref_i| <= 1e-4 (f32 rounding of sums of a few hundred terms through the layers;
//        the reference computes in f32 from the same f16-rounded weights);
//      - 64 greedy tokens (mint's argmax fed back through decode steps) identical to the
//        reference's; the smallest top-1/top-2 reference margin is printed (a mismatch at a
//        near-tie would show there);
//   3. compiled with f16, int8 and int4 weights; `mint eval text` perplexity on the test split
//      (the first 8 windows of 128 tokens) must stay within bounds of the f32 plan's:
//        f16  <= 1.10x: one rounding of each weight to 2^-11 relative moves logits by ~1e-3,
//             which changes the perplexity by well under 1%;
//        int8 <= 1.10x: per-row symmetric int8 weights (1/254 of the row max per weight) cost
//             small transformers 1-3% perplexity;
//        int4 <= 1.50x: 4-bit groups of 32 (1/14 of the group max per weight) cost small models
//             5-30%; 1.5x still catches a broken quantizer (which gives perplexities near the
//             vocabulary size);
//      and >= 0.90x for all three (a quantized plan scoring much better than f32 means the
//      scoring is wrong, not that the model improved).
// Skips (GTEST_SKIP, with the reason) when no checkpoint directory is there, when the host
// python has no torch (make_reference.py needs it), or, for 3, without the test split
// (/usr/bin/python3 models/text/data.py writes .data/text).
#include <gtest/gtest.h>

#include <dirent.h>
#include <sys/stat.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "runtime/generate/plan_decoder.h"
#include "runtime/model.h"
#include "runtime/session.h"
#include "runtime/tokenizer/tokenizer.h"

namespace mint {
namespace {

const char* const kPrompts[2] = {
    "The President said that the state of our Union is strong, and that",
    "Call me Ishmael. Some years ago, never mind how long precisely, having little",
};
constexpr size_t kGreedy = 64;

std::string env_or(const char* name, const std::string& fallback) {
  const char* v = std::getenv(name);
  return v && *v ? v : fallback;
}

std::string models_dir() {
  return env_or("MINT_TRAINED_TEXT_DIR", std::string(MINT_SOURCE_DIR) + "/models/text/trained");
}

bool exists(const std::string& path) {
  struct stat st {};
  return stat(path.c_str(), &st) == 0;
}

// Subdirectories of models_dir() holding a config.json, sorted.
std::vector<std::string> checkpoint_dirs() {
  std::vector<std::string> out;
  const std::string root = models_dir();
  DIR* d = opendir(root.c_str());
  if (d == nullptr) return out;
  while (dirent* e = readdir(d)) {
    const std::string name = e->d_name;
    if (name == "." || name == "..") continue;
    if (exists(root + "/" + name + "/config.json")) out.push_back(root + "/" + name);
  }
  closedir(d);
  std::sort(out.begin(), out.end());
  return out;
}

std::string base_name(const std::string& dir) { return dir.substr(dir.find_last_of('/') + 1); }

// One work directory per model directory: text_trained and text_trained_on_tiny run at the same
// time under `ctest -j` and both have a "llama" checkpoint, so a shared directory would have one
// test rewrite a plan the other has mapped (SIGBUS).
std::string work_dir() {
  const bool tiny = std::getenv("MINT_TRAINED_TEXT_DIR") != nullptr;
  const std::string w = std::string(MINT_TEST_BINARY_DIR) + (tiny ? "/trained_text_override" : "/trained_text");
  mkdir(w.c_str(), 0755);
  return w;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

// Runs a shell command, its output to `log`; true on exit status 0.
bool run(const std::string& cmd, const std::string& log) {
  return std::system((cmd + " > '" + log + "' 2>&1").c_str()) == 0;
}

bool host_has_torch() {
  return std::system((std::string(MINT_HOST_PYTHON) + " -c 'import torch' > /dev/null 2>&1").c_str()) ==
         0;
}

// `mint compile DIR -o <work>/<name>-<weights>.mint --weights W`; the plan path, or "" (with a
// test failure carrying the log).
std::string compile(const std::string& dir, const std::string& weights) {
  const std::string plan = work_dir() + "/" + base_name(dir) + "-" + weights + ".mint";
  const std::string log = plan + ".log";
  if (!run(std::string(MINT_TOOL_PATH) + " compile '" + dir + "' -o '" + plan + "' --weights " +
               weights,
           log)) {
    ADD_FAILURE() << "mint compile " << dir << " --weights " << weights << ":\n" << read_file(log);
    return "";
  }
  return plan;
}

struct Reference {
  std::vector<int32_t> prompt, greedy;
  std::vector<float> logits;  // [prompt][vocab]
  std::vector<float> margins;
  size_t vocab = 0;
};

bool read_reference(const std::string& path, Reference* r) {
  const std::string b = read_file(path);
  if (b.size() < 12) return false;
  uint32_t h[3];
  std::memcpy(h, b.data(), 12);
  const size_t np = h[0], nn = h[1], v = h[2];
  const size_t want = 12 + 4 * (np + nn + np * v + nn);
  if (b.size() != want) return false;
  r->vocab = v;
  r->prompt.resize(np);
  r->greedy.resize(nn);
  r->logits.resize(np * v);
  r->margins.resize(nn);
  const char* p = b.data() + 12;
  std::memcpy(r->prompt.data(), p, 4 * np);
  p += 4 * np;
  std::memcpy(r->greedy.data(), p, 4 * nn);
  p += 4 * nn;
  std::memcpy(r->logits.data(), p, 4 * np * v);
  p += 4 * np * v;
  std::memcpy(r->margins.data(), p, 4 * nn);
  return true;
}

double rel_error(const float* got, const float* want, size_t n) {
  double diff = 0, scale = 0;
  for (size_t i = 0; i < n; ++i) {
    diff = std::max(diff, std::fabs(double(got[i]) - double(want[i])));
    scale = std::max(scale, std::fabs(double(want[i])));
  }
  return scale > 0 ? diff / scale : diff;
}

int32_t argmax(const float* l, size_t n) { return int32_t(std::max_element(l, l + n) - l); }

TEST(TrainedText, LogitsAndGreedyMatchPyTorch) {
  const std::vector<std::string> dirs = checkpoint_dirs();
  if (dirs.empty()) GTEST_SKIP() << "no checkpoint directory (with config.json) under " << models_dir();
  if (!host_has_torch()) GTEST_SKIP() << MINT_HOST_PYTHON << " has no torch (make_reference.py needs it)";
  for (const std::string& dir : dirs) {
    SCOPED_TRACE(dir);
    const std::string plan = compile(dir, "f32");
    if (plan.empty()) continue;
    auto model = Model::load_file(plan, LoadOptions{});
    ASSERT_TRUE(model.is_ok()) << model.status().message();
    const tokenizer::Tokenizer* tok = model.value()->tokenizer();
    ASSERT_NE(tok, nullptr) << plan << " carries no tokenizer";
    auto session = Session::create(*model.value(), SessionOptions{});
    ASSERT_TRUE(session.is_ok()) << session.status().message();
    auto decoder = generate::make_plan_decoder(*session.value());
    ASSERT_TRUE(decoder.is_ok()) << decoder.status().message();
    generate::TokenDecoder& d = *decoder.value();
    const size_t vocab = d.vocab_size();
    float min_margin = INFINITY;
    double worst = 0;
    for (int k = 0; k < 2; ++k) {
      SCOPED_TRACE(kPrompts[k]);
      std::vector<int32_t> prompt;
      if (model.value()->tokenizer_add_bos()) prompt.push_back(tok->bos_id());
      const std::vector<int32_t> text_ids = tok->encode(kPrompts[k]);
      prompt.insert(prompt.end(), text_ids.begin(), text_ids.end());
      std::string ids;
      for (int32_t id : prompt) ids += (ids.empty() ? "" : ",") + std::to_string(id);
      const std::string ref_path = work_dir() + "/" + base_name(dir) + "-ref" + std::to_string(k) + ".bin";
      ASSERT_TRUE(run(std::string(MINT_HOST_PYTHON) + " " + MINT_SOURCE_DIR +
                          "/models/text/make_reference.py '" + dir + "' --ids " + ids +
                          " --new-tokens " + std::to_string(kGreedy) + " --out '" + ref_path + "'",
                      ref_path + ".log"))
          << read_file(ref_path + ".log");
      Reference ref;
      ASSERT_TRUE(read_reference(ref_path, &ref)) << "malformed " << ref_path;
      ASSERT_EQ(ref.prompt, prompt);
      ASSERT_EQ(ref.vocab, vocab);
      // Every prompt position, one decode step each.
      d.reset();
      std::vector<float> last;
      for (size_t t = 0; t < prompt.size(); ++t) {
        auto l = d.append(&prompt[t], 1);
        ASSERT_TRUE(l.is_ok()) << l.status().message();
        const double e = rel_error(l.value(), &ref.logits[t * vocab], vocab);
        worst = std::max(worst, e);
        EXPECT_LE(e, 1e-4) << "position " << t;
        last.assign(l.value(), l.value() + vocab);
      }
      // Greedy continuation.
      std::vector<int32_t> greedy;
      for (size_t s = 0; s < kGreedy; ++s) {
        greedy.push_back(argmax(last.data(), vocab));
        if (s + 1 == kGreedy) break;
        auto l = d.append(&greedy.back(), 1);
        ASSERT_TRUE(l.is_ok()) << l.status().message();
        last.assign(l.value(), l.value() + vocab);
      }
      for (size_t s = 0; s < kGreedy; ++s) {
        min_margin = std::min(min_margin, ref.margins[s]);
        if (greedy[s] != ref.greedy[s]) {
          ADD_FAILURE() << "greedy token " << s << ": mint " << greedy[s] << ", reference "
                        << ref.greedy[s] << " (reference top-1/top-2 margin " << ref.margins[s] << ")";
          break;
        }
      }
      // The last prompt position again, through one prefill.
      d.reset();
      auto l = d.append(prompt.data(), prompt.size());
      ASSERT_TRUE(l.is_ok()) << l.status().message();
      const double e = rel_error(l.value(), &ref.logits[(prompt.size() - 1) * vocab], vocab);
      worst = std::max(worst, e);
      EXPECT_LE(e, 1e-4) << "prefill of " << prompt.size() << " tokens";
    }
    std::printf("%s: worst logits relative error %.3g; %zu greedy tokens x 2 prompts; smallest "
                "reference top-1/top-2 margin %.4g\n",
                base_name(dir).c_str(), worst, kGreedy, min_margin);
  }
}

// "perplexity": value of `mint eval text --json`, or NaN.
double json_number(const std::string& json, const std::string& key) {
  const size_t k = json.find("\"" + key + "\"");
  if (k == std::string::npos) return NAN;
  size_t p = json.find(':', k);
  if (p == std::string::npos) return NAN;
  return std::strtod(json.c_str() + p + 1, nullptr);
}

TEST(TrainedText, QuantizedPerplexityWithinBounds) {
  const std::vector<std::string> dirs = checkpoint_dirs();
  if (dirs.empty()) GTEST_SKIP() << "no checkpoint directory (with config.json) under " << models_dir();
  const std::string data = env_or("MINT_TEXT_DATA_DIR", std::string(MINT_SOURCE_DIR) + "/.data/text");
  if (!exists(data + "/test.txt")) {
    GTEST_SKIP() << "no " << data << "/test.txt (write it with /usr/bin/python3 models/text/data.py)";
  }
  struct Bound {
    const char* weights;
    double max_ratio;
  };
  const Bound bounds[] = {{"f16", 1.10}, {"int8", 1.10}, {"int4", 1.50}};
  for (const std::string& dir : dirs) {
    SCOPED_TRACE(dir);
    auto ppl_of = [&](const std::string& weights) {
      const std::string plan = compile(dir, weights);
      if (plan.empty()) return double(NAN);
      const std::string out = plan + ".eval.json";
      if (!run(std::string(MINT_TOOL_PATH) + " eval text '" + plan + "' --data '" + data +
                   "' --ctx 128 --chunks 8 --bleu-prompts 0 --distinct-samples 0 --threads 1 --json",
               out)) {
        ADD_FAILURE() << "mint eval text " << plan << ":\n" << read_file(out);
        return double(NAN);
      }
      return json_number(read_file(out), "perplexity");
    };
    const double f32 = ppl_of("f32");
    ASSERT_TRUE(std::isfinite(f32) && f32 >= 1.0) << "f32 perplexity " << f32;
    std::printf("%s: test perplexity (8 windows of 128) f32 %.4f", base_name(dir).c_str(), f32);
    for (const Bound& b : bounds) {
      const double q = ppl_of(b.weights);
      std::printf(", %s %.4f (%.4fx)", b.weights, q, q / f32);
      EXPECT_TRUE(std::isfinite(q)) << b.weights;
      EXPECT_LE(q / f32, b.max_ratio) << b.weights << " perplexity " << q << " vs f32 " << f32;
      EXPECT_GE(q / f32, 0.90) << b.weights << " perplexity " << q << " vs f32 " << f32;
    }
    std::printf("\n");
  }
}

}  // namespace
}  // namespace mint
