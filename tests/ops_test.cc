// Every op except fully_connected (tests/roundtrip_test.cc), end to end: random inputs of odd
// sizes through GraphBuilder -> compile() -> mint_model_load_memory -> a session -> run,
// compared with a naive double-precision reference written here. Each case runs on the
// portable kernels (max_isa "scalar", one thread) and on the best ISA with one and three
// threads.
//
// Tolerances: |got - want| <= 1e-6 + 1e-5 * scale, where scale is |want| for elementwise ops
// and normalizations, and the sum of |products| for dot-product ops (matmul, convolutions),
// which bounds float accumulation error in any order. Data movement and quantization are exact.
//
// The second half checks validation: graphs the builder must reject, and ops whose plan
// description is inconsistent, run through their OpDefinition::validate directly.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include "kernels/fp16.h"
#include "kernels/gemm.h"
#include "runtime/ops/op.h"
#include "tests/test_util.h"

namespace mint {
namespace {

using compiler::CompileOptions;
using compiler::GraphBuilder;
using compiler::kInvalidValue;
using compiler::ValueId;
using compiler::WeightPrecision;
using namespace testing_util;

using Bytes = std::vector<uint8_t>;
using Dims = std::vector<int64_t>;

template <typename T>
Bytes to_bytes(const std::vector<T>& v) {
  Bytes b(v.size() * sizeof(T));
  if (!b.empty()) std::memcpy(b.data(), v.data(), b.size());
  return b;
}

template <typename T>
std::vector<T> from_bytes(const Bytes& b) {
  std::vector<T> v(b.size() / sizeof(T));
  if (!v.empty()) std::memcpy(v.data(), b.data(), v.size() * sizeof(T));
  return v;
}

size_t count(const Dims& d) {
  size_t n = 1;
  for (int64_t v : d) n *= static_cast<size_t>(v);
  return n;
}

struct Config {
  const char* isa;  // null: best available
  size_t threads;
  std::string name() const {
    return std::string(isa ? isa : "best") + "/" + std::to_string(threads) + "t";
  }
};
const Config kConfigs[] = {{"scalar", 1}, {nullptr, 1}, {nullptr, 3}};

struct RunResult {
  mint_status status = mint_status_success;
  std::string error;
  std::vector<Bytes> outputs;
};

// Loads `plan`, sets `inputs` (raw bytes), runs once; returns every output or the failure.
RunResult run_plan(const Bytes& bytes, const std::vector<Bytes>& inputs, const Config& cfg) {
  RunResult r;
  // Records a call's status; true if it failed.
  const auto failed = [&r](mint_status st) {
    r.status = st;
    if (st != mint_status_success) r.error = mint_last_error();
    return st != mint_status_success;
  };
  AlignedPlan plan(bytes);
  mint_model_t model = nullptr;
  if (failed(mint_model_load_memory(plan.data(), plan.size(), nullptr, &model))) return r;
  ModelPtr model_owner(model);
  mint_session_options options;
  mint_session_options_init(&options);
  options.num_threads = cfg.threads;
  options.max_isa = cfg.isa;
  mint_session_t session = nullptr;
  if (failed(mint_session_create(model, &options, &session))) return r;
  SessionPtr session_owner(session);
  for (size_t i = 0; i < inputs.size(); ++i) {
    if (failed(mint_session_set_input(session, i, inputs[i].data(), inputs[i].size()))) return r;
  }
  if (failed(mint_session_run(session))) return r;
  size_t n = 0;
  mint_model_output_count(model, &n);
  for (size_t i = 0; i < n; ++i) {
    mint_tensor_info info{};
    info.size = sizeof(info);
    mint_model_output_info(model, i, &info);
    Bytes out(info.byte_size);
    if (failed(mint_session_get_output(session, i, out.data(), out.size()))) return r;
    r.outputs.push_back(std::move(out));
  }
  return r;
}

// A reference output: values and, per value, the scale of its tolerance.
struct Ref {
  std::vector<double> value;
  std::vector<double> scale;  // empty: |value|
};

Bytes build(GraphBuilder& b, WeightPrecision precision = WeightPrecision::kF32) {
  CompileOptions options;
  options.weights = precision;
  return compile_or_die(b, options);
}

// Runs `plan` on every config and compares output 0 (f32) with `ref`.
void check_f32(const Bytes& plan, const std::vector<Bytes>& inputs, const Ref& ref,
               const std::string& what) {
  ASSERT_FALSE(plan.empty()) << what;
  for (const Config& cfg : kConfigs) {
    const RunResult r = run_plan(plan, inputs, cfg);
    ASSERT_EQ(r.status, mint_status_success) << what << " " << cfg.name() << ": " << r.error;
    const std::vector<float> got = from_bytes<float>(r.outputs[0]);
    ASSERT_EQ(got.size(), ref.value.size()) << what;
    for (size_t i = 0; i < got.size(); ++i) {
      const double scale = ref.scale.empty() ? std::fabs(ref.value[i]) : ref.scale[i];
      ASSERT_NEAR(got[i], ref.value[i], 1e-6 + 1e-5 * scale)
          << what << " " << cfg.name() << " at " << i;
    }
  }
}

// Row-major strides of `d` (elements).
std::vector<size_t> strides_of(const Dims& d) {
  std::vector<size_t> s(d.size());
  size_t acc = 1;
  for (size_t i = d.size(); i-- > 0;) {
    s[i] = acc;
    acc *= static_cast<size_t>(d[i]);
  }
  return s;
}

// Multi-index of flat position `flat` in `d`.
std::vector<size_t> unflatten(size_t flat, const Dims& d) {
  std::vector<size_t> idx(d.size());
  for (size_t i = d.size(); i-- > 0;) {
    idx[i] = flat % static_cast<size_t>(d[i]);
    flat /= static_cast<size_t>(d[i]);
  }
  return idx;
}

// ---- add, mul ------------------------------------------------------------------------------

struct BinaryCase {
  Dims a, b, out;
};

TEST(Ops, AddAndMulBroadcast) {
  const BinaryCase cases[] = {
      {{3, 5, 7}, {3, 5, 7}, {3, 5, 7}},
      {{3, 5, 7}, {7}, {3, 5, 7}},
      {{3, 1, 7}, {1, 5, 1}, {3, 5, 7}},
      {{1}, {2, 3}, {2, 3}},
      {{4, 1}, {3}, {4, 3}},
      {{}, {2, 3}, {2, 3}},
      {{2, 1, 3, 1}, {5, 1, 4}, {2, 5, 3, 4}},
      {{67, 1031}, {1031}, {67, 1031}},
      {{67, 1, 1031}, {67, 3, 1}, {67, 3, 1031}},
  };
  std::mt19937 rng(11);
  for (const BinaryCase& c : cases) {
    for (bool is_add : {true, false}) {
      const std::vector<float> a = random_floats(rng, count(c.a)),
                               b = random_floats(rng, count(c.b));
      GraphBuilder g;
      const ValueId xa = g.input("a", DType::f32, c.a), xb = g.input("b", DType::f32, c.b);
      g.output(is_add ? g.add(xa, xb) : g.mul(xa, xb));
      Ref ref;
      const size_t r = c.out.size();
      const auto sa = strides_of(c.a), sb = strides_of(c.b);
      for (size_t f = 0; f < count(c.out); ++f) {
        const auto idx = unflatten(f, c.out);
        size_t ia = 0, ib = 0;
        for (size_t d = 0; d < c.a.size(); ++d) {
          ia += (c.a[d] == 1 ? 0 : idx[r - c.a.size() + d]) * sa[d];
        }
        for (size_t d = 0; d < c.b.size(); ++d) {
          ib += (c.b[d] == 1 ? 0 : idx[r - c.b.size() + d]) * sb[d];
        }
        ref.value.push_back(is_add ? double{a[ia]} + b[ib] : double{a[ia]} * b[ib]);
      }
      check_f32(build(g), {to_bytes(a), to_bytes(b)}, ref,
                std::string(is_add ? "add" : "mul") + " " + std::to_string(count(c.out)));
    }
  }
}

// ---- unary activations ---------------------------------------------------------------------

TEST(Ops, UnaryActivations) {
  struct Case {
    const char* name;
    std::function<ValueId(GraphBuilder&, ValueId)> add;
    double (*ref)(double);
  };
  const Case cases[] = {
      {"relu", [](GraphBuilder& g, ValueId x) { return g.relu(x); },
       [](double v) { return std::max(v, 0.0); }},
      {"leaky_relu", [](GraphBuilder& g, ValueId x) { return g.leaky_relu(x, 0.2f); },
       [](double v) { return v < 0 ? double{0.2f} * v : v; }},
      {"tanh", [](GraphBuilder& g, ValueId x) { return g.tanh(x); },
       [](double v) { return std::tanh(v); }},
      {"sigmoid", [](GraphBuilder& g, ValueId x) { return g.sigmoid(x); },
       [](double v) { return 1 / (1 + std::exp(-v)); }},
      {"gelu", [](GraphBuilder& g, ValueId x) { return g.gelu(x, false); },
       [](double v) { return 0.5 * v * (1 + std::erf(v / std::sqrt(2.0))); }},
      {"gelu_tanh", [](GraphBuilder& g, ValueId x) { return g.gelu(x, true); },
       [](double v) {
         return 0.5 * v * (1 + std::tanh(std::sqrt(2 / M_PI) * (v + 0.044715 * v * v * v)));
       }},
      {"silu", [](GraphBuilder& g, ValueId x) { return g.silu(x); },
       [](double v) { return v / (1 + std::exp(-v)); }},
  };
  std::mt19937 rng(12);
  for (const Case& c : cases) {
    for (const Dims& shape : {Dims{3, 17, 11}, Dims{70001}}) {
      const std::vector<float> x = random_floats(rng, count(shape), -6.0f, 6.0f);
      GraphBuilder g;
      g.output(c.add(g, g.input("x", DType::f32, shape)));
      Ref ref;
      for (float v : x) ref.value.push_back(c.ref(v));
      check_f32(build(g), {to_bytes(x)}, ref, c.name);
    }
  }
}

// ---- softmax, layer_norm, rms_norm -----------------------------------------------------------

TEST(Ops, SoftmaxAlongEveryAxis) {
  std::mt19937 rng(13);
  const Dims shape = {4, 9, 13};
  for (int axis : {-1, 0, 1, 2, -3}) {
    std::vector<float> x = random_floats(rng, count(shape), -30.0f, 30.0f);
    x[5] = 500.0f;  // exp would overflow without the max subtraction
    GraphBuilder g;
    g.output(g.softmax(g.input("x", DType::f32, shape), axis));
    const size_t ax = static_cast<size_t>(axis < 0 ? axis + 3 : axis);
    const auto st = strides_of(shape);
    Ref ref;
    for (size_t f = 0; f < x.size(); ++f) {
      const size_t base = f - unflatten(f, shape)[ax] * st[ax];
      double m = -INFINITY, sum = 0;
      for (int64_t i = 0; i < shape[ax]; ++i) m = std::max(m, double{x[base + i * st[ax]]});
      for (int64_t i = 0; i < shape[ax]; ++i) sum += std::exp(x[base + i * st[ax]] - m);
      ref.value.push_back(std::exp(x[f] - m) / sum);
    }
    check_f32(build(g), {to_bytes(x)}, ref, "softmax axis " + std::to_string(axis));
  }
}

TEST(Ops, LayerNormAndRmsNorm) {
  std::mt19937 rng(14);
  for (const Dims& shape : {Dims{5, 37}, Dims{2, 3, 64}, Dims{1, 1}, Dims{300, 129}}) {
    const size_t d = static_cast<size_t>(shape.back()), rows = count(shape) / d;
    const std::vector<float> x = random_floats(rng, count(shape), -2.0f, 5.0f);
    const std::vector<float> gamma = random_floats(rng, d), beta = random_floats(rng, d);
    for (int variant = 0; variant < 3; ++variant) {  // layer_norm, layer_norm no beta, rms_norm
      GraphBuilder g;
      const ValueId in = g.input("x", DType::f32, shape);
      const ValueId gm = g.constant_f32("gamma", {int64_t(d)}, gamma);
      const float eps = 1e-3f;
      if (variant == 2) {
        g.output(g.rms_norm(in, gm, eps));
      } else {
        g.output(g.layer_norm(
            in, gm, variant == 0 ? g.constant_f32("beta", {int64_t(d)}, beta) : kInvalidValue,
            eps));
      }
      Ref ref;
      for (size_t r = 0; r < rows; ++r) {
        double mean = 0, var = 0, ms = 0;
        for (size_t j = 0; j < d; ++j) mean += x[r * d + j];
        mean /= d;
        for (size_t j = 0; j < d; ++j) {
          var += (x[r * d + j] - mean) * (x[r * d + j] - mean);
          ms += double{x[r * d + j]} * x[r * d + j];
        }
        var /= d;
        ms /= d;
        for (size_t j = 0; j < d; ++j) {
          const double v = variant == 2 ? x[r * d + j] / std::sqrt(ms + eps) * gamma[j]
                                        : (x[r * d + j] - mean) / std::sqrt(var + eps) * gamma[j] +
                                              (variant == 0 ? beta[j] : 0.0);
          ref.value.push_back(v);
        }
      }
      check_f32(build(g), {to_bytes(x)}, ref,
                "norm variant " + std::to_string(variant) + " d=" + std::to_string(d));
    }
  }
}

// ---- reshape, transpose, concat ------------------------------------------------------------

TEST(Ops, ReshapeCopies) {
  std::mt19937 rng(15);
  const std::vector<float> x = random_floats(rng, 2 * 3 * 5);
  GraphBuilder g;
  const ValueId in = g.input("x", DType::f32, {2, 3, 5});
  const ValueId r = g.reshape(in, {5, -1});
  EXPECT_EQ(g.graph().values[r].shape, (Dims{5, 6}));
  g.output(g.relu(g.reshape(r, {30})));
  Ref ref;
  for (float v : x) ref.value.push_back(std::max(0.0f, v));
  check_f32(build(g), {to_bytes(x)}, ref, "reshape");
}

TEST(Ops, TransposeF32AndI32) {
  struct Case {
    Dims shape;
    std::vector<int32_t> perm;
  };
  const Case cases[] = {
      {{2, 3, 4, 5}, {0, 1, 2, 3}},
      {{2, 3, 4, 5}, {3, 2, 1, 0}},
      {{2, 3, 4, 5}, {0, 2, 1, 3}},
      {{2, 3, 4, 5}, {1, 2, 3, 0}},
      {{7, 9}, {1, 0}},
      {{3, 1, 5}, {2, 1, 0}},
      {{33, 65, 17}, {2, 0, 1}},
      {{6}, {0}},
  };
  std::mt19937 rng(16);
  for (const Case& c : cases) {
    Dims out;
    for (int32_t p : c.perm) out.push_back(c.shape[p]);
    const auto st = strides_of(c.shape);
    std::vector<size_t> src(count(out));
    for (size_t f = 0; f < src.size(); ++f) {
      const auto idx = unflatten(f, out);
      size_t s = 0;
      for (size_t d = 0; d < idx.size(); ++d) s += idx[d] * st[c.perm[d]];
      src[f] = s;
    }
    const std::vector<float> x = random_floats(rng, count(c.shape));
    GraphBuilder g;
    g.output(g.transpose(g.input("x", DType::f32, c.shape), c.perm));
    Ref ref;
    for (size_t s : src) ref.value.push_back(x[s]);
    check_f32(build(g), {to_bytes(x)}, ref, "transpose");

    std::vector<int32_t> xi(count(c.shape));
    for (size_t i = 0; i < xi.size(); ++i) xi[i] = static_cast<int32_t>(rng());
    GraphBuilder gi;
    gi.output(gi.transpose(gi.input("x", DType::i32, c.shape), c.perm));
    const Bytes plan = build(gi);
    for (const Config& cfg : kConfigs) {
      const RunResult r = run_plan(plan, {to_bytes(xi)}, cfg);
      ASSERT_EQ(r.status, mint_status_success) << r.error;
      const auto got = from_bytes<int32_t>(r.outputs[0]);
      for (size_t f = 0; f < src.size(); ++f)
        ASSERT_EQ(got[f], xi[src[f]]) << "i32 transpose " << f;
    }
  }
}

TEST(Ops, ConcatAlongEachAxis) {
  std::mt19937 rng(17);
  struct Case {
    std::vector<Dims> inputs;
    int axis;
  };
  const Case cases[] = {
      {{{2, 3, 4}, {5, 3, 4}, {1, 3, 4}}, 0},
      {{{2, 3, 4}, {2, 1, 4}, {2, 6, 4}}, 1},
      {{{2, 3, 4}, {2, 3, 1}, {2, 3, 7}}, -1},
      {{{3, 5}}, 1},
      {{{300, 70}, {300, 3}}, 1},
  };
  for (const Case& c : cases) {
    GraphBuilder g;
    std::vector<ValueId> ids;
    std::vector<std::vector<float>> xs;
    std::vector<Bytes> in_bytes;
    for (size_t i = 0; i < c.inputs.size(); ++i) {
      ids.push_back(g.input("x" + std::to_string(i), DType::f32, c.inputs[i]));
      xs.push_back(random_floats(rng, count(c.inputs[i])));
      in_bytes.push_back(to_bytes(xs.back()));
    }
    g.output(g.concat(ids, c.axis));
    const size_t rank = c.inputs[0].size();
    const size_t ax = static_cast<size_t>(c.axis < 0 ? c.axis + int(rank) : c.axis);
    // Reference: walk the output in order.
    Dims out = c.inputs[0];
    out[ax] = 0;
    for (const Dims& d : c.inputs) out[ax] += d[ax];
    Ref ref;
    for (size_t f = 0; f < count(out); ++f) {
      auto idx = unflatten(f, out);
      size_t which = 0;
      while (idx[ax] >= static_cast<size_t>(c.inputs[which][ax])) idx[ax] -= c.inputs[which++][ax];
      const auto st = strides_of(c.inputs[which]);
      size_t s = 0;
      for (size_t d = 0; d < rank; ++d) s += idx[d] * st[d];
      ref.value.push_back(xs[which][s]);
    }
    check_f32(build(g), in_bytes, ref, "concat axis " + std::to_string(c.axis));
  }
}

// ---- embedding -----------------------------------------------------------------------------

TEST(Ops, EmbeddingGathersRows) {
  std::mt19937 rng(18);
  const int64_t vocab = 53, dim = 7;
  const std::vector<float> table = random_floats(rng, vocab * dim);
  const std::vector<int32_t> ids = {0, 52, 17, 17, 3, 9, 51, 2, 0, 11};
  GraphBuilder g;
  g.output(g.embedding(g.constant_f32("table", {vocab, dim}, table),
                       g.input("ids", DType::i32, {2, 5})));
  Ref ref;
  for (int32_t id : ids)
    for (int64_t j = 0; j < dim; ++j) ref.value.push_back(table[id * dim + j]);
  const Bytes plan = build(g);
  check_f32(plan, {to_bytes(ids)}, ref, "embedding");

  // An id outside [0, vocab) fails the run with a message, on every config.
  std::vector<int32_t> bad = ids;
  bad[5] = 70000;
  for (const Config& cfg : kConfigs) {
    const RunResult r = run_plan(plan, {to_bytes(bad)}, cfg);
    EXPECT_EQ(r.status, mint_status_invalid_argument) << cfg.name();
    EXPECT_NE(r.error.find("id 70000 at position 5 is outside [0, 53)"), std::string::npos)
        << r.error;
  }
  bad[5] = -1;
  EXPECT_EQ(run_plan(plan, {to_bytes(bad)}, kConfigs[0]).status, mint_status_invalid_argument);
}

// ---- matmul --------------------------------------------------------------------------------

struct MatMulCase {
  Dims a, b;
  bool transpose_b;
};

TEST(Ops, MatMulBatchedSharedAndTransposed) {
  const MatMulCase cases[] = {
      {{3, 5, 7}, {3, 7, 4}, false},  {{2, 3, 5, 6}, {2, 3, 9, 6}, true},
      {{4, 5, 7}, {7, 9}, false},     {{1, 1, 33}, {33, 17}, false},
      {{1, 33}, {17, 33}, true},      {{2, 37, 19}, {2, 19, 41}, false},
      {{6, 1, 64}, {6, 3, 64}, true},
  };
  std::mt19937 rng(19);
  for (const MatMulCase& c : cases) {
    const std::vector<float> a = random_floats(rng, count(c.a)), b = random_floats(rng, count(c.b));
    GraphBuilder g;
    const ValueId ia = g.input("a", DType::f32, c.a);  // inputs in order: a, b
    const ValueId ib = g.input("b", DType::f32, c.b);
    g.output(g.matmul(ia, ib, c.transpose_b));
    const size_t m = c.a[c.a.size() - 2], k = c.a.back();
    const size_t n = c.transpose_b ? c.b[c.b.size() - 2] : c.b.back();
    const size_t batch = count(c.a) / (m * k);
    const bool shared = c.b.size() == 2;
    Ref ref;
    for (size_t bi = 0; bi < batch; ++bi)
      for (size_t i = 0; i < m; ++i)
        for (size_t j = 0; j < n; ++j) {
          double acc = 0, mag = 0;
          const float* bb = b.data() + (shared ? 0 : bi * k * n);
          for (size_t kk = 0; kk < k; ++kk) {
            const double p = double{a[(bi * m + i) * k + kk]} *
                             (c.transpose_b ? bb[j * k + kk] : bb[kk * n + j]);
            acc += p;
            mag += std::fabs(p);
          }
          ref.value.push_back(acc);
          ref.scale.push_back(mag);
        }
    check_f32(build(g), {to_bytes(a), to_bytes(b)}, ref, "matmul");
  }
}

// ---- conv2d --------------------------------------------------------------------------------

struct ConvCase {
  Dims x;  // NHWC
  int64_t cout, kh, kw, sh, sw, dh, dw, pt, pl, pb, pr, groups;
  plan::Activation act;
  bool bias;
};

// Naive conv2d (grouped), activation applied; fills ref.value and ref.scale.
Ref conv_reference(const ConvCase& c, const std::vector<float>& x, const std::vector<float>& w,
                   const std::vector<float>& bias) {
  const int64_t n = c.x[0], h = c.x[1], wd = c.x[2], cin = c.x[3];
  const int64_t oh = (h + c.pt + c.pb - c.dh * (c.kh - 1) - 1) / c.sh + 1;
  const int64_t ow = (wd + c.pl + c.pr - c.dw * (c.kw - 1) - 1) / c.sw + 1;
  const int64_t cg = cin / c.groups, og = c.cout / c.groups;
  Ref ref;
  for (int64_t b = 0; b < n; ++b)
    for (int64_t y = 0; y < oh; ++y)
      for (int64_t xo = 0; xo < ow; ++xo)
        for (int64_t co = 0; co < c.cout; ++co) {
          double acc = c.bias ? bias[co] : 0.0, mag = std::fabs(acc);
          for (int64_t i = 0; i < c.kh; ++i)
            for (int64_t j = 0; j < c.kw; ++j) {
              const int64_t ih = y * c.sh - c.pt + i * c.dh, iw = xo * c.sw - c.pl + j * c.dw;
              if (ih < 0 || iw < 0 || ih >= h || iw >= wd) continue;
              for (int64_t ci = 0; ci < cg; ++ci) {
                const double p = double{x[((b * h + ih) * wd + iw) * cin + (co / og) * cg + ci]} *
                                 w[((co * c.kh + i) * c.kw + j) * cg + ci];
                acc += p;
                mag += std::fabs(p);
              }
            }
          if (c.act == plan::Activation::relu) acc = std::max(acc, 0.0);
          if (c.act == plan::Activation::relu6) acc = std::min(std::max(acc, 0.0), 6.0);
          ref.value.push_back(acc);
          ref.scale.push_back(mag);
        }
  return ref;
}

TEST(Ops, Conv2D) {
  using A = plan::Activation;
  const ConvCase cases[] = {
      {{1, 5, 7, 3}, 4, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, A::none, true},
      {{2, 9, 8, 5}, 6, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 1, A::relu, true},
      {{1, 11, 9, 3}, 7, 3, 2, 1, 2, 2, 1, 2, 0, 1, 2, 1, A::relu6, false},
      {{2, 6, 5, 17}, 19, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 1, A::none, true},  // 1x1: no im2col
      {{1, 7, 6, 4}, 5, 5, 3, 1, 1, 1, 1, 2, 1, 2, 1, 1, A::none, true},
      {{1, 8, 8, 6}, 6, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 6, A::relu, true},    // depthwise
      {{1, 20, 18, 37}, 37, 3, 3, 1, 1, 1, 2, 1, 2, 1, 0, 37, A::relu6, true},  // depthwise, SIMD
      {{2, 40, 40, 64}, 64, 5, 5, 2, 2, 1, 1, 2, 2, 2, 2, 64, A::none, false},  // + remainder
      {{2, 7, 9, 6}, 12, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 3, A::none, false},  // grouped, multiplier 4
      {{1, 9, 7, 4}, 6, 3, 2, 2, 1, 2, 1, 2, 0, 0, 1, 2, A::relu6, true},
      {{1, 210, 200, 3}, 4, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, A::relu, true},  // several im2col
                                                                              // blocks
  };
  std::mt19937 rng(20);
  for (const ConvCase& c : cases) {
    for (WeightPrecision precision : {WeightPrecision::kF32, WeightPrecision::kF16}) {
      if (precision == WeightPrecision::kF16 && (c.groups != 1 || c.x[1] > 50)) continue;
      const int64_t cg = c.x[3] / c.groups;
      const std::vector<float> x = random_floats(rng, count(c.x));
      std::vector<float> w = random_floats(rng, c.cout * c.kh * c.kw * cg);
      const std::vector<float> bias = random_floats(rng, c.cout);
      plan::Conv2DOptionsT o;
      o.kernel_h = int(c.kh), o.kernel_w = int(c.kw), o.stride_h = int(c.sh),
      o.stride_w = int(c.sw);
      o.dilation_h = int(c.dh), o.dilation_w = int(c.dw), o.pad_top = int(c.pt),
      o.pad_left = int(c.pl);
      o.pad_bottom = int(c.pb), o.pad_right = int(c.pr), o.groups = int(c.groups),
      o.activation = c.act;
      GraphBuilder g;
      const ValueId in = g.input("x", DType::f32, c.x);
      const ValueId wv = g.constant_f32("w", {c.cout, c.kh, c.kw, cg}, w);
      const ValueId bv = c.bias ? g.constant_f32("b", {c.cout}, bias) : kInvalidValue;
      g.output(g.conv2d(in, wv, bv, o, "conv"));
      if (precision == WeightPrecision::kF16) {
        for (float& v : w) v = f16_to_f32(f32_to_f16(v));
      }
      check_f32(build(g, precision), {to_bytes(x)}, conv_reference(c, x, w, bias),
                "conv2d x=" + std::to_string(count(c.x)) + " groups " + std::to_string(c.groups) +
                    (precision == WeightPrecision::kF16 ? " f16" : " f32"));
    }
  }
}

// ---- transposed_conv2d ---------------------------------------------------------------------

struct TConvCase {
  Dims x;
  int64_t cout, kh, kw, sh, sw, dh, dw, pt, pl, pb, pr, oph, opw;
  plan::Activation act;
  bool bias;
};

TEST(Ops, TransposedConv2D) {
  using A = plan::Activation;
  const TConvCase cases[] = {
      {{1, 4, 4, 8}, 5, 4, 4, 2, 2, 1, 1, 1, 1, 1, 1, 0, 0, A::relu, true},  // DCGAN-style
      {{2, 3, 5, 3}, 4, 3, 3, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, A::none, true},
      {{1, 5, 3, 2}, 3, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 1, 1, A::none, false},  // output padding
      {{1, 3, 4, 5}, 2, 3, 2, 1, 2, 2, 1, 1, 0, 0, 1, 0, 1, A::relu6, true},  // dilation
      {{3, 2, 2, 7}, 9, 5, 3, 3, 2, 1, 2, 2, 1, 0, 2, 2, 0, A::none, true},
  };
  std::mt19937 rng(21);
  for (const TConvCase& c : cases) {
    for (WeightPrecision precision : {WeightPrecision::kF32, WeightPrecision::kF16}) {
      const int64_t n = c.x[0], h = c.x[1], wd = c.x[2], cin = c.x[3];
      const std::vector<float> x = random_floats(rng, count(c.x));
      std::vector<float> w = random_floats(rng, c.cout * c.kh * c.kw * cin);
      const std::vector<float> bias = random_floats(rng, c.cout);
      plan::TransposedConv2DOptionsT o;
      o.kernel_h = int(c.kh), o.kernel_w = int(c.kw), o.stride_h = int(c.sh),
      o.stride_w = int(c.sw);
      o.dilation_h = int(c.dh), o.dilation_w = int(c.dw), o.pad_top = int(c.pt),
      o.pad_left = int(c.pl);
      o.pad_bottom = int(c.pb), o.pad_right = int(c.pr), o.output_pad_h = int(c.oph);
      o.output_pad_w = int(c.opw), o.activation = c.act;
      GraphBuilder g;
      const ValueId in = g.input("x", DType::f32, c.x);
      const ValueId y =
          g.transposed_conv2d(in, g.constant_f32("w", {c.cout, c.kh, c.kw, cin}, w),
                              c.bias ? g.constant_f32("b", {c.cout}, bias) : kInvalidValue, o);
      g.output(y);
      const int64_t oh = (h - 1) * c.sh - c.pt - c.pb + c.dh * (c.kh - 1) + c.oph + 1;
      const int64_t ow = (wd - 1) * c.sw - c.pl - c.pr + c.dw * (c.kw - 1) + c.opw + 1;
      ASSERT_EQ(g.graph().values[y].shape, (Dims{n, oh, ow, c.cout}));
      const Bytes plan = build(g, precision);
      if (precision == WeightPrecision::kF16) {
        for (float& v : w) v = f16_to_f32(f32_to_f16(v));
      }
      // Scatter form, straight from the definition.
      std::vector<double> acc(n * oh * ow * c.cout, 0.0), mag(acc.size(), 0.0);
      for (int64_t b = 0; b < n; ++b)
        for (int64_t ih = 0; ih < h; ++ih)
          for (int64_t iw = 0; iw < wd; ++iw)
            for (int64_t i = 0; i < c.kh; ++i)
              for (int64_t j = 0; j < c.kw; ++j) {
                const int64_t yo = ih * c.sh - c.pt + i * c.dh, xo = iw * c.sw - c.pl + j * c.dw;
                if (yo < 0 || xo < 0 || yo >= oh || xo >= ow) continue;
                for (int64_t co = 0; co < c.cout; ++co)
                  for (int64_t ci = 0; ci < cin; ++ci) {
                    const double p = double{x[((b * h + ih) * wd + iw) * cin + ci]} *
                                     w[((co * c.kh + i) * c.kw + j) * cin + ci];
                    acc[((b * oh + yo) * ow + xo) * c.cout + co] += p;
                    mag[((b * oh + yo) * ow + xo) * c.cout + co] += std::fabs(p);
                  }
              }
      Ref ref;
      for (size_t i = 0; i < acc.size(); ++i) {
        double v = acc[i] + (c.bias ? bias[i % c.cout] : 0.0);
        if (c.act == A::relu) v = std::max(v, 0.0);
        if (c.act == A::relu6) v = std::min(std::max(v, 0.0), 6.0);
        ref.value.push_back(v);
        ref.scale.push_back(mag[i] + (c.bias ? std::fabs(bias[i % c.cout]) : 0.0));
      }
      check_f32(
          plan, {to_bytes(x)}, ref,
          std::string("transposed_conv2d ") + (precision == WeightPrecision::kF16 ? "f16" : "f32"));
    }
  }
}

// ---- quantize / dequantize -----------------------------------------------------------------

TEST(Ops, QuantizeDequantizeRoundTrip) {
  std::mt19937 rng(22);
  const Dims shape = {3, 1001};
  std::vector<float> x = random_floats(rng, count(shape), -2.0f, 2.0f);
  x[0] = 0.05f * 3;  // exactly-representable halves get rounded to even below
  x[1] = 100.0f;     // saturates
  x[2] = -100.0f;
  const float scale = 0.0125f;
  const int32_t zp = -7;
  compiler::QuantSpec quant;
  quant.kind = plan::QuantKind::per_tensor;
  quant.scales = {scale};
  quant.zero_points = {zp};
  GraphBuilder g;
  const ValueId in = g.input("x", DType::f32, shape);
  const ValueId q = g.add_node(plan::OpCode::quantize, {in}, {}, "q", 1, quant)[0];
  const ValueId dq = g.add_node1(plan::OpCode::dequantize, {q}, {}, "dq");
  g.output(dq);
  g.output(q);
  const Bytes plan = build(g);
  ASSERT_FALSE(plan.empty());
  std::vector<int8_t> want_q(x.size());
  for (size_t i = 0; i < x.size(); ++i) {
    const float v = std::nearbyint(x[i] / scale) + static_cast<float>(zp);
    want_q[i] = static_cast<int8_t>(std::min(127.0f, std::max(-128.0f, v)));
  }
  EXPECT_EQ(want_q[1], 127);
  EXPECT_EQ(want_q[2], -128);
  for (const Config& cfg : kConfigs) {
    const RunResult r = run_plan(plan, {to_bytes(x)}, cfg);
    ASSERT_EQ(r.status, mint_status_success) << r.error;
    ASSERT_EQ(r.outputs.size(), 2u);
    EXPECT_EQ(from_bytes<int8_t>(r.outputs[1]), want_q) << cfg.name();
    const auto deq = from_bytes<float>(r.outputs[0]);
    for (size_t i = 0; i < x.size(); ++i) {
      ASSERT_EQ(deq[i], scale * static_cast<float>(want_q[i] - zp)) << i;
    }
  }
}

// ---- the builder rejects bad graphs ----------------------------------------------------------

// Builds the graph whose output `make` returns; finish() must fail with a message containing
// `want`.
void expect_rejected(const std::function<ValueId(GraphBuilder&)>& make, const std::string& want) {
  GraphBuilder g;
  g.output(make(g));
  auto r = g.finish();
  ASSERT_FALSE(r.is_ok()) << "accepted; wanted: " << want;
  EXPECT_NE(r.status().message().find(want), std::string::npos) << r.status().message();
}

ValueId in(GraphBuilder& g, const Dims& d, const char* name = "a", DType t = DType::f32) {
  return g.input(name, t, d);
}
ValueId zeros(GraphBuilder& g, const Dims& d, const char* name = "w") {
  return g.constant_f32(name, d, std::vector<float>(count(d)));
}

TEST(OpsValidation, BuilderRejectsBadGraphs) {
  using G = GraphBuilder;
  plan::Conv2DOptionsT conv;
  conv.kernel_h = conv.kernel_w = 3;
  const auto conv_graph = [](Dims x, Dims w, plan::Conv2DOptionsT o) {
    return [=](G& g) { return g.conv2d(in(g, x, "x"), zeros(g, w), kInvalidValue, o, "conv1"); };
  };
  expect_rejected(conv_graph({1, 8, 8, 3}, {8, 3, 3}, conv),
                  "node 0 (conv2d 'conv1'): input 1 'w' has shape [8,3,3], want rank 4");
  plan::Conv2DOptionsT bad = conv;
  bad.stride_h = 0;
  expect_rejected(conv_graph({1, 8, 8, 3}, {8, 3, 3, 3}, bad), "stride_h is 0, want >= 1");
  bad = conv;
  bad.groups = 2;
  expect_rejected(conv_graph({1, 8, 8, 3}, {8, 3, 3, 3}, bad), "not divisible by groups 2");
  expect_rejected(conv_graph({1, 2, 2, 3}, {8, 3, 3, 3}, conv), "smaller than the dilated kernel");
  expect_rejected(  // conv2d without options
      [](G& g) {
        return g.add_node1(plan::OpCode::conv2d, {in(g, {1, 8, 8, 3}), zeros(g, {8, 3, 3, 3})});
      },
      "options must be Conv2DOptions, got NONE");
  expect_rejected(
      [](G& g) {
        return g.concat({in(g, {2, 3}), in(g, {3, 4}, "b")}, 1);
      },
      "input 1 has shape [3,4], incompatible with input 0 [2,3]");
  expect_rejected(
      [](G& g) {
        return g.concat({in(g, {2, 3})}, 2);
      },
      "axis 2 is out of range for rank 2");
  expect_rejected(
      [](G& g) {
        return g.transpose(in(g, {2, 3, 4}), {0, 2, 2});
      },
      "perm [0,2,2] is not a permutation of [0, 3)");
  expect_rejected([](G& g) { return g.add(in(g, {2, 3}), in(g, {4}, "b")); }, "do not broadcast");
  expect_rejected(
      [](G& g) {
        return g.matmul(in(g, {2, 3}), in(g, {4, 5}, "b"));
      },
      "has k = 3 but B [4,5] has k = 4");
  expect_rejected(
      [](G& g) {
        return g.embedding(zeros(g, {4, 2}), in(g, {3}, "ids"));
      },
      "input 1 'ids' has dtype f32, want i32");
  expect_rejected(
      [](G& g) {
        return g.embedding(in(g, {4, 2}, "t"), in(g, {3}, "i", DType::i32));
      },
      "input 0 't' must be a constant");
  expect_rejected(
      [](G& g) {
        return g.reshape(in(g, {2, 3}), {4, 2});
      },
      "new shape [4,2] has 8 elements");
  expect_rejected(
      [](G& g) {
        return g.softmax(in(g, {2, 3}), 2);
      },
      "axis 2 is out of range for rank 2");
  expect_rejected(
      [](G& g) {
        return g.layer_norm(in(g, {2, 3}), zeros(g, {2}, "g"), kInvalidValue);
      },
      "input 1 'g' has shape [2], want [3]");
  expect_rejected(
      [](G& g) {
        return g.rms_norm(in(g, {2, 3}), zeros(g, {3}, "g"), 0.0f);
      },
      "epsilon");
  plan::TransposedConv2DOptionsT tc;
  tc.kernel_h = tc.kernel_w = 3;
  tc.output_pad_h = 1;  // stride 1, dilation 1: output padding must be 0
  expect_rejected(
      [&](G& g) {
        return g.transposed_conv2d(in(g, {1, 4, 4, 2}), zeros(g, {3, 3, 3, 2}), kInvalidValue, tc);
      },
      "output padding");
}

// ---- op validate() on hand-made plans --------------------------------------------------------

// An op description with hand-made tensors, validated by the op's OpDefinition directly.
class OpFixture {
 public:
  TensorDesc& add(const std::string& name, DType dtype, const Dims& dims,
                  plan::Storage storage = plan::Storage::arena,
                  plan::Layout layout = plan::Layout::plain, size_t byte_size = 0) {
    auto t = std::make_unique<TensorDesc>();
    t->name = name;
    t->dtype = dtype;
    t->shape.rank = dims.size();
    for (size_t i = 0; i < dims.size(); ++i) t->shape[i] = dims[i];
    t->storage = storage;
    t->layout = layout;
    t->byte_size = byte_size ? byte_size : plain_byte_size(dtype, t->shape.elements());
    t->offset = next_offset_;  // disjoint arena ranges
    next_offset_ += (t->byte_size + 63) / 64 * 64;
    tensors_.push_back(std::move(t));
    return *tensors_.back();
  }
  // inputs / outputs: indices into the added tensors (-1: absent).
  template <typename OptionsT>
  Status validate(plan::OpCode code, const OptionsT* options, const std::vector<int>& inputs,
                  const std::vector<int>& outputs) {
    plan::OpT op;
    op.opcode = code;
    if (options) {
      OptionsT copy = *options;
      op.options.Set(std::move(copy));
    }
    op.inputs.assign(inputs.begin(), inputs.end());
    op.outputs.assign(outputs.begin(), outputs.end());
    fbb_.Clear();
    fbb_.Finish(plan::Op::Pack(fbb_, &op));
    OpView view;
    view.index = 0;
    view.op = flatbuffers::GetRoot<plan::Op>(fbb_.GetBufferPointer());
    for (int i : inputs) {
      view.inputs.push_back(i < 0 ? nullptr : tensors_[i].get());
      view.input_ids.push_back(i);
    }
    for (int i : outputs) {
      view.outputs.push_back(i < 0 ? nullptr : tensors_[i].get());
      view.output_ids.push_back(i);
    }
    const OpDefinition* def = find_op_definition(code);
    if (def == nullptr) return Status::internal("no definition");
    return def->validate(view);
  }

 private:
  std::vector<std::unique_ptr<TensorDesc>> tensors_;
  size_t next_offset_ = 0;
  flatbuffers::FlatBufferBuilder fbb_;
};

void expect_invalid(const Status& st, const std::string& want) {
  EXPECT_EQ(st.code(), mint_status_invalid_plan) << st.message();
  EXPECT_NE(st.message().find(want), std::string::npos) << st.message();
}

TEST(OpsValidation, Conv2DPlans) {
  OpFixture f;
  const size_t k = 3 * 3 * 3;
  const size_t packed = gemm_panel_count(8) * f32_gemm_panel_bytes(k);
  f.add("x", DType::f32, {1, 8, 8, 3});                                                      // 0
  f.add("w", DType::f32, {8, 27}, plan::Storage::constant, plan::Layout::gemm_f32, packed);  // 1
  f.add("y", DType::f32, {1, 8, 8, 8});                                                      // 2
  f.add("w3", DType::f32, {8, 3, 3}, plan::Storage::constant);                               // 3
  f.add("wshort", DType::f32, {8, 27}, plan::Storage::constant, plan::Layout::gemm_f32,
        packed - 4);                                                                         // 4
  f.add("wact", DType::f32, {8, 27}, plan::Storage::arena, plan::Layout::gemm_f32, packed);  // 5
  f.add("bias", DType::f32, {8}, plan::Storage::constant);                                   // 6
  f.add("y_bad", DType::f32, {1, 6, 6, 8});                                                  // 7
  plan::Conv2DOptionsT o;
  o.kernel_h = o.kernel_w = 3;
  o.pad_top = o.pad_left = o.pad_bottom = o.pad_right = 1;
  const auto code = plan::OpCode::conv2d;
  EXPECT_TRUE(f.validate(code, &o, {0, 1}, {2}).is_ok());
  EXPECT_TRUE(f.validate(code, &o, {0, 1, -1}, {2}).is_ok());
  expect_invalid(f.validate(code, &o, {0, 3}, {2}),
                 "input 1 'w3' has shape [8,3,3], want [cout, 3, 3, 3]");
  expect_invalid(f.validate(code, &o, {0, 4}, {2}), "input 1 'wshort' has 1788 bytes, want 1792");
  expect_invalid(f.validate(code, &o, {0, 5}, {2}), "input 1 'wact' must be a constant");
  expect_invalid(f.validate(code, &o, {0, 1, 6}, {2}), "input 2 'bias' must be absent");
  expect_invalid(f.validate(code, &o, {0, 1}, {7}),
                 "output 0 'y_bad' has shape [1,6,6,8], want [1,8,8,8]");
  expect_invalid(f.validate(code, &o, {0}, {2}), "has 1 inputs, want 2 to 3");
  expect_invalid(f.validate(code, &o, {-1, 1}, {2}), "input 0 is required but absent");
  expect_invalid(f.validate<plan::Conv2DOptionsT>(code, nullptr, {0, 1}, {2}),
                 "options must be Conv2DOptions");
  plan::ConcatOptionsT wrong;
  expect_invalid(f.validate(code, &wrong, {0, 1}, {2}),
                 "options must be Conv2DOptions, got ConcatOptions");
  using C = plan::Conv2DOptionsT;
  for (int32_t C::*field : {&C::stride_w, &C::dilation_h, &C::pad_left, &C::kernel_h, &C::groups}) {
    C bad = o;
    bad.*field = field == &C::pad_left ? -2 : 0;
    EXPECT_EQ(f.validate(code, &bad, {0, 1}, {2}).code(), mint_status_invalid_plan);
  }
  C bad_act = o;
  bad_act.activation = static_cast<plan::Activation>(9);
  expect_invalid(f.validate(code, &bad_act, {0, 1}, {2}), "activation 9 is unknown");
  // Huge kernel and pad values are errors, not overflows.
  plan::Conv2DOptionsT huge = o;
  huge.kernel_h = huge.kernel_w = huge.dilation_h = 0x7fffffff;
  EXPECT_EQ(f.validate(code, &huge, {0, 1}, {2}).code(), mint_status_invalid_plan);
  // Grouped: plain weights [cout, kh, kw, cin/groups]; groups must divide the channels.
  OpFixture g;
  g.add("x", DType::f32, {1, 8, 8, 6});
  g.add("w", DType::f32, {6, 3, 3, 1}, plan::Storage::constant);
  g.add("y", DType::f32, {1, 8, 8, 6});
  g.add("b", DType::f32, {5}, plan::Storage::constant);
  plan::Conv2DOptionsT dw = o;
  dw.groups = 6;
  EXPECT_TRUE(g.validate(code, &dw, {0, 1}, {2}).is_ok());
  expect_invalid(g.validate(code, &dw, {0, 1, 3}, {2}), "input 2 'b' has shape [5], want [6]");
  dw.groups = 4;
  expect_invalid(g.validate(code, &dw, {0, 1}, {2}), "input 1 'w'");
}

TEST(OpsValidation, ConcatTransposeEmbeddingPlans) {
  OpFixture f;
  f.add("a", DType::f32, {2, 3});  // 0
  f.add("b", DType::f32, {2, 5});  // 1
  f.add("y", DType::f32, {2, 8});  // 2
  f.add("c", DType::f32, {3, 5});  // 3
  f.add("i", DType::i32, {2, 5});  // 4
  f.add("t", DType::f32, {3, 2});  // 5
  plan::ConcatOptionsT c;
  c.axis = 1;
  EXPECT_TRUE(f.validate(plan::OpCode::concat, &c, {0, 1}, {2}).is_ok());
  expect_invalid(f.validate(plan::OpCode::concat, &c, {0, 3}, {2}),
                 "input 1 has shape [3,5], incompatible");
  expect_invalid(f.validate(plan::OpCode::concat, &c, {0, 4}, {2}),
                 "input 1 'i' has dtype i32, want f32");
  expect_invalid(f.validate(plan::OpCode::concat, &c, {0, -1}, {2}),
                 "input 1 is required but absent");
  c.axis = -3;
  expect_invalid(f.validate(plan::OpCode::concat, &c, {0, 1}, {2}),
                 "axis -3 is out of range for rank 2");
  c.axis = 0;
  expect_invalid(f.validate(plan::OpCode::concat, &c, {0, 1}, {2}), "incompatible");

  plan::TransposeOptionsT t;
  t.perm = {1, 0};
  EXPECT_TRUE(f.validate(plan::OpCode::transpose, &t, {0}, {5}).is_ok());
  expect_invalid(f.validate(plan::OpCode::transpose, &t, {0}, {0}),
                 "output 0 'a' has shape [2,3], want [3,2]");
  t.perm = {1, 1};
  expect_invalid(f.validate(plan::OpCode::transpose, &t, {0}, {5}),
                 "input 0 'a': perm [1,1] is not a permutation");
  t.perm = {0, 1, 2};
  expect_invalid(f.validate(plan::OpCode::transpose, &t, {0}, {5}), "perm has 3 entries, want 2");
  t.perm = {0, -1};
  expect_invalid(f.validate(plan::OpCode::transpose, &t, {0}, {5}), "is not a permutation");
  expect_invalid(f.validate(plan::OpCode::transpose, &t, {0, 0}, {5}), "has 2 inputs, want 1");

  OpFixture e;
  e.add("table", DType::f32, {50, 4}, plan::Storage::constant);      // 0
  e.add("ids", DType::i32, {3});                                     // 1
  e.add("y", DType::f32, {3, 4});                                    // 2
  e.add("table_act", DType::f32, {50, 4});                           // 3
  e.add("fids", DType::f32, {3});                                    // 4
  e.add("table3", DType::f32, {50, 4, 1}, plan::Storage::constant);  // 5
  e.add("y5", DType::f32, {3, 5});                                   // 6
  const plan::ConcatOptionsT* none = nullptr;
  EXPECT_TRUE(e.validate(plan::OpCode::embedding, none, {0, 1}, {2}).is_ok());
  expect_invalid(e.validate(plan::OpCode::embedding, none, {3, 1}, {2}),
                 "input 0 'table_act' must be a constant");
  expect_invalid(e.validate(plan::OpCode::embedding, none, {0, 4}, {2}),
                 "input 1 'fids' has dtype f32, want i32");
  expect_invalid(e.validate(plan::OpCode::embedding, none, {5, 1}, {2}),
                 "input 0 'table3' has shape [50,4,1], want rank 2");
  expect_invalid(e.validate(plan::OpCode::embedding, none, {0, 1}, {6}),
                 "output 0 'y5' has shape [3,5], want [3,4]");
}

TEST(OpsValidation, OtherOps) {
  OpFixture f;
  f.add("x", DType::f32, {4, 6});  // 0
  f.add("y", DType::f32, {4, 6});  // 1
  f.add("g", DType::f32, {6});     // 2
  f.add("q", DType::i8, {4, 6});   // 3 (no quantization)
  f.add("w", DType::f32, {6, 5});  // 4
  f.add("m", DType::f32, {4, 5});  // 5
  plan::NormOptionsT n;
  EXPECT_TRUE(f.validate(plan::OpCode::layer_norm, &n, {0, 2, -1}, {1}).is_ok());
  n.epsilon = 0.0f;
  expect_invalid(f.validate(plan::OpCode::rms_norm, &n, {0, 2}, {1}), "epsilon");
  n.epsilon = 1e-5f;
  n.axis = 0;
  expect_invalid(f.validate(plan::OpCode::layer_norm, &n, {0, 2}, {1}),
                 "axis 0 is not the last axis");
  n.axis = -1;
  expect_invalid(f.validate(plan::OpCode::rms_norm, &n, {0, 0}, {1}),
                 "input 1 'x' has shape [4,6], want [6]");
  plan::SoftmaxOptionsT s;
  s.axis = 2;
  expect_invalid(f.validate(plan::OpCode::softmax, &s, {0}, {1}),
                 "axis 2 is out of range for rank 2");
  const plan::SoftmaxOptionsT* none = nullptr;
  expect_invalid(f.validate(plan::OpCode::quantize, none, {0}, {3}),
                 "output 0 'q' needs per-tensor quantization");
  expect_invalid(f.validate(plan::OpCode::add, none, {0, 4}, {1}), "do not broadcast");
  expect_invalid(f.validate(plan::OpCode::relu, none, {0}, {3}),
                 "output 0 'q' has dtype i8, want f32");
  plan::MatMulOptionsT mm;
  EXPECT_TRUE(f.validate(plan::OpCode::matmul, &mm, {0, 4}, {5}).is_ok());
  mm.transpose_b = true;
  expect_invalid(f.validate(plan::OpCode::matmul, &mm, {0, 4}, {5}),
                 "has k = 6 but B [6,5] (transposed) has k = 5");
  plan::ReshapeOptionsT r;
  r.new_shape = {6, 4};
  expect_invalid(f.validate(plan::OpCode::reshape, &r, {0}, {1}),
                 "output 0 'y' has shape [4,6], want [6,4]");
  r.new_shape = {5, 5};
  expect_invalid(f.validate(plan::OpCode::reshape, &r, {0}, {1}),
                 "new shape [5,5] has 25 elements");
  // Outputs may not share bytes with inputs, except exactly in place for elementwise ops.
  f.add("alias", DType::f32, {6, 4}).offset = 64;  // 6: x occupies [0, 96)
  f.add("same", DType::f32, {4, 6}).offset = 0;    // 7: exactly x's bytes
  plan::TransposeOptionsT t;
  t.perm = {1, 0};
  expect_invalid(f.validate(plan::OpCode::transpose, &t, {0}, {6}),
                 "output 0 'alias' overlaps input 0 'x'");
  f.add("shifted", DType::f32, {4, 6}).offset = 32;  // 8
  expect_invalid(f.validate(plan::OpCode::relu, none, {0}, {8}),
                 "output 0 'shifted' overlaps input 0 'x' (only exact in-place use is allowed)");
  EXPECT_TRUE(f.validate(plan::OpCode::relu, none, {0}, {7}).is_ok());  // in place
  t.perm = {0, 1};
  expect_invalid(f.validate(plan::OpCode::transpose, &t, {0}, {7}),
                 "output 0 'same' overlaps input 0 'x'");
  plan::LeakyReluOptionsT lr;
  lr.alpha = NAN;
  expect_invalid(f.validate(plan::OpCode::leaky_relu, &lr, {0}, {1}), "alpha");
}

}  // namespace
}  // namespace mint
