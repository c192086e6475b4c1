// Structured channel pruning (compiler/prune.h): the ranking rule (ceil, ties), which layers
// are pruned, and the pruned plan against a hand-pruned reference graph built here from
// weights sliced by an independent implementation of the sequential rule (each layer scored
// after the previous layer's pruning removed its input channels): the outputs must be identical
// (the same float operations on the same values), and the parameter count must drop by exactly
// the removed filters, biases and input channels.
// On the trained DCGAN (models/image/trained/): `--prune-channels R` keeps exactly the channels
// listed in the dcgan_pruned_r30/r50/r70 manifests (`pruning.kept`, written by prune.py), every
// R in 0.1..0.9 compiles and runs, and PruneDcgan.MatchesPyTorchBeforeFineTune compares with
// PyTorch's pruned, not fine-tuned generator (reference files written by
// tests/prune_pytorch_test.py, which runs that case; skipped when they are not given).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "compiler/compile.h"
#include "compiler/onnx/onnx_import.h"
#include "compiler/prune.h"
#include "tests/test_util.h"

namespace mint {
namespace {

using namespace testing_util;
using compiler::GraphBuilder;
using compiler::ValueId;

TEST(Prune, KeepCountAndTies) {
  EXPECT_EQ(compiler::pruned_channel_count(10, 0.5), 5u);
  EXPECT_EQ(compiler::pruned_channel_count(10, 0.3), 7u);
  EXPECT_EQ(compiler::pruned_channel_count(10, 0.7), 4u);  // (1 - 0.7) * 10 = 3.0000000000000004
  EXPECT_EQ(compiler::pruned_channel_count(10, 0.9), 1u);
  EXPECT_EQ(compiler::pruned_channel_count(3, 0.9), 1u);
  EXPECT_EQ(compiler::pruned_channel_count(128, 0.25), 96u);
  EXPECT_EQ(compiler::kept_channels({1, 3, 3, 2, 3}, 0.5), (std::vector<size_t>{1, 2, 4}));
  EXPECT_EQ(compiler::kept_channels({2, 2, 2, 2}, 0.5), (std::vector<size_t>{0, 1}));
  EXPECT_EQ(compiler::kept_channels({5, 1, 4, 1, 1, 9}, 0.5), (std::vector<size_t>{0, 2, 5}));
  compiler::Graph g;
  EXPECT_FALSE(compiler::prune_channels(g, 0.05).is_ok());
  EXPECT_FALSE(compiler::prune_channels(g, 0.95).is_ok());
}

struct Layer {
  int cout, kh, kw, cin;
  std::vector<float> w, b;
};

Layer make_layer(std::mt19937& rng, int cout, int k, int cin) {
  Layer l{cout, k, k, cin, random_floats(rng, size_t(cout) * k * k * cin, -0.5f, 0.5f),
          random_floats(rng, size_t(cout), -0.2f, 0.2f)};
  return l;
}

// The rule, written independently: L1 per output filter, sort by (-score, index), keep the
// first ceil((1 - r) * C). Callers pass the layer after its input channels were sliced.
std::vector<int> keep_of(const Layer& l, double r) {
  const size_t per = size_t(l.kh) * l.kw * l.cin;
  std::vector<std::pair<double, int>> s;
  for (int co = 0; co < l.cout; ++co) {
    double sum = 0;
    for (size_t j = 0; j < per; ++j) sum += std::fabs(double(l.w[co * per + j]));
    s.push_back({-sum, co});
  }
  std::sort(s.begin(), s.end());
  const size_t keep = std::max<size_t>(1, size_t(std::ceil((1.0 - r) * l.cout)));
  std::vector<int> out;
  for (size_t i = 0; i < keep; ++i) out.push_back(s[i].second);
  std::sort(out.begin(), out.end());
  return out;
}

Layer slice(const Layer& l, const std::vector<int>* out_keep, const std::vector<int>* in_keep) {
  std::vector<int> outs, ins;
  for (int i = 0; i < l.cout; ++i) outs.push_back(i);
  for (int i = 0; i < l.cin; ++i) ins.push_back(i);
  if (out_keep) outs = *out_keep;
  if (in_keep) ins = *in_keep;
  Layer r{int(outs.size()), l.kh, l.kw, int(ins.size()), {}, {}};
  for (int co : outs) {
    r.b.push_back(l.b[co]);
    for (int t = 0; t < l.kh * l.kw; ++t) {
      for (int ci : ins) r.w.push_back(l.w[(size_t(co) * l.kh * l.kw + t) * l.cin + ci]);
    }
  }
  return r;
}

struct Net {
  Layer a, b, c, d, fc, f, g, h;
};

plan::Conv2DOptionsT conv_opt(int k, int stride, int pad) {
  plan::Conv2DOptionsT o;
  o.kernel_h = o.kernel_w = k;
  o.stride_h = o.stride_w = stride;
  o.pad_top = o.pad_left = o.pad_bottom = o.pad_right = pad;
  return o;
}

// x -> A conv3x3 -> relu -> B tconv4x4/s2 -> leaky_relu -> C conv3x3 -> tanh -> out0
// x2 -> D conv3x3/s2 -> sigmoid -> FC -> out1
// x3 -> F conv3x3 -> relu -> {G conv1x1 -> out2, H conv1x1 -> out3}   (F has two consumers)
compiler::Graph build(const Net& n) {
  GraphBuilder bld;
  const auto w = [&](const std::string& name, const Layer& l) {
    return bld.constant_f32(name, {l.cout, l.kh, l.kw, l.cin}, l.w);
  };
  const auto bias = [&](const std::string& name, const Layer& l) {
    return bld.constant_f32(name, {l.cout}, l.b);
  };
  const ValueId x = bld.input("x", DType::f32, {1, 6, 6, 3});
  ValueId y = bld.conv2d(x, w("wa", n.a), bias("ba", n.a), conv_opt(3, 1, 1), "A");
  y = bld.relu(y);
  plan::TransposedConv2DOptionsT t;
  t.kernel_h = t.kernel_w = 4;
  t.stride_h = t.stride_w = 2;
  t.pad_top = t.pad_left = t.pad_bottom = t.pad_right = 1;
  y = bld.transposed_conv2d(y, w("wb", n.b), bias("bb", n.b), t, "B");
  y = bld.leaky_relu(y, 0.2f);
  y = bld.conv2d(y, w("wc", n.c), bias("bc", n.c), conv_opt(3, 1, 1), "C");
  bld.output(bld.tanh(y));
  const ValueId x2 = bld.input("x2", DType::f32, {1, 4, 4, 2});
  ValueId d = bld.conv2d(x2, w("wd", n.d), bias("bd", n.d), conv_opt(3, 2, 1), "D");
  d = bld.sigmoid(d);
  const ValueId wfc = bld.constant_f32("wfc", {n.fc.cout, n.fc.cin}, n.fc.w);
  bld.output(bld.fully_connected(d, wfc, bld.constant_f32("bfc", {n.fc.cout}, n.fc.b),
                                 plan::Activation::none, "FC"));
  const ValueId x3 = bld.input("x3", DType::f32, {1, 5, 5, 2});
  ValueId f = bld.conv2d(x3, w("wf", n.f), bias("bf", n.f), conv_opt(3, 1, 1), "F");
  f = bld.relu(f);
  bld.output(bld.conv2d(f, w("wg", n.g), bias("bg", n.g), conv_opt(1, 1, 0), "G"));
  bld.output(bld.conv2d(f, w("wh", n.h), bias("bh", n.h), conv_opt(1, 1, 0), "H"));
  auto g = bld.finish();
  EXPECT_TRUE(g.is_ok()) << g.status().message();
  return std::move(g).value();
}

std::vector<std::vector<float>> run_all(const std::vector<uint8_t>& bytes,
                                        const std::vector<std::vector<float>>& inputs) {
  AlignedPlan plan(bytes);
  mint_model_t model = nullptr;
  EXPECT_EQ(mint_model_load_memory(plan.data(), plan.size(), nullptr, &model), mint_status_success)
      << mint_last_error();
  ModelPtr owner(model);
  mint_session_t session = nullptr;
  EXPECT_EQ(mint_session_create(model, nullptr, &session), mint_status_success) << mint_last_error();
  SessionPtr sowner(session);
  for (size_t i = 0; i < inputs.size(); ++i) {
    EXPECT_EQ(mint_session_set_input(session, i, inputs[i].data(), inputs[i].size() * 4),
              mint_status_success);
  }
  EXPECT_EQ(mint_session_run(session), mint_status_success) << mint_last_error();
  size_t outputs = 0;
  mint_model_output_count(model, &outputs);
  std::vector<std::vector<float>> out(outputs);
  for (size_t o = 0; o < outputs; ++o) {
    mint_tensor_info info{};
    info.size = sizeof(info);
    mint_model_output_info(model, o, &info);
    out[o].resize(info.byte_size / 4);
    EXPECT_EQ(mint_session_get_output(session, o, out[o].data(), info.byte_size),
              mint_status_success);
  }
  return out;
}

TEST(Prune, MatchesHandPrunedReference) {
  std::mt19937 rng(9);
  Net n;
  n.a = make_layer(rng, 10, 3, 3);
  n.b = make_layer(rng, 6, 4, 10);
  n.c = make_layer(rng, 4, 3, 6);
  n.d = make_layer(rng, 8, 3, 2);
  n.fc = Layer{3, 1, 1, 8, random_floats(rng, 24), random_floats(rng, 3)};
  n.f = make_layer(rng, 6, 3, 2);
  n.g = make_layer(rng, 2, 1, 6);
  n.h = make_layer(rng, 3, 1, 6);
  std::vector<std::vector<float>> inputs = {random_floats(rng, 108), random_floats(rng, 32),
                                            random_floats(rng, 50)};
  for (double r : {0.5, 0.3, 0.7, 0.9}) {
    SCOPED_TRACE("ratio " + std::to_string(r));
    // Hand-pruned: A, B and D are sources (C's outputs reach a graph output, F has two
    // consumers). B is ranked after A's pruning removed its input channels.
    const std::vector<int> ka = keep_of(n.a, r), kd = keep_of(n.d, r);
    const std::vector<int> kb = keep_of(slice(n.b, nullptr, &ka), r);
    Net p = n;
    p.a = slice(n.a, &ka, nullptr);
    p.b = slice(n.b, &kb, &ka);
    p.c = slice(n.c, nullptr, &kb);
    p.d = slice(n.d, &kd, nullptr);
    p.fc = slice(n.fc, nullptr, &kd);

    compiler::Graph graph = build(n);
    const int64_t before = compiler::parameter_count(graph);
    std::vector<std::string> pruned;
    ASSERT_TRUE(compiler::prune_channels(graph, r, &pruned).is_ok());
    EXPECT_EQ(pruned, (std::vector<std::string>{"A", "B", "D"}));
    const int64_t after = compiler::parameter_count(graph);
    const auto params = [](const Layer& l) { return int64_t(l.w.size() + l.b.size()); };
    int64_t removed = 0;
    for (auto [orig, cut] : {std::pair{&n.a, &p.a}, {&n.b, &p.b}, {&n.c, &p.c}, {&n.d, &p.d},
                             {&n.fc, &p.fc}}) {
      removed += params(*orig) - params(*cut);
    }
    EXPECT_GT(removed, 0);
    EXPECT_EQ(before - after, removed);
    EXPECT_EQ(after, compiler::parameter_count(build(p)));

    auto got = compiler::compile(std::move(graph), {});
    ASSERT_TRUE(got.is_ok()) << got.status().message();
    auto want = compiler::compile(build(p), {});
    ASSERT_TRUE(want.is_ok()) << want.status().message();
    const auto yg = run_all(got.value(), inputs), yw = run_all(want.value(), inputs);
    ASSERT_EQ(yg.size(), 4u);
    ASSERT_EQ(yw.size(), 4u);
    for (size_t o = 0; o < 4; ++o) {
      ASSERT_EQ(yg[o].size(), yw[o].size()) << "output " << o;
      for (size_t i = 0; i < yg[o].size(); ++i) ASSERT_EQ(yg[o][i], yw[o][i]) << o << "/" << i;
    }
    // Through the compile options as well (what `mint compile --prune-channels` does).
    compiler::CompileOptions options;
    options.prune_channels = r;
    auto via = compiler::compile(build(n), options);
    ASSERT_TRUE(via.is_ok()) << via.status().message();
    EXPECT_EQ(via.value(), got.value());
  }
}


// ---- The trained DCGAN generator -------------------------------------------------------------

std::string source_dir() {
  if (const char* env = std::getenv("MINT_SOURCE_DIR")) return env;
  std::string file = __FILE__;  // <root>/tests/prune_test.cc
  for (int i = 0; i < 2; ++i) {
    const size_t slash = file.find_last_of('/');
    file = slash == std::string::npos ? std::string(".") : file.substr(0, slash);
  }
  return file;
}

std::string trained(const std::string& rel) { return source_dir() + "/models/image/trained/" + rel; }

constexpr size_t kLatent = 100, kImage = 28 * 28, kSamples = 8;

// The integer list of `"key": [ ... ]` in a JSON text (the manifests' `pruning.kept`).
bool json_int_list(const std::string& json, const std::string& key, std::vector<size_t>* out) {
  const size_t at = json.find("\"" + key + "\"");
  if (at == std::string::npos) return false;
  const size_t open = json.find('[', at), close = json.find(']', at);
  if (open == std::string::npos || close == std::string::npos || close < open) return false;
  out->clear();
  const char* p = json.c_str() + open + 1;
  const char* end = json.c_str() + close;
  while (p < end) {
    char* next = nullptr;
    const unsigned long v = std::strtoul(p, &next, 10);
    if (next == p) {
      ++p;
      continue;
    }
    out->push_back(v);
    p = next;
  }
  return true;
}

bool read_floats(const std::string& path, size_t count, std::vector<float>* out) {
  auto bytes = compiler::read_file_bytes(path);
  if (!bytes.is_ok()) {
    ADD_FAILURE() << path << ": " << bytes.status().message();
    return false;
  }
  if (bytes.value().size() != count * sizeof(float)) {
    ADD_FAILURE() << path << ": " << bytes.value().size() << " bytes, want " << count * 4;
    return false;
  }
  out->resize(count);
  std::memcpy(out->data(), bytes.value().data(), bytes.value().size());
  return true;
}

compiler::Graph dcgan_graph() {
  auto g = compiler::import_onnx(trained("dcgan/generator.onnx"));
  EXPECT_TRUE(g.is_ok()) << g.status().message();
  return g.is_ok() ? std::move(g).value() : compiler::Graph{};
}

// Runs the 8 committed latents through `bytes`; returns 8 x 784 outputs.
std::vector<float> run_latents(const std::vector<uint8_t>& bytes) {
  std::vector<float> z, out;
  if (!read_floats(trained("dcgan/latents.bin"), kSamples * kLatent, &z)) return out;
  for (size_t s = 0; s < kSamples; ++s) {
    const std::vector<float> zs(z.begin() + s * kLatent, z.begin() + (s + 1) * kLatent);
    const auto y = run_all(bytes, {zs});
    if (y.size() != 1 || y[0].size() != kImage) {
      ADD_FAILURE() << "sample " << s << ": unexpected outputs";
      return {};
    }
    out.insert(out.end(), y[0].begin(), y[0].end());
  }
  return out;
}

const std::vector<std::pair<double, std::string>>& manifest_ratios() {
  static const std::vector<std::pair<double, std::string>> r = {
      {0.3, "dcgan_pruned_r30"}, {0.5, "dcgan_pruned_r50"}, {0.7, "dcgan_pruned_r70"}};
  return r;
}

TEST(PruneDcgan, KeepsTheManifestChannels) {
  for (const auto& [ratio, folder] : manifest_ratios()) {
    SCOPED_TRACE(folder);
    auto text = compiler::read_file_bytes(trained(folder + "/manifest.json"));
    ASSERT_TRUE(text.is_ok()) << text.status().message();
    const std::string json(text.value().begin(), text.value().end());
    std::vector<std::vector<size_t>> want(3);
    for (size_t l = 0; l < 3; ++l) {
      const std::string key = "net." + std::to_string(3 * l);
      ASSERT_TRUE(json_int_list(json, key, &want[l])) << "no pruning.kept." << key;
      ASSERT_FALSE(want[l].empty()) << key;
    }
    compiler::Graph graph = dcgan_graph();
    std::vector<std::string> pruned;
    std::vector<std::vector<size_t>> kept;
    ASSERT_TRUE(compiler::prune_channels(graph, ratio, &pruned, &kept).is_ok());
    ASSERT_EQ(pruned.size(), 3u);
    ASSERT_EQ(kept.size(), 3u);
    for (size_t l = 0; l < 3; ++l) EXPECT_EQ(kept[l], want[l]) << "layer " << pruned[l];
  }
}

TEST(PruneDcgan, EveryRatioCompilesAndRuns) {
  for (int tenth = 1; tenth <= 9; ++tenth) {
    const double ratio = tenth / 10.0;
    SCOPED_TRACE("ratio " + std::to_string(ratio));
    compiler::CompileOptions options;
    options.prune_channels = ratio;
    auto bytes = compiler::compile(dcgan_graph(), options);
    ASSERT_TRUE(bytes.is_ok()) << bytes.status().message();
    const std::vector<float> y = run_latents(bytes.value());
    ASSERT_EQ(y.size(), kSamples * kImage);
    for (float v : y) ASSERT_TRUE(std::isfinite(v) && v >= -1.0f && v <= 1.0f) << v;
  }
}

// MINT_PRUNE_REFERENCE_DIR holds r30.bin, r50.bin, r70.bin: PyTorch's pruned (prune.py's
// prune_state_dict), not fine-tuned generator on the 8 committed latents.
TEST(PruneDcgan, MatchesPyTorchBeforeFineTune) {
  const char* dir = std::getenv("MINT_PRUNE_REFERENCE_DIR");
  if (!dir) GTEST_SKIP() << "MINT_PRUNE_REFERENCE_DIR not set (tests/prune_pytorch_test.py sets it)";
  for (const auto& [ratio, folder] : manifest_ratios()) {
    SCOPED_TRACE(folder);
    std::vector<float> want;
    const std::string name = "r" + std::to_string(static_cast<int>(std::lround(ratio * 100)));
    ASSERT_TRUE(read_floats(std::string(dir) + "/" + name + ".bin", kSamples * kImage, &want));
    compiler::CompileOptions options;
    options.prune_channels = ratio;
    auto bytes = compiler::compile(dcgan_graph(), options);
    ASSERT_TRUE(bytes.is_ok()) << bytes.status().message();
    const std::vector<float> got = run_latents(bytes.value());
    ASSERT_EQ(got.size(), want.size());
    float worst = 0;
    for (size_t i = 0; i < got.size(); ++i) worst = std::max(worst, std::fabs(got[i] - want[i]));
    EXPECT_LE(worst, 1e-4f) << "max |mint - PyTorch|";
  }
}

}  // namespace
}  // namespace mint
