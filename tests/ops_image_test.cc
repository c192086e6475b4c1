// The image and third-party model ops (runtime/ops/unary.cc, pooling.cc, resize.cc,
// pad_slice.cc, reduce.cc), end to end as tests/ops_test.cc does: random inputs of odd sizes
// through GraphBuilder -> compile() -> load -> session -> run, compared with naive
// double-precision references written here, on the portable kernels (max_isa "scalar", one
// thread) and on the best ISA with one and three threads (large cases cross the threading
// threshold).
//
// Tolerances: |got - want| <= 1e-6 + 1e-5 * |want| (elementwise, pooling, resize, mean); data
// movement (pad, slice, max pool) is exact.
//
// The second half checks validation: graphs the builder must reject and plans the ops'
// validate() must refuse, with the message naming what is wrong.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include "runtime/ops/op.h"
#include "tests/test_util.h"

namespace mint {
namespace {

using compiler::GraphBuilder;
using compiler::ValueId;
using namespace testing_util;
using Dims = std::vector<int64_t>;

struct Config {
  const char* isa;
  size_t threads;
};
const Config kConfigs[] = {{"scalar", 1}, {nullptr, 1}, {nullptr, 3}};

size_t count(const Dims& d) {
  size_t n = 1;
  for (int64_t v : d) n *= static_cast<size_t>(v);
  return n;
}

// Compiles `g` (output 0 f32), runs it on every config and compares with `want`.
void check(GraphBuilder& g, const std::vector<std::vector<float>>& inputs,
           const std::vector<double>& want, const std::string& what, bool exact = false) {
  std::vector<uint8_t> bytes = compile_or_die(g);
  ASSERT_FALSE(bytes.empty()) << what;
  AlignedPlan plan(bytes);
  for (const Config& c : kConfigs) {
    const std::vector<float> got = run_f32(plan, inputs, c.threads, c.isa);
    ASSERT_EQ(got.size(), want.size()) << what;
    for (size_t i = 0; i < got.size(); ++i) {
      if (exact) {
        ASSERT_EQ(got[i], static_cast<float>(want[i])) << what << " at " << i;
      } else if (std::isnan(want[i])) {
        ASSERT_TRUE(std::isnan(got[i])) << what << " at " << i;
      } else {
        ASSERT_NEAR(got[i], want[i], 1e-6 + 1e-5 * std::fabs(want[i]))
            << what << " (" << (c.isa ? c.isa : "best") << ", " << c.threads << "t) at " << i;
      }
    }
  }
}

std::vector<size_t> unflatten(size_t flat, const Dims& d) {
  std::vector<size_t> idx(d.size());
  for (size_t i = d.size(); i-- > 0;) {
    idx[i] = flat % static_cast<size_t>(d[i]);
    flat /= static_cast<size_t>(d[i]);
  }
  return idx;
}

size_t flatten(const std::vector<size_t>& idx, const Dims& d) {
  size_t f = 0;
  for (size_t i = 0; i < d.size(); ++i) f = f * static_cast<size_t>(d[i]) + idx[i];
  return f;
}

// ---- elementwise ---------------------------------------------------------------------------

TEST(OpsImage, BinaryBroadcast) {
  struct Op {
    plan::OpCode code;
    double (*ref)(double, double);
  };
  const Op ops[] = {
      {plan::OpCode::sub, [](double a, double b) { return a - b; }},
      {plan::OpCode::div, [](double a, double b) { return a / b; }},
      {plan::OpCode::pow, [](double a, double b) { return std::pow(a, b); }},
      {plan::OpCode::maximum, [](double a, double b) { return std::max(a, b); }},
      {plan::OpCode::minimum, [](double a, double b) { return std::min(a, b); }},
  };
  std::mt19937 rng(31);
  for (const Op& op : ops) {
    for (const auto& [ad, bd] : {std::pair<Dims, Dims>{{3, 5, 7}, {7}}, {{67, 1, 1031}, {67, 3, 1}}}) {
      Dims od(ad.size());
      for (size_t i = 0; i < od.size(); ++i) {
        const size_t j = i + bd.size() >= od.size() ? i + bd.size() - od.size() : SIZE_MAX;
        od[i] = std::max(ad[i], j == SIZE_MAX ? 1 : bd[j]);
      }
      // Positive bases for pow, divisors away from 0.
      const std::vector<float> a = random_floats(rng, count(ad), 0.5f, 2.0f);
      std::vector<float> b = random_floats(rng, count(bd), 0.5f, 2.0f);
      for (size_t i = 0; i < b.size(); i += 3) b[i] = -b[i];
      if (op.code == plan::OpCode::pow) b[0] = 2.0f;
      GraphBuilder g;
      const ValueId va = g.input("a", DType::f32, ad), vb = g.input("b", DType::f32, bd);
      g.output(g.binary(op.code, va, vb));
      std::vector<double> want;
      for (size_t f = 0; f < count(od); ++f) {
        const auto idx = unflatten(f, od);
        std::vector<size_t> ia(ad.size()), ib(bd.size());
        for (size_t i = 0; i < ad.size(); ++i) ia[i] = ad[i] == 1 ? 0 : idx[i + od.size() - ad.size()];
        for (size_t i = 0; i < bd.size(); ++i) ib[i] = bd[i] == 1 ? 0 : idx[i + od.size() - bd.size()];
        want.push_back(op.ref(a[flatten(ia, ad)], b[flatten(ib, bd)]));
      }
      check(g, {a, b}, want, std::string(plan::EnumNameOpCode(op.code)) + " " + std::to_string(count(od)));
    }
  }
}

TEST(OpsImage, Unary) {
  struct Op {
    const char* name;
    std::function<ValueId(GraphBuilder&, ValueId)> add;
    double (*ref)(double);
    float lo, hi;
  };
  const Op ops[] = {
      {"clip", [](GraphBuilder& g, ValueId x) { return g.clip(x, -0.5f, 1.5f); },
       [](double v) { return std::min(1.5, std::max(-0.5, v)); }, -3, 3},
      {"clip_inf", [](GraphBuilder& g, ValueId x) { return g.clip(x, -INFINITY, 0.25f); },
       [](double v) { return std::min(0.25, v); }, -3, 3},
      {"hard_sigmoid", [](GraphBuilder& g, ValueId x) { return g.hard_sigmoid(x, 0.2f, 0.5f); },
       [](double v) { return std::min(1.0, std::max(0.0, double{0.2f} * v + 0.5)); }, -6, 6},
      {"hard_swish", [](GraphBuilder& g, ValueId x) { return g.unary(plan::OpCode::hard_swish, x); },
       [](double v) { return v * std::min(1.0, std::max(0.0, v / 6 + 0.5)); }, -6, 6},
      {"sqrt", [](GraphBuilder& g, ValueId x) { return g.unary(plan::OpCode::sqrt, x); },
       [](double v) { return std::sqrt(v); }, 0, 9},
      {"exp", [](GraphBuilder& g, ValueId x) { return g.unary(plan::OpCode::exp, x); },
       [](double v) { return std::exp(v); }, -10, 10},
      {"neg", [](GraphBuilder& g, ValueId x) { return g.unary(plan::OpCode::neg, x); },
       [](double v) { return -v; }, -3, 3},
      {"abs", [](GraphBuilder& g, ValueId x) { return g.unary(plan::OpCode::abs, x); },
       [](double v) { return std::fabs(v); }, -3, 3},
      {"reciprocal", [](GraphBuilder& g, ValueId x) { return g.unary(plan::OpCode::reciprocal, x); },
       [](double v) { return 1 / v; }, 0.25, 4},
  };
  std::mt19937 rng(32);
  for (const Op& op : ops) {
    for (const Dims& shape : {Dims{3, 17, 11}, Dims{70001}}) {
      const std::vector<float> x = random_floats(rng, count(shape), op.lo, op.hi);
      GraphBuilder g;
      g.output(op.add(g, g.input("x", DType::f32, shape)));
      std::vector<double> want;
      for (float v : x) want.push_back(op.ref(v));
      check(g, {x}, want, op.name);
    }
  }
}

// ---- pooling -------------------------------------------------------------------------------

struct PoolCase {
  Dims x;  // NHWC
  int k_h, k_w, s_h, s_w, d_h, d_w, pt, pl, pb, pr;
  bool ceil, include_pad;
};

TEST(OpsImage, MaxAndAveragePool) {
  const PoolCase cases[] = {
      {{2, 9, 11, 5}, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, false, false},
      {{2, 9, 11, 5}, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, false, true},
      {{1, 10, 7, 3}, 2, 3, 2, 1, 2, 1, 0, 1, 1, 0, true, false},
      {{1, 10, 7, 3}, 3, 2, 3, 2, 1, 1, 0, 0, 0, 0, true, true},
      {{1, 6, 6, 4}, 6, 6, 1, 1, 1, 1, 0, 0, 0, 0, false, false},
      {{1, 64, 48, 24}, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, false, false},  // threaded
  };
  std::mt19937 rng(33);
  for (const PoolCase& c : cases) {
    const std::vector<float> x = random_floats(rng, count(c.x), -2, 2);
    for (bool is_max : {true, false}) {
      plan::Pool2DOptionsT o;
      o.kernel_h = c.k_h; o.kernel_w = c.k_w; o.stride_h = c.s_h; o.stride_w = c.s_w;
      o.dilation_h = c.d_h; o.dilation_w = c.d_w;
      o.pad_top = c.pt; o.pad_left = c.pl; o.pad_bottom = c.pb; o.pad_right = c.pr;
      o.ceil_mode = c.ceil; o.count_include_pad = c.include_pad;
      GraphBuilder g;
      const ValueId in = g.input("x", DType::f32, c.x);
      const ValueId y = is_max ? g.max_pool2d(in, o) : g.average_pool2d(in, o);
      g.output(y);
      const Dims od = g.graph().values[y].shape;
      // Independent reference: every window position, inside the input or not.
      std::vector<double> want;
      const int64_t h = c.x[1], w = c.x[2], ch = c.x[3];
      for (int64_t n = 0; n < od[0]; ++n) for (int64_t oy = 0; oy < od[1]; ++oy)
      for (int64_t ox = 0; ox < od[2]; ++ox) for (int64_t k = 0; k < ch; ++k) {
        double acc = is_max ? -INFINITY : 0.0;
        int64_t in_count = 0, pad_count = 0;
        for (int ky = 0; ky < c.k_h; ++ky) for (int kx = 0; kx < c.k_w; ++kx) {
          const int64_t iy = oy * c.s_h - c.pt + ky * c.d_h, ix = ox * c.s_w - c.pl + kx * c.d_w;
          if (iy >= -c.pt && iy < h + c.pb && ix >= -c.pl && ix < w + c.pr) ++pad_count;
          if (iy < 0 || iy >= h || ix < 0 || ix >= w) continue;
          const double v = x[static_cast<size_t>(((n * h + iy) * w + ix) * ch + k)];
          acc = is_max ? std::max(acc, v) : acc + v;
          ++in_count;
        }
        want.push_back(is_max ? acc : acc / (c.include_pad ? pad_count : in_count));
      }
      check(g, {x}, want, std::string(is_max ? "max" : "avg") + " pool " + std::to_string(count(c.x)),
            is_max);
    }
  }
}

// ---- resize --------------------------------------------------------------------------------

// The input coordinate, in f32 arithmetic as the op's contract states (kernels/image.h): a
// coordinate that is an integer in double may be just below it in float, and nearest rounding
// follows the float value, as ONNX Runtime's does.
float source(int coord, int64_t o, int64_t in, int64_t out, float scale) {
  const float x = static_cast<float>(o);
  switch (coord) {
    case 1: return x / scale;
    case 2: return float(in) * scale <= 1.0f ? 0.0f : x * float(in - 1) / (float(in) * scale - 1.0f);
    case 3: return out > 1 ? (x + 0.5f) / scale - 0.5f : 0.0f;
    case 4: return (x + 0.5f) / scale;
    default: return (x + 0.5f) / scale - 0.5f;
  }
}

TEST(OpsImage, ResizeNearestAndLinear) {
  std::mt19937 rng(34);
  struct Size { Dims x; int oh, ow; };
  for (const Size& s : {Size{{1, 5, 7, 3}, 10, 14}, Size{{2, 8, 9, 2}, 3, 5}, Size{{1, 4, 4, 1}, 6, 9},
                        Size{{1, 24, 32, 16}, 48, 64}}) {
    const std::vector<float> x = random_floats(rng, count(s.x), -1, 1);
    for (int mode = 0; mode < 2; ++mode) {
      for (int coord = 0; coord < 5; ++coord) {
        for (int nearest = 0; nearest < (mode == 0 ? 4 : 1); ++nearest) {
          plan::ResizeOptionsT o;
          o.mode = static_cast<plan::ResizeMode>(mode);
          o.coordinates = static_cast<plan::ResizeCoordinates>(coord);
          o.nearest_mode = static_cast<plan::ResizeNearest>(nearest);
          o.out_h = s.oh;
          o.out_w = s.ow;
          o.scale_h = float(s.oh) / float(s.x[1]);
          o.scale_w = float(s.ow) / float(s.x[2]);
          GraphBuilder g;
          g.output(g.resize(g.input("x", DType::f32, s.x), o));
          const int64_t h = s.x[1], w = s.x[2], ch = s.x[3];
          const auto near = [&](double v, int64_t n) {
            double r = nearest == 2 ? std::floor(v) : nearest == 3 ? std::ceil(v)
                     : (v - std::floor(v) == 0.5 ? (nearest == 0 ? std::floor(v) : std::ceil(v))
                                                  : std::round(v));
            return static_cast<int64_t>(std::min<double>(n - 1, std::max(0.0, r)));
          };
          std::vector<double> want;
          for (int64_t n = 0; n < s.x[0]; ++n) for (int64_t oy = 0; oy < s.oh; ++oy)
          for (int64_t ox = 0; ox < s.ow; ++ox) for (int64_t k = 0; k < ch; ++k) {
            const double sy = source(coord, oy, h, s.oh, o.scale_h), sx = source(coord, ox, w, s.ow, o.scale_w);
            const auto at = [&](int64_t y, int64_t xx) { return double{x[static_cast<size_t>(((n * h + y) * w + xx) * ch + k)]}; };
            if (mode == 0) {
              want.push_back(at(near(sy, h), near(sx, w)));
            } else {
              const double cy = std::min<double>(h - 1, std::max(0.0, sy)), cx = std::min<double>(w - 1, std::max(0.0, sx));
              const int64_t y0 = static_cast<int64_t>(cy), x0 = static_cast<int64_t>(cx);
              const int64_t y1 = std::min(y0 + 1, h - 1), x1 = std::min(x0 + 1, w - 1);
              const double fy = cy - y0, fx = cx - x0;
              want.push_back((1 - fy) * ((1 - fx) * at(y0, x0) + fx * at(y0, x1)) +
                             fy * ((1 - fx) * at(y1, x0) + fx * at(y1, x1)));
            }
          }
          check(g, {x}, want, "resize mode " + std::to_string(mode) + " coord " + std::to_string(coord) +
                                  " nearest " + std::to_string(nearest) + " to " + std::to_string(s.oh) +
                                  "x" + std::to_string(s.ow));
        }
      }
    }
  }
}

// ---- pad, slice, reduce_mean -----------------------------------------------------------------

TEST(OpsImage, PadConstantReflectEdge) {
  std::mt19937 rng(35);
  struct Case { Dims x; Dims pads; };
  for (const Case& c : {Case{{2, 5, 6, 3}, {0, 2, 1, 0, 0, 1, 3, 0}}, Case{{4, 7}, {3, 0, 1, 6}},
                        Case{{3, 4, 5}, {1, 3, 2, 2, 0, 4}}, Case{{1, 40, 40, 32}, {0, 1, 1, 0, 0, 2, 2, 0}}}) {
    const std::vector<float> x = random_floats(rng, count(c.x), -1, 1);
    for (int mode = 0; mode < 3; ++mode) {
      const size_t r = c.x.size();
      bool ok = true;
      for (size_t i = 0; i < r; ++i) ok = ok && (mode != 1 || (c.pads[i] < c.x[i] && c.pads[r + i] < c.x[i]));
      if (!ok) continue;
      GraphBuilder g;
      g.output(g.pad(g.input("x", DType::f32, c.x), static_cast<plan::PadMode>(mode), c.pads, 0.75f));
      Dims od(r);
      for (size_t i = 0; i < r; ++i) od[i] = c.x[i] + c.pads[i] + c.pads[r + i];
      std::vector<double> want;
      for (size_t f = 0; f < count(od); ++f) {
        const auto idx = unflatten(f, od);
        std::vector<size_t> src(r);
        bool constant = false;
        for (size_t i = 0; i < r; ++i) {
          int64_t v = static_cast<int64_t>(idx[i]) - c.pads[i];
          const int64_t n = c.x[i];
          if (v < 0 || v >= n) {
            if (mode == 0) constant = true;
            else if (mode == 2) v = v < 0 ? 0 : n - 1;
            else v = v < 0 ? -v : 2 * (n - 1) - v;
          }
          src[i] = static_cast<size_t>(std::max<int64_t>(0, v));
        }
        want.push_back(constant ? 0.75 : x[flatten(src, c.x)]);
      }
      check(g, {x}, want, "pad mode " + std::to_string(mode) + " " + std::to_string(count(c.x)), true);
    }
  }
}

TEST(OpsImage, SliceStridedAndReversed) {
  std::mt19937 rng(36);
  struct Case { Dims x; Dims starts, ends, steps; };
  for (const Case& c : {Case{{4, 9, 5}, {1, 0, 4}, {3, 9, -1}, {1, 2, -1}},
                        Case{{2, 6, 7, 3}, {0, 5, 1, 2}, {2, 0, 7, -1}, {1, -2, 3, -2}},
                        Case{{300, 260}, {10, 1}, {290, 259}, {1, 1}}}) {
    const std::vector<float> x = random_floats(rng, count(c.x), -1, 1);
    GraphBuilder g;
    g.output(g.slice(g.input("x", DType::f32, c.x), c.starts, c.ends, c.steps));
    const size_t r = c.x.size();
    Dims od(r);
    for (size_t i = 0; i < r; ++i) {
      int64_t n = 0;
      for (int64_t v = c.starts[i]; c.steps[i] > 0 ? v < c.ends[i] : v > c.ends[i]; v += c.steps[i]) ++n;
      od[i] = n;
    }
    std::vector<double> want;
    for (size_t f = 0; f < count(od); ++f) {
      auto idx = unflatten(f, od);
      for (size_t i = 0; i < r; ++i) idx[i] = static_cast<size_t>(c.starts[i] + int64_t(idx[i]) * c.steps[i]);
      want.push_back(x[flatten(idx, c.x)]);
    }
    check(g, {x}, want, "slice " + std::to_string(count(c.x)), true);
  }
}

TEST(OpsImage, ReduceMeanOverAxes) {
  std::mt19937 rng(37);
  struct Case { Dims x; std::vector<int32_t> axes; bool keep; };
  for (const Case& c : {Case{{2, 7, 9, 5}, {1, 2}, true}, Case{{3, 11, 17}, {-1}, true},
                        Case{{3, 11, 17}, {0, 2}, false}, Case{{4, 6}, {0, 1}, false},
                        Case{{1, 80, 80, 40}, {1, 2}, true}}) {
    const std::vector<float> x = random_floats(rng, count(c.x), -1, 3);
    GraphBuilder g;
    const ValueId y = g.reduce_mean(g.input("x", DType::f32, c.x), c.axes, c.keep);
    g.output(y);
    const size_t r = c.x.size();
    std::vector<bool> red(r, false);
    for (int32_t a : c.axes) red[static_cast<size_t>(a < 0 ? a + int32_t(r) : a)] = true;
    Dims kd = c.x;  // keepdims shape
    for (size_t i = 0; i < r; ++i) if (red[i]) kd[i] = 1;
    std::vector<double> sum(count(kd), 0.0);
    for (size_t f = 0; f < x.size(); ++f) {
      auto idx = unflatten(f, c.x);
      for (size_t i = 0; i < r; ++i) if (red[i]) idx[i] = 0;
      sum[flatten(idx, kd)] += x[f];
    }
    const double n = double(x.size()) / double(sum.size());
    for (double& v : sum) v /= n;
    EXPECT_EQ(count(g.graph().values[y].shape), sum.size());
    check(g, {x}, sum, "reduce_mean " + std::to_string(count(c.x)));
  }
}

// ---- validation ----------------------------------------------------------------------------

void expect_rejected(const std::function<ValueId(GraphBuilder&)>& make, const std::string& want) {
  GraphBuilder g;
  g.output(make(g));
  auto r = g.finish();
  ASSERT_FALSE(r.is_ok()) << "accepted; wanted: " << want;
  EXPECT_NE(r.status().message().find(want), std::string::npos) << r.status().message();
}

TEST(OpsImageValidation, BuilderRejectsBadGraphs) {
  using G = GraphBuilder;
  const auto x = [](G& g, Dims d) { return g.input("x", DType::f32, d); };
  plan::Pool2DOptionsT p;
  p.kernel_h = p.kernel_w = 3;
  p.pad_top = 3;
  expect_rejected([&](G& g) { return g.max_pool2d(x(g, {1, 8, 8, 2}), p, "pool"); },
                  "node 0 (max_pool2d 'pool'): input 0 'x': pads (h) 3, 0 must be in [0, 3)");
  p.pad_top = 0;
  p.stride_w = 0;
  expect_rejected([&](G& g) { return g.average_pool2d(x(g, {1, 8, 8, 2}), p); }, "must be in [1, 2^30]");
  p.stride_w = 1;
  expect_rejected([&](G& g) { return g.max_pool2d(x(g, {1, 2, 8, 2}), p); }, "exceeds the padded input");
  expect_rejected([&](G& g) { return g.max_pool2d(x(g, {8, 8, 2}), p); }, "want 4 (NHWC)");
  plan::ResizeOptionsT r;
  r.out_h = 4;
  r.out_w = 0;
  r.scale_h = r.scale_w = 1;
  expect_rejected([&](G& g) { return g.resize(x(g, {1, 4, 4, 1}), r); }, "output size 4x0");
  r.out_w = 4;
  r.scale_w = NAN;
  expect_rejected([&](G& g) { return g.resize(x(g, {1, 4, 4, 1}), r); }, "must be finite and > 0");
  expect_rejected([&](G& g) { return g.pad(x(g, {3, 4}), plan::PadMode::reflect, {3, 0, 0, 0}); },
                  "reflect pads of axis 0 (3, 0) must be smaller than its size 3");
  expect_rejected([&](G& g) { return g.pad(x(g, {3, 4}), plan::PadMode::constant, {1, 1}); },
                  "pads has 2 values, want 4");
  expect_rejected([&](G& g) { return g.pad(x(g, {3, 4}), plan::PadMode::edge, {-1, 0, 0, 0}); },
                  "must be in [0, 2^30]");
  expect_rejected([&](G& g) { return g.reduce_mean(x(g, {3, 4}), {1, -1}, true); }, "axis -1 is listed twice");
  expect_rejected([&](G& g) { return g.reduce_mean(x(g, {3, 4}), {2}, true); }, "axis 2 is out of range");
  expect_rejected([&](G& g) { return g.slice(x(g, {3, 4}), {0, 4}, {3, 4}, {1, 1}); },
                  "axis 1 (size 4): start 4, end 4, step 1: start must be in [0, size)");
  expect_rejected([&](G& g) { return g.slice(x(g, {3, 4}), {0, 2}, {3, 2}, {1, 1}); }, "the slice is empty");
  expect_rejected([&](G& g) { return g.slice(x(g, {3, 4}), {0, 0}, {3, 4}, {1, 0}); }, "step must be nonzero");
  expect_rejected([&](G& g) { return g.clip(x(g, {3}), 1.0f, 0.0f); }, "clip bounds must be ordered");
  expect_rejected([&](G& g) { return g.hard_sigmoid(x(g, {3}), INFINITY, 0.0f); }, "must be finite");
  expect_rejected([&](G& g) { return g.binary(plan::OpCode::pow, x(g, {3}), g.input("b", DType::f32, {4})); },
                  "do not broadcast");
}

// ---- plan validation: the ops' validate() on hand-made descriptions ---------------------------

// Hand-made tensors and one op over them, validated by the op's OpDefinition directly.
class PlanFixture {
 public:
  int add(const std::string& name, DType dtype, const Dims& dims) {
    auto t = std::make_unique<TensorDesc>();
    t->name = name;
    t->dtype = dtype;
    t->shape.rank = dims.size();
    for (size_t i = 0; i < dims.size(); ++i) t->shape[i] = dims[i];
    t->storage = plan::Storage::arena;
    t->layout = plan::Layout::plain;
    t->byte_size = plain_byte_size(dtype, t->shape.elements());
    t->offset = next_;
    next_ += (t->byte_size + 63) / 64 * 64;
    tensors_.push_back(std::move(t));
    return static_cast<int>(tensors_.size() - 1);
  }
  template <typename OptionsT>
  Status validate(plan::OpCode code, const OptionsT* options, const std::vector<int>& in,
                  const std::vector<int>& out) {
    plan::OpT op;
    op.opcode = code;
    if (options) {
      OptionsT copy = *options;
      op.options.Set(std::move(copy));
    }
    op.inputs.assign(in.begin(), in.end());
    op.outputs.assign(out.begin(), out.end());
    fbb_.Clear();
    fbb_.Finish(plan::Op::Pack(fbb_, &op));
    OpView view;
    view.index = 0;
    view.op = flatbuffers::GetRoot<plan::Op>(fbb_.GetBufferPointer());
    for (int i : in) {
      view.inputs.push_back(tensors_[static_cast<size_t>(i)].get());
      view.input_ids.push_back(i);
    }
    for (int i : out) {
      view.outputs.push_back(tensors_[static_cast<size_t>(i)].get());
      view.output_ids.push_back(i);
    }
    const OpDefinition* def = find_op_definition(code);
    return def ? def->validate(view) : Status::internal("no definition");
  }

 private:
  std::vector<std::unique_ptr<TensorDesc>> tensors_;
  size_t next_ = 0;
  flatbuffers::FlatBufferBuilder fbb_;
};

void expect_invalid(const Status& st, const std::string& want) {
  EXPECT_EQ(st.code(), mint_status_invalid_plan) << st.message();
  EXPECT_NE(st.message().find(want), std::string::npos) << st.message();
}

TEST(OpsImageValidation, Plans) {
  PlanFixture f;
  const int x = f.add("x", DType::f32, {1, 8, 8, 4});
  const int y_pool = f.add("y", DType::f32, {1, 4, 4, 4});
  const int y_bad = f.add("ybad", DType::f32, {1, 5, 4, 4});
  const int xi = f.add("xi", DType::i32, {1, 8, 8, 4});
  const int v = f.add("v", DType::f32, {3, 4});
  const int vi = f.add("vi", DType::i32, {3, 4});
  const int sl = f.add("sl", DType::i32, {2, 4});
  const int r = f.add("r", DType::f32, {3, 1});
  plan::Pool2DOptionsT pool;
  pool.kernel_h = pool.kernel_w = 2;
  pool.stride_h = pool.stride_w = 2;
  EXPECT_TRUE(f.validate(plan::OpCode::max_pool2d, &pool, {x}, {y_pool}).is_ok());
  expect_invalid(f.validate(plan::OpCode::max_pool2d, &pool, {x}, {y_bad}), "has shape [1,5,4,4], want [1,4,4,4]");
  expect_invalid(f.validate(plan::OpCode::average_pool2d, static_cast<plan::ClipOptionsT*>(nullptr), {x}, {y_pool}),
                 "options must be Pool2DOptions, got NONE");
  expect_invalid(f.validate(plan::OpCode::max_pool2d, &pool, {xi}, {y_pool}), "dtype i32");
  expect_invalid(f.validate(plan::OpCode::max_pool2d, &pool, {x}, {x}), "want [1,4,4,4]");
  plan::ResizeOptionsT rs;
  rs.out_h = 4;
  rs.out_w = 4;
  rs.scale_h = rs.scale_w = 0.5f;
  EXPECT_TRUE(f.validate(plan::OpCode::resize, &rs, {x}, {y_pool}).is_ok());
  rs.coordinates = static_cast<plan::ResizeCoordinates>(9);
  expect_invalid(f.validate(plan::OpCode::resize, &rs, {x}, {y_pool}), "coordinates 9 is not valid");
  plan::ClipOptionsT clip;
  clip.min = 2;
  clip.max = 1;
  expect_invalid(f.validate(plan::OpCode::clip, &clip, {v}, {v}), "must be ordered");
  clip.min = NAN;
  expect_invalid(f.validate(plan::OpCode::clip, &clip, {v}, {v}), "not NaN");
  plan::SliceOptionsT s;
  s.starts = {1, 0};
  s.ends = {3, 4};
  s.steps = {1, 1};
  EXPECT_TRUE(f.validate(plan::OpCode::slice, &s, {vi}, {sl}).is_ok());
  expect_invalid(f.validate(plan::OpCode::slice, &s, {v}, {sl}), "dtype");  // dtypes differ
  s.steps = {1};
  expect_invalid(f.validate(plan::OpCode::slice, &s, {vi}, {sl}), "starts, ends and steps have 2, 2 and 1 values");
  plan::ReduceOptionsT red;
  red.axes = {1};
  red.keepdims = true;
  EXPECT_TRUE(f.validate(plan::OpCode::reduce_mean, &red, {v}, {r}).is_ok());
  red.keepdims = false;
  expect_invalid(f.validate(plan::OpCode::reduce_mean, &red, {v}, {r}), "want [3]");
  plan::PadOptionsT pad;
  pad.pads = {0, 0, 0};
  expect_invalid(f.validate(plan::OpCode::pad, &pad, {v}, {v}), "pads has 3 values, want 4");
  expect_invalid(f.validate(plan::OpCode::sub, static_cast<plan::ClipOptionsT*>(nullptr), {v, r}, {r}),
                 "want [3,4]");
  expect_invalid(f.validate(plan::OpCode::hard_swish, static_cast<plan::ClipOptionsT*>(nullptr), {v}, {r}),
                 "want [3,4]");
}

}  // namespace
}  // namespace mint
