// Structured attention-head pruning (compiler/hf/prune_heads.h) on the tiny checkpoints of
// make_text_checkpoints.py (gpt2: 4 heads, multi-head; llama: 4 heads in 2 KV groups), with a
// calibration text written here.
//   Removal: a pruned plan's logits equal those of the unpruned model whose removed heads'
//     output-projection inputs are zeroed (computed by mint from the same graph, and by
//     models/text/make_reference.py in PyTorch on a checkpoint zeroed by zero_heads.py):
//     max_i |mint_i - ref_i| / max_i |ref_i| <= 1e-4 at every prompt position (f32 rounding;
//     the pruned sums just skip the zero terms). The plan has exactly the removed weights
//     fewer (graph constants) and a KV cache of the kept KV heads.
//   Ranking: heads whose W_o columns are zero score exactly 0 and are removed first, also in
//     the GQA patterns (a zero group is removed whole; one zero head per group is the r = 1
//     pattern).
//   R = 0: the same logits, bit for bit, as the unpruned plan.
//   Bad input: R outside [0, 1], R removing every head, an R the KV groups cannot lose
//     evenly, a missing or empty calibration file, no tokenizer: invalid_argument / io_error
//     with a message naming it.
// The PyTorch comparison skips without torch.
#include <gtest/gtest.h>

#include <sys/stat.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "compiler/compile.h"
#include "compiler/hf/hf_import.h"
#include "compiler/hf/prune_heads.h"
#include "compiler/tokenizer_import.h"
#include "runtime/generate/plan_decoder.h"
#include "runtime/model.h"
#include "runtime/session.h"
#include "runtime/tokenizer/tokenizer.h"

namespace mint {
namespace {

using compiler::Graph;
using compiler::HeadPruneOptions;
using compiler::HeadPruneReport;
using compiler::HfImportOptions;

const std::string kCkDir = MINT_TEXT_CK_DIR;

std::string work_dir() {
  const std::string w = std::string(MINT_TEST_BINARY_DIR) + "/prune_heads";
  mkdir(w.c_str(), 0755);
  return w;
}

std::string write_text(const std::string& name, const std::string& text) {
  const std::string path = work_dir() + "/" + name;
  std::ofstream(path, std::ios::binary) << text;
  return path;
}

std::string calibration_file() {
  std::string text;
  for (int i = 0; i < 6; ++i) {
    text += "The quick brown fox jumps over the lazy dog. It was the best of times, it was the worst of times.\n"
            "Call me Ishmael. Some years ago, never mind how long precisely, I thought I would sail about.\n";
  }
  return write_text("calibration.txt", text);
}

HfImportOptions import_options() {
  HfImportOptions o;
  o.context = 64;
  o.prefill_chunks = {8};
  return o;
}

HeadPruneOptions prune_options(const std::string& dir, double ratio) {
  HeadPruneOptions p;
  p.ratio = ratio;
  p.calibration_text = calibration_file();
  p.calibration_tokens = 100;
  auto tok = compiler::checkpoint_plan_tokenizer(dir);
  EXPECT_TRUE(tok.is_ok()) << tok.status().message();
  if (tok.is_ok()) p.tokenizer = tok.value();
  return p;
}

// Elements of the graph's constants.
int64_t parameters(const Graph& g) {
  int64_t n = 0;
  for (const compiler::Value& v : g.values) {
    if (v.kind == compiler::ValueKind::kConstant) n += g.element_count(static_cast<compiler::ValueId>(&v - g.values.data()));
  }
  return n;
}

// Zeroes the output-projection columns of `removed` heads (per layer) in an unpruned graph.
void zero_heads(Graph& g, const std::vector<std::vector<int64_t>>& removed, int64_t head_dim) {
  for (size_t l = 0; l < removed.size(); ++l) {
    for (const compiler::Node& node : g.nodes) {
      if (node.name != "prefill.l" + std::to_string(l) + ".o") continue;
      compiler::Value& w = g.values[node.inputs[1]];
      std::vector<uint8_t> bytes = *w.data;
      float* f = reinterpret_cast<float*>(bytes.data());
      const int64_t rows = w.shape[0], cols = w.shape[1];
      for (int64_t h : removed[l]) {
        for (int64_t r = 0; r < rows; ++r) std::fill(f + r * cols + h * head_dim, f + r * cols + (h + 1) * head_dim, 0.0f);
      }
      w.data = std::make_shared<const std::vector<uint8_t>>(std::move(bytes));
    }
  }
}

struct Plan {
  std::unique_ptr<uint8_t, decltype(&std::free)> bytes{nullptr, &std::free};
  std::unique_ptr<Model> model;
  std::unique_ptr<Session> session;
  std::unique_ptr<generate::TokenDecoder> decoder;
};

std::unique_ptr<Plan> load(Graph graph, const compiler::PlanTokenizer& tok) {
  compiler::CompileOptions co;
  co.tokenizer = tok;
  auto bytes = compiler::compile(std::move(graph), co);
  EXPECT_TRUE(bytes.is_ok()) << bytes.status().message();
  if (!bytes.is_ok()) return nullptr;
  auto p = std::make_unique<Plan>();
  const size_t size = bytes.value().size();
  p->bytes.reset(static_cast<uint8_t*>(std::aligned_alloc(64, (size + 63) / 64 * 64)));
  std::memcpy(p->bytes.get(), bytes.value().data(), size);
  auto model = Model::load_memory(p->bytes.get(), size, LoadOptions{});
  EXPECT_TRUE(model.is_ok()) << model.status().message();
  if (!model.is_ok()) return nullptr;
  p->model = std::move(model).value();
  auto session = Session::create(*p->model, SessionOptions{});
  EXPECT_TRUE(session.is_ok()) << session.status().message();
  if (!session.is_ok()) return nullptr;
  p->session = std::move(session).value();
  auto decoder = generate::make_plan_decoder(*p->session);
  EXPECT_TRUE(decoder.is_ok()) << decoder.status().message();
  if (!decoder.is_ok()) return nullptr;
  p->decoder = std::move(decoder).value();
  return p;
}

std::vector<int32_t> prompt_ids(const Plan& p) {
  std::vector<int32_t> ids;
  if (p.model->tokenizer_add_bos()) ids.push_back(p.model->tokenizer()->bos_id());
  const auto text = p.model->tokenizer()->encode("It was the best of times, and the dog jumped over a fox");
  ids.insert(ids.end(), text.begin(), text.end());
  return ids;
}

// Logits at every prompt position (decode steps), then the last again through one prefill.
std::vector<std::vector<float>> logits(Plan& p, const std::vector<int32_t>& ids) {
  std::vector<std::vector<float>> out;
  const size_t v = p.decoder->vocab_size();
  p.decoder->reset();
  for (int32_t id : ids) {
    auto l = p.decoder->append(&id, 1);
    EXPECT_TRUE(l.is_ok()) << l.status().message();
    if (!l.is_ok()) return out;
    out.emplace_back(l.value(), l.value() + v);
  }
  p.decoder->reset();
  auto l = p.decoder->append(ids.data(), ids.size());
  EXPECT_TRUE(l.is_ok()) << l.status().message();
  if (l.is_ok()) out.emplace_back(l.value(), l.value() + v);
  return out;
}

double rel_error(const std::vector<float>& got, const std::vector<float>& want) {
  double diff = 0, scale = 0;
  for (size_t i = 0; i < got.size() && i < want.size(); ++i) {
    diff = std::max(diff, std::fabs(double(got[i]) - double(want[i])));
    scale = std::max(scale, std::fabs(double(want[i])));
  }
  return scale > 0 ? diff / scale : diff;
}

constexpr int64_t kHeadDim = 8;  // both models: hidden 32, 4 heads

struct Case {
  const char* model;
  double ratio;
  size_t removed_per_layer;
};
void PrintTo(const Case& c, std::ostream* os) { *os << c.model << " R=" << c.ratio; }

class PruneHeads : public ::testing::TestWithParam<Case> {};

TEST_P(PruneHeads, LogitsEqualTheModelWithTheHeadsZeroed) {
  const Case c = GetParam();
  const std::string dir = kCkDir + "/" + c.model;
  const HeadPruneOptions prune = prune_options(dir, c.ratio);
  HeadPruneReport report;
  auto pruned = compiler::import_hf_checkpoint_pruned(dir, import_options(), prune, &report);
  ASSERT_TRUE(pruned.is_ok()) << pruned.status().message();
  std::printf("%s", compiler::format_head_report(report).c_str());
  ASSERT_EQ(report.removed.size(), 2u);
  int64_t removed_q = 0, removed_kv = 0;
  for (size_t l = 0; l < 2; ++l) {
    EXPECT_EQ(report.removed[l].size(), c.removed_per_layer) << "layer " << l;
    removed_q += static_cast<int64_t>(report.removed[l].size());
    removed_kv += static_cast<int64_t>(report.kv_removed[l].size());
  }
  EXPECT_EQ(report.tokens, 100u);
  EXPECT_NE(pruned.value().metadata.count("prune.heads.removed"), 0u);

  auto reference = compiler::import_hf_checkpoint(dir, import_options());
  ASSERT_TRUE(reference.is_ok()) << reference.status().message();
  // Removed weights: q rows and o columns of each query head, k and v rows of each KV head
  // (hidden 32, head_dim 8), and GPT-2's q/k/v biases.
  const int64_t D = kHeadDim, hidden = 32;
  int64_t want = removed_q * 2 * D * hidden + removed_kv * 2 * D * hidden;
  if (std::string(c.model) == "gpt2") want += removed_q * 3 * D;
  EXPECT_EQ(parameters(reference.value()) - parameters(pruned.value()), want);
  zero_heads(reference.value(), report.removed, D);

  auto a = load(std::move(pruned).value(), prune.tokenizer);
  auto b = load(std::move(reference).value(), prune.tokenizer);
  ASSERT_TRUE(a && b);
  // KV cache: 2 tensors [64, kv_heads * 8] f32 per layer.
  EXPECT_EQ(b->model->state_size() - a->model->state_size(), size_t(removed_kv) * 2 * 64 * 8 * sizeof(float));
  const std::vector<int32_t> ids = prompt_ids(*a);
  const auto la = logits(*a, ids), lb = logits(*b, ids);
  ASSERT_EQ(la.size(), lb.size());
  double worst = 0;
  for (size_t i = 0; i < la.size(); ++i) worst = std::max(worst, rel_error(la[i], lb[i]));
  std::printf("%s R=%g: max relative error %.3g over %zu positions\n", c.model, c.ratio, worst, la.size());
  EXPECT_LE(worst, 1e-4);
}

INSTANTIATE_TEST_SUITE_P(Tiny, PruneHeads,
                         ::testing::Values(Case{"gpt2", 0.25, 1}, Case{"gpt2", 0.5, 2}, Case{"llama", 0.5, 2},
                                           Case{"llama", 0.75, 3}),
                         [](const auto& info) {
                           return std::string(info.param.model) + "_" +
                                  std::to_string(static_cast<int>(info.param.ratio * 100));
                         });

// The importer's removal for the other layouts (tests/hf's tiny checkpoints, no tokenizer):
// qwen2 (q/k/v biases, 3 layers) and phi3 (fused qkv_proj), kept heads given directly, against
// the unpruned graph with the other heads' W_o columns zeroed.
TEST(PruneHeadsImporter, KeptHeadsEqualZeroedHeadsForQwen2AndPhi3) {
  struct K {
    const char* model;
    std::vector<std::vector<int64_t>> kept;
  };
  for (const K& k : {K{"qwen2", {{0, 2}, {0, 1}, {0, 1, 2, 3}}}, K{"phi3", {{1, 3}, {2, 3}}}}) {
    SCOPED_TRACE(k.model);
    const std::string dir = std::string(MINT_HF_TINY_DIR) + "/" + k.model;
    HfImportOptions o = import_options();
    o.kept_heads = k.kept;
    auto pruned = compiler::import_hf_checkpoint(dir, o);
    ASSERT_TRUE(pruned.is_ok()) << pruned.status().message();
    auto reference = compiler::import_hf_checkpoint(dir, import_options());
    ASSERT_TRUE(reference.is_ok()) << reference.status().message();
    std::vector<std::vector<int64_t>> removed;
    for (const auto& kept : k.kept) {
      removed.emplace_back();
      for (int64_t h = 0; h < 4; ++h) {
        if (std::find(kept.begin(), kept.end(), h) == kept.end()) removed.back().push_back(h);
      }
    }
    zero_heads(reference.value(), removed, kHeadDim);
    auto a = load(std::move(pruned).value(), {});
    auto b = load(std::move(reference).value(), {});
    ASSERT_TRUE(a && b);
    const std::vector<int32_t> ids = {5, 17, 42, 8, 99, 0, 63, 21, 7, 7, 30, 12};
    const auto la = logits(*a, ids), lb = logits(*b, ids);
    ASSERT_EQ(la.size(), lb.size());
    double worst = 0;
    for (size_t i = 0; i < la.size(); ++i) worst = std::max(worst, rel_error(la[i], lb[i]));
    EXPECT_LE(worst, 1e-4);
    EXPECT_LT(a->model->state_size(), b->model->state_size());
  }
}

// Heads with zero W_o columns score 0 and go first.
TEST(PruneHeadsRanking, ZeroedHeadsScoreZeroAndAreRemovedFirst) {
  struct Z {
    const char* model;
    double ratio;
    std::vector<std::vector<int64_t>> zeroed;
  };
  // llama layer 0: group 1 (heads 2, 3) zero -> removed whole; layer 1: one head per group.
  for (const Z& z : {Z{"gpt2", 0.25, {{2}, {0}}}, Z{"gpt2", 0.5, {{1, 3}, {0, 2}}}, Z{"llama", 0.5, {{2, 3}, {0, 3}}}}) {
    SCOPED_TRACE(z.model);
    const std::string dir = kCkDir + "/" + z.model;
    auto graph = compiler::import_hf_checkpoint(dir, import_options());
    ASSERT_TRUE(graph.is_ok()) << graph.status().message();
    zero_heads(graph.value(), z.zeroed, kHeadDim);
    const HeadPruneOptions prune = prune_options(dir, z.ratio);
    auto tokens = compiler::read_calibration_tokens(prune.calibration_text, prune.tokenizer, 100);
    ASSERT_TRUE(tokens.is_ok()) << tokens.status().message();
    HeadPruneReport r;
    r.heads = 4;
    r.kv_heads = std::string(z.model) == "gpt2" ? 4 : 2;
    auto scores = compiler::score_attention_heads(graph.value(), tokens.value(),
                                                  prune.tokenizer.add_bos ? prune.tokenizer.bos_id : -1);
    ASSERT_TRUE(scores.is_ok()) << scores.status().message();
    r.scores = scores.value();
    for (size_t l = 0; l < 2; ++l) {
      for (int64_t h = 0; h < 4; ++h) {
        const bool zero = std::count(z.zeroed[l].begin(), z.zeroed[l].end(), h) > 0;
        if (zero) {
          EXPECT_EQ(r.scores[l][h], 0.0) << "layer " << l << " head " << h;
        } else {
          EXPECT_GT(r.scores[l][h], 0.0) << "layer " << l << " head " << h;
        }
      }
    }
    ASSERT_TRUE(compiler::select_heads_to_remove(z.ratio, &r).is_ok());
    EXPECT_EQ(r.removed, z.zeroed);
  }
  // The GQA pattern choice on given scores: whole group when it is cheapest, else r per group.
  HeadPruneReport r;
  r.heads = 4;
  r.kv_heads = 2;
  r.scores = {{5, 4, 1, 1}, {1, 5, 5, 1}};
  ASSERT_TRUE(compiler::select_heads_to_remove(0.5, &r).is_ok());
  EXPECT_EQ(r.removed, (std::vector<std::vector<int64_t>>{{2, 3}, {0, 3}}));
  EXPECT_EQ(r.kv_removed, (std::vector<std::vector<int64_t>>{{1}, {}}));
  EXPECT_EQ(r.kept, (std::vector<std::vector<int64_t>>{{0, 1}, {1, 2}}));
  ASSERT_TRUE(compiler::select_heads_to_remove(0.75, &r).is_ok());  // G = 1, r = 1
  EXPECT_EQ(r.removed, (std::vector<std::vector<int64_t>>{{1, 2, 3}, {0, 1, 3}}));
  // Ties: equal totals prefer whole groups (smaller KV cache), then lower indices.
  r.scores = {{1, 1, 1, 1}, {2, 2, 2, 2}};
  ASSERT_TRUE(compiler::select_heads_to_remove(0.5, &r).is_ok());
  EXPECT_EQ(r.removed, (std::vector<std::vector<int64_t>>{{0, 1}, {0, 1}}));
  r.kv_heads = 4;  // multi-head: the lowest n, ties by index
  r.scores = {{3, 1, 2, 1}, {0, 0, 0, 0}};
  ASSERT_TRUE(compiler::select_heads_to_remove(0.5, &r).is_ok());
  EXPECT_EQ(r.removed, (std::vector<std::vector<int64_t>>{{1, 3}, {0, 1}}));
}

TEST(PruneHeads, RatioZeroGivesTheUnprunedOutputs) {
  for (const char* m : {"gpt2", "llama"}) {
    SCOPED_TRACE(m);
    const std::string dir = kCkDir + std::string("/") + m;
    const HeadPruneOptions prune = prune_options(dir, 0.0);
    HeadPruneReport report;
    auto pruned = compiler::import_hf_checkpoint_pruned(dir, import_options(), prune, &report);
    ASSERT_TRUE(pruned.is_ok()) << pruned.status().message();
    for (const auto& l : report.removed) EXPECT_TRUE(l.empty());
    EXPECT_EQ(pruned.value().metadata["prune.heads.removed"], "0:;1:");
    auto plain = compiler::import_hf_checkpoint(dir, import_options());
    ASSERT_TRUE(plain.is_ok());
    auto a = load(std::move(pruned).value(), prune.tokenizer);
    auto b = load(std::move(plain).value(), prune.tokenizer);
    ASSERT_TRUE(a && b);
    const std::vector<int32_t> ids = prompt_ids(*a);
    const auto la = logits(*a, ids), lb = logits(*b, ids);
    ASSERT_EQ(la.size(), lb.size());
    for (size_t i = 0; i < la.size(); ++i) {
      ASSERT_EQ(la[i].size(), lb[i].size());
      EXPECT_EQ(std::memcmp(la[i].data(), lb[i].data(), la[i].size() * sizeof(float)), 0) << "position " << i;
    }
  }
}

void expect_error(const std::string& dir, HeadPruneOptions prune, const std::string& fragment) {
  SCOPED_TRACE(fragment);
  auto g = compiler::import_hf_checkpoint_pruned(dir, import_options(), prune, nullptr);
  ASSERT_FALSE(g.is_ok());
  EXPECT_NE(g.status().message().find(fragment), std::string::npos) << g.status().message();
}

TEST(PruneHeads, BadInputIsAClearError) {
  const std::string gpt2 = kCkDir + "/gpt2", llama = kCkDir + "/llama";
  for (double r : {-0.1, 1.5, double(NAN)}) expect_error(gpt2, prune_options(gpt2, r), "is outside [0, 1)");
  expect_error(gpt2, prune_options(gpt2, 0.9), "would remove all 4 attention heads");
  expect_error(gpt2, prune_options(gpt2, 1.0), "would remove all 4 attention heads");
  expect_error(llama, prune_options(llama, 0.25),
               "removes 1 of 4 query heads per layer, which 2 KV groups of 2 heads cannot lose evenly; "
               "removable counts: 2 (R 0.5), 3 (R 0.75)");
  HeadPruneOptions p = prune_options(gpt2, 0.25);
  p.calibration_text = work_dir() + "/no-such-file.txt";
  expect_error(gpt2, p, "no-such-file.txt");
  p.calibration_text = write_text("empty.txt", "");
  expect_error(gpt2, p, "is empty");
  p = prune_options(gpt2, 0.25);
  p.tokenizer = {};
  expect_error(gpt2, p, "needs the checkpoint's tokenizer");
  p = prune_options(gpt2, 0.25);
  p.calibration_tokens = 0;
  expect_error(gpt2, p, "calibration tokens must be >= 1");
  // kept_heads that break the KV groups, given to the importer directly.
  HfImportOptions o = import_options();
  o.kept_heads = {{0, 1, 2}, {0, 1}};
  auto g = compiler::import_hf_checkpoint(llama, o);
  ASSERT_FALSE(g.is_ok());
  EXPECT_NE(g.status().message().find("layer 0: the kept heads fill their KV groups of 2 unequally"), std::string::npos)
      << g.status().message();
  o.kept_heads = {{0, 1}};
  EXPECT_FALSE(compiler::import_hf_checkpoint(llama, o).is_ok());
  o.kept_heads = {{1, 0}, {0}};
  EXPECT_FALSE(compiler::import_hf_checkpoint(gpt2, o).is_ok());
}

// Against PyTorch: make_reference.py on a checkpoint whose removed heads are zeroed by
// zero_heads.py; the pruned plan of that checkpoint must also remove exactly those heads.
TEST(PruneHeadsPyTorch, PrunedPlanMatchesTheReferenceOfTheZeroedCheckpoint) {
  if (std::system((std::string(MINT_HOST_PYTHON) + " -c 'import torch' > /dev/null 2>&1").c_str()) != 0) {
    GTEST_SKIP() << MINT_HOST_PYTHON << " has no torch (make_reference.py needs it)";
  }
  struct Z {
    const char* model;
    double ratio;
    const char* spec;
    std::vector<std::vector<int64_t>> heads;
  };
  for (const Z& z : {Z{"gpt2", 0.25, "0:2;1:0", {{2}, {0}}}, Z{"llama", 0.5, "0:2,3;1:0,3", {{2, 3}, {0, 3}}}}) {
    SCOPED_TRACE(z.model);
    const std::string src = kCkDir + "/" + z.model, dst = work_dir() + "/" + z.model + "-zeroed";
    const std::string log = work_dir() + "/" + z.model + ".log";
    ASSERT_EQ(std::system((std::string(MINT_HOST_PYTHON) + " " + MINT_SOURCE_DIR + "/tests/text/zero_heads.py '" + src +
                           "' '" + dst + "' --heads '" + z.spec + "' > '" + log + "' 2>&1")
                              .c_str()),
              0);
    const HeadPruneOptions prune = prune_options(dst, z.ratio);
    HeadPruneReport report;
    auto pruned = compiler::import_hf_checkpoint_pruned(dst, import_options(), prune, &report);
    ASSERT_TRUE(pruned.is_ok()) << pruned.status().message();
    EXPECT_EQ(report.removed, z.heads);
    auto plan = load(std::move(pruned).value(), prune.tokenizer);
    ASSERT_TRUE(plan);
    const std::vector<int32_t> ids = prompt_ids(*plan);
    std::string list;
    for (int32_t id : ids) list += (list.empty() ? "" : ",") + std::to_string(id);
    const std::string ref = work_dir() + "/" + z.model + "-ref.bin";
    ASSERT_EQ(std::system((std::string(MINT_HOST_PYTHON) + " " + MINT_SOURCE_DIR + "/models/text/make_reference.py '" +
                           dst + "' --ids " + list + " --new-tokens 0 --out '" + ref + "' > '" + log + "' 2>&1")
                              .c_str()),
              0);
    std::ifstream in(ref, std::ios::binary);
    const std::string b((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    ASSERT_GE(b.size(), 12u);
    uint32_t h[3];
    std::memcpy(h, b.data(), 12);
    ASSERT_EQ(h[0], ids.size());
    ASSERT_EQ(b.size(), 12 + 4 * (size_t(h[0]) + h[1] + size_t(h[0]) * h[2] + h[1]));
    const size_t v = h[2];
    const auto got = logits(*plan, ids);
    ASSERT_EQ(got.size(), ids.size() + 1);
    double worst = 0;
    for (size_t i = 0; i <= ids.size(); ++i) {
      const size_t pos = i < ids.size() ? i : ids.size() - 1;
      std::vector<float> want(v);
      std::memcpy(want.data(), b.data() + 12 + 4 * (h[0] + h[1]) + 4 * pos * v, 4 * v);
      worst = std::max(worst, rel_error(got[i], want));
    }
    std::printf("%s vs PyTorch: max relative error %.3g\n", z.model, worst);
    EXPECT_LE(worst, 1e-4);
  }
}

}  // namespace
}  // namespace mint
