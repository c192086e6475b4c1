// Text metrics (evaluation/text_metrics.h): sacrebleu's 13a tokenizer and corpus BLEU
// (sacrebleu's documented example, hand-computed cases, and a Python re/Counter
// reimplementation of its algorithm on random corpora), distinct-n, and llama-perplexity's
// perplexity (closed forms, hand-computed windows, and a Python replay of its loops).
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "evaluation/text_metrics.h"
#include "tests/eval_test_util.h"

namespace mint::eval {
namespace {

using namespace eval_test;

TEST(EvalText, Tokenize13aHandCases) {
  EXPECT_EQ(tokenize_13a("Hello, world."), "Hello , world .");
  EXPECT_EQ(tokenize_13a("It costs 3.14 or 1,000 units."), "It costs 3.14 or 1,000 units .");
  EXPECT_EQ(tokenize_13a("well-known 5-3"), "well-known 5 - 3");
  EXPECT_EQ(tokenize_13a("&quot;a&quot; &amp; &lt;b&gt;"), "\" a \" & < b >");
  EXPECT_EQ(tokenize_13a("x<skipped>y  \t z"), "xy z");
  EXPECT_EQ(tokenize_13a("don't (stop)"), "don't ( stop )");  // ' (0x27) is not in the class
  EXPECT_EQ(tokenize_13a(""), "");
}

TEST(EvalText, Tokenize13aMatchesPythonRegexes) {
  MINT_SKIP_IF_NO_PYTHON();
  const std::vector<std::string> lines = {"Hello, world.",
                                          "3.14 and 1,000 and 1.5.",
                                          "a-b 5-3 x--y 7--8",
                                          "U.S.A. e.g., i.e.",
                                          "&quot;quoted&quot; &amp;amp; &lt;tag&gt;",
                                          "<skipped>gone",
                                          "café, naïve. déjà-vu 9-€",
                                          "price: $5.00! #1 @home ^_^ {x} [y] |z| ~w `v`",
                                          "1.2.3 ... ,, a.b,c .5 5. ,5 5,",
                                          "tab\there  multi   space",
                                          "nbsp\xc2\xa0here\xe3\x80\x80ideographic",
                                          "line-\nbreak and\nnewline",
                                          "trailing dot.",
                                          ".leading",
                                          "-",
                                          "end-",
                                          "9.",
                                          "x.9",
                                          "a,9,b"};
  TempDir dir;
  std::vector<std::string> escaped;
  for (std::string l : lines) {
    std::string e;
    for (char c : l) e += c == '\n' ? std::string("\\n") : std::string(1, c);
    escaped.push_back(e);
  }
  write_lines(dir.file("lines.txt"), escaped);
  auto ref = reference("tokenize " + dir.file("lines.txt"));
  std::vector<std::string> want;
  std::string all = ref["tok"];
  size_t pos = 0;
  for (;;) {
    const size_t nl = all.find('\n', pos);
    want.push_back(all.substr(pos, nl == std::string::npos ? std::string::npos : nl - pos));
    if (nl == std::string::npos) break;
    pos = nl + 1;
  }
  ASSERT_EQ(want.size(), lines.size());
  for (size_t i = 0; i < lines.size(); ++i)
    EXPECT_EQ(tokenize_13a(lines[i]), want[i]) << "line " << i;
}

TEST(EvalText, BleuMatchesSacrebleuDocumentedExample) {
  // sacrebleu's README: BLEU = 48.53 82.4/50.0/45.5/37.5 (BP = 0.943 ratio = 0.944
  // hyp_len = 17 ref_len = 18), signature nrefs:2|case:mixed|eff:no|tok:13a|smooth:exp.
  const std::vector<std::string> sys = {"The dog bit the man.", "It wasn't surprising.",
                                        "The man had just bitten him."};
  const std::vector<std::vector<std::string>> refs = {
      {"The dog bit the man.", "It was not unexpected.", "The man bit him first."},
      {"The dog had bit the man.", "No one was surprised.", "The man had bitten the dog."}};
  auto b = corpus_bleu(sys, refs);
  ASSERT_TRUE(b.is_ok()) << b.status().message();
  EXPECT_EQ(b.value().sys_len, 17u);
  EXPECT_EQ(b.value().ref_len, 18u);
  EXPECT_EQ(b.value().correct, (std::array<uint64_t, 4>{14, 7, 5, 3}));
  EXPECT_EQ(b.value().total, (std::array<uint64_t, 4>{17, 14, 11, 8}));
  const double bp = std::exp(1.0 - 18.0 / 17.0);
  const double want =
      bp *
      std::exp((std::log(1400.0 / 17) + std::log(50.0) + std::log(500.0 / 11) + std::log(37.5)) /
               4);
  EXPECT_NEAR(b.value().bp, bp, 1e-15);
  EXPECT_NEAR(b.value().score, want, 1e-12);
  EXPECT_NEAR(b.value().score, 48.53, 0.005);
}

TEST(EvalText, BleuHandComputed) {
  auto b = corpus_bleu({"the cat sat on the mat"}, {{"the cat sat on a mat"}});
  ASSERT_TRUE(b.is_ok());
  EXPECT_EQ(b.value().correct, (std::array<uint64_t, 4>{5, 3, 2, 1}));
  EXPECT_NEAR(
      b.value().score,
      std::exp((std::log(500.0 / 6) + std::log(60.0) + std::log(50.0) + std::log(100.0 / 3)) / 4),
      1e-12);
  // No 4-gram match: 'exp' smoothing gives 100 / (2 * 3) for it.
  auto s = corpus_bleu({"the cat sat on the mat"}, {{"the cat sat under the mat"}});
  ASSERT_TRUE(s.is_ok());
  EXPECT_EQ(s.value().correct, (std::array<uint64_t, 4>{5, 3, 1, 0}));
  EXPECT_NEAR(s.value().precisions[3], 100.0 / 6, 1e-12);
  EXPECT_NEAR(
      s.value().score,
      std::exp((std::log(500.0 / 6) + std::log(60.0) + std::log(25.0) + std::log(100.0 / 6)) / 4),
      1e-12);
  auto none =
      corpus_bleu({"the cat sat on the mat"}, {{"the cat sat under the mat"}}, BleuSmooth::kNone);
  ASSERT_TRUE(none.is_ok());
  EXPECT_LT(none.value().score, 1e-100);
  // Identical: 100; nothing in common: 0; an empty hypothesis: BP 0.
  EXPECT_NEAR(corpus_bleu({"a b c d e"}, {{"a b c d e"}}).value().score, 100.0, 1e-12);
  EXPECT_EQ(corpus_bleu({"a b c d e"}, {{"v w x y z"}}).value().score, 0.0);
  EXPECT_EQ(corpus_bleu({""}, {{"a b"}}).value().score, 0.0);
  EXPECT_FALSE(corpus_bleu({"a"}, {{"a", "b"}}).is_ok());
  EXPECT_FALSE(corpus_bleu({"a"}, {}).is_ok());
}

TEST(EvalText, BleuMatchesPythonReimplementationOnRandomCorpora) {
  MINT_SKIP_IF_NO_PYTHON();
  TempDir dir;
  std::mt19937 rng(11);
  const std::vector<std::string> words = {"the",   "a",          "cat",  "dog", "sat", "ran",
                                          "on",    "mat",        "fast", ",",   ".",   "3.5",
                                          "1,000", "well-known", "it's", "(x)", "5-3"};
  auto sentence = [&](size_t max_len) {
    std::string s;
    const size_t len = rng() % (max_len + 1);
    for (size_t i = 0; i < len; ++i) s += (i ? " " : "") + words[rng() % words.size()];
    return s;
  };
  for (int trial = 0; trial < 4; ++trial) {
    const size_t n = 30, max_len = trial == 3 ? 3 : 14;  // trial 3: short lines, few 4-grams
    std::vector<std::string> hyps;
    std::vector<std::vector<std::string>> refs(trial % 2 ? 2 : 1);
    for (size_t i = 0; i < n; ++i) {
      hyps.push_back(sentence(max_len));
      for (auto& r : refs) r.push_back(sentence(max_len));
    }
    write_lines(dir.file("hyp.txt"), hyps);
    std::string args = "bleu " + dir.file("hyp.txt");
    for (size_t k = 0; k < refs.size(); ++k) {
      write_lines(dir.file("ref" + std::to_string(k)), refs[k]);
      args += " " + dir.file("ref" + std::to_string(k));
    }
    auto ref = reference(args);
    auto b = corpus_bleu(hyps, refs);
    ASSERT_TRUE(b.is_ok());
    EXPECT_NEAR(b.value().score, as_double(ref, "score"), 1e-9) << "trial " << trial;
    EXPECT_NEAR(b.value().bp, as_double(ref, "bp"), 1e-12);
    EXPECT_EQ(std::to_string(b.value().sys_len), ref["sys_len"]);
    EXPECT_EQ(std::to_string(b.value().ref_len), ref["ref_len"]);
    const auto& c = b.value().correct;
    EXPECT_EQ(std::to_string(c[0]) + "," + std::to_string(c[1]) + "," + std::to_string(c[2]) + "," +
                  std::to_string(c[3]),
              ref["correct"]);
  }
}

TEST(EvalText, DistinctN) {
  const std::vector<std::string> texts = {"a b a b", "a  c"};
  auto d1 = distinct_n(texts, 1), d2 = distinct_n(texts, 2), d3 = distinct_n(texts, 3);
  ASSERT_TRUE(d1.is_ok() && d2.is_ok() && d3.is_ok());
  EXPECT_EQ(d1.value().unique, 3u);
  EXPECT_EQ(d1.value().total, 6u);
  EXPECT_DOUBLE_EQ(d1.value().ratio, 0.5);
  EXPECT_EQ(d2.value().unique, 3u);  // "a b", "b a", "a c"
  EXPECT_EQ(d2.value().total, 4u);
  EXPECT_DOUBLE_EQ(d2.value().ratio, 0.75);
  EXPECT_DOUBLE_EQ(d3.value().ratio, 1.0);  // "a b a", "b a b"; "a c" has none
  EXPECT_EQ(distinct_n({"", "x"}, 2).value().ratio, 0.0);
  EXPECT_FALSE(distinct_n(texts, 0).is_ok());
}

TEST(EvalText, PerplexityOfUniformLogitsIsVocabularySize) {
  const size_t vocab = 7, n_ctx = 8;
  std::vector<int32_t> tokens(37);
  for (size_t i = 0; i < tokens.size(); ++i) tokens[i] = int32_t(i % vocab);
  auto uniform = [&](const std::vector<int32_t>& w, std::vector<float>* out) {
    out->assign(w.size() * vocab, 0.25f);
    return Status::ok();
  };
  PerplexityOptions o;
  o.n_ctx = n_ctx;
  auto p = perplexity(tokens, vocab, uniform, o);
  ASSERT_TRUE(p.is_ok()) << p.status().message();
  EXPECT_NEAR(p.value().ppl, double(vocab), 1e-9);
  EXPECT_EQ(p.value().chunks, 4u);                // 37 / 8
  EXPECT_EQ(p.value().scored, 4u * (8 - 4 - 1));  // positions n_ctx/2 .. n_ctx-2
  o.stride = 3;
  p = perplexity(tokens, vocab, uniform, o);
  ASSERT_TRUE(p.is_ok());
  EXPECT_EQ(p.value().chunks, (37u - 8 + 2) / 3);
  EXPECT_EQ(p.value().scored, p.value().chunks * 3);
}

TEST(EvalText, PerplexityHandComputedWindows) {
  // Logits favour repeating the current token (2 vs 0); n_ctx 4 scores only position 2.
  const size_t vocab = 3;
  auto repeat = [&](const std::vector<int32_t>& w, std::vector<float>* out) {
    out->assign(w.size() * vocab, 0.0f);
    for (size_t j = 0; j < w.size(); ++j) (*out)[j * vocab + size_t(w[j])] = 2.0f;
    return Status::ok();
  };
  PerplexityOptions o;
  o.n_ctx = 4;
  // Window 0: [0,1,1,1], window 1: [2,0,1,0]. Position 2 predicts position 3.
  auto p = perplexity({0, 1, 1, 1, 2, 0, 1, 0}, vocab, repeat, o);
  ASSERT_TRUE(p.is_ok());
  const double e2 = std::exp(2.0);
  const double nll = -std::log(e2 / (e2 + 2)) - std::log(1 / (e2 + 2));
  EXPECT_EQ(p.value().scored, 2u);
  EXPECT_NEAR(p.value().ppl, std::exp(nll / 2), 1e-6);
  // A BOS replaces the first token of each window before the logits are computed.
  auto first_token = [&](const std::vector<int32_t>& w, std::vector<float>* out) {
    out->assign(w.size() * vocab, 0.0f);
    for (size_t j = 0; j < w.size(); ++j) (*out)[j * vocab + size_t(w[0])] = 3.0f;
    return Status::ok();
  };
  o.bos = 1;
  p = perplexity({0, 1, 1, 1, 2, 0, 1, 1}, vocab, first_token, o);  // targets 1, 1: both favoured
  ASSERT_TRUE(p.is_ok());
  const double e3 = std::exp(3.0);
  EXPECT_NEAR(p.value().ppl, (e3 + 2) / e3, 1e-6);
}

TEST(EvalText, PerplexityMatchesPythonReplayOfLlamaLoops) {
  MINT_SKIP_IF_NO_PYTHON();
  TempDir dir;
  std::mt19937 rng(12);
  const size_t vocab = 11, n_ctx = 16;
  std::vector<int32_t> tokens(70);
  for (auto& t : tokens) t = int32_t(rng() % vocab);
  write_raw(dir.file("tokens.i32"), tokens);
  for (size_t stride : {0, 5}) {
    std::vector<float> all;
    std::vector<std::vector<int32_t>> windows;
    std::normal_distribution<float> g(0.0f, 3.0f);
    auto random_logits = [&](const std::vector<int32_t>& w, std::vector<float>* out) {
      windows.push_back(w);
      out->resize(w.size() * vocab);
      for (float& v : *out) v = g(rng);
      all.insert(all.end(), out->begin(), out->end());
      return Status::ok();
    };
    PerplexityOptions o;
    o.n_ctx = n_ctx;
    o.stride = stride;
    auto p = perplexity(tokens, vocab, random_logits, o);
    ASSERT_TRUE(p.is_ok());
    const size_t step = stride ? stride : n_ctx;
    for (size_t c = 0; c < windows.size(); ++c) {
      EXPECT_EQ(windows[c], std::vector<int32_t>(tokens.begin() + long(c * step),
                                                 tokens.begin() + long(c * step + n_ctx)));
    }
    write_raw(dir.file("logits.f32"), all);
    auto ref = reference("ppl " + dir.file("tokens.i32") + " " + dir.file("logits.f32") + " " +
                         std::to_string(n_ctx) + " " + std::to_string(vocab) + " " +
                         std::to_string(stride) + " -1");
    EXPECT_EQ(std::to_string(p.value().chunks), ref["chunks"]) << "stride " << stride;
    EXPECT_EQ(std::to_string(p.value().scored), ref["scored"]);
    EXPECT_NEAR(p.value().ppl, as_double(ref, "ppl"),
                1e-5 * as_double(ref, "ppl"));  // float log-softmax
  }
}

TEST(EvalText, PerplexityRejectsBadInput) {
  auto ok = [](const std::vector<int32_t>& w, std::vector<float>* out) {
    out->assign(w.size() * 4, 0.0f);
    return Status::ok();
  };
  PerplexityOptions o;
  o.n_ctx = 4;
  std::vector<int32_t> tokens = {0, 1, 2, 3, 0, 1, 2, 3};
  EXPECT_FALSE(perplexity({0, 1, 2, 3, 0, 1, 2}, 4, ok, o).is_ok());     // fewer than 2 n_ctx
  EXPECT_FALSE(perplexity({0, 1, 2, 3, 0, 1, 2, 9}, 4, ok, o).is_ok());  // outside the vocabulary
  auto wrong = [](const std::vector<int32_t>& w, std::vector<float>* out) {
    out->assign(3, 0.0f);
    return Status::ok();
  };
  EXPECT_FALSE(perplexity(tokens, 4, wrong, o).is_ok());
  auto failing = [](const std::vector<int32_t>&, std::vector<float>*) {
    return Status::internal("model broke");
  };
  auto f = perplexity(tokens, 4, failing, o);
  ASSERT_FALSE(f.is_ok());
  EXPECT_NE(f.status().message().find("model broke"), std::string::npos);
  o.stride = 4;
  EXPECT_FALSE(perplexity(tokens, 4, ok, o).is_ok());  // stride must be below n_ctx
}

}  // namespace
}  // namespace mint::eval
