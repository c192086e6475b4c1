// f32 convolutions, mint's own kernels against XNNPACK's convolution2d_nhwc_f32 /
// deconvolution2d_nhwc_f32, measured in the same run, on the layer shapes of the image models
// (DCGAN generator ngf 32, beta-VAE decoder and encoder) plus a 3x3 and a depthwise 3x3 case.
//
// mint: a one-op plan built with the builder and compiled (packed weights), run through a
// Session with MINT_XNNPACK=off (so the op runs mint's im2col / col2im + GEMM or the direct
// loop, never the XNNPACK route of runtime/ops/conv_xnnpack.cc). XNNPACK: the operator created
// and set up once outside the timed loop, run with xnn_run_operator on a pthreadpool of the same
// thread count. Both compute the same layer (same weights, bias, input).
//
// Timing: for each case, `kReps` rounds alternate the two sides; each round times a batch of
// runs of about 5 ms and keeps the per-run time; the table shows the median per side and
// ratio = XNNPACK / mint (> 1: mint faster). Run on an idle machine:
//   build/release/benchmarks/conv_bench
// (docs/benchmarks.md has the figures and the routing rule derived from them.)
#include <pthreadpool.h>
#include <xnnpack.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "compiler/compile.h"
#include "runtime/model.h"
#include "runtime/session.h"

namespace {

using namespace mint;

struct Case {
  const char* name;
  bool transposed;
  int h, w, cin, cout, k, stride, pad, groups;
};

constexpr Case kCases[] = {
    {"dcgan.tconv1 1x1x100->4x4x128 k4s1", true, 1, 1, 100, 128, 4, 1, 0, 1},
    {"dcgan.tconv2 4x4x128->7x7x64 k3s2p1", true, 4, 4, 128, 64, 3, 2, 1, 1},
    {"dcgan.tconv3/vae.tconv1 7x7x64->14x14x32 k4s2p1", true, 7, 7, 64, 32, 4, 2, 1, 1},
    {"dcgan.tconv4/vae.tconv2 14x14x32->28x28x1 k4s2p1", true, 14, 14, 32, 1, 4, 2, 1, 1},
    {"vae.enc.conv1 28x28x1->14x14x32 k4s2p1", false, 28, 28, 1, 32, 4, 2, 1, 1},
    {"vae.enc.conv2 14x14x32->7x7x64 k4s2p1", false, 14, 14, 32, 64, 4, 2, 1, 1},
    {"conv3x3 56x56x64->64 s1p1", false, 56, 56, 64, 64, 3, 1, 1, 1},
    {"conv1x1 28x28x64->64", false, 28, 28, 64, 64, 1, 1, 0, 1},
    {"depthwise3x3 56x56x64 s1p1", false, 56, 56, 64, 64, 3, 1, 1, 64},
};
constexpr size_t kThreads[] = {1, 2};
constexpr int kReps = 15;

double now_ms() {
  return std::chrono::duration<double, std::milli>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// Per-run milliseconds of `f`, over a batch of about 5 ms.
template <typename F>
double time_batch(const F& f) {
  int runs = 1;
  for (;;) {
    const double t0 = now_ms();
    for (int i = 0; i < runs; ++i) f();
    const double dt = now_ms() - t0;
    if (dt >= 5.0 || runs >= (1 << 20)) return dt / runs;
    runs *= dt > 0.5 ? static_cast<int>(std::ceil(5.0 / dt)) : 10;
  }
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

struct Layer {
  std::vector<float> w, bias, x;
  int oh, ow;
};

Layer make_layer(const Case& c) {
  std::mt19937 rng(7);
  std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
  Layer l;
  l.w.resize(static_cast<size_t>(c.cout) * c.k * c.k * (c.cin / c.groups));
  l.bias.resize(c.cout);
  l.x.resize(static_cast<size_t>(c.h) * c.w * c.cin);
  for (float& v : l.w) v = dist(rng) * 0.1f;
  for (float& v : l.bias) v = dist(rng);
  for (float& v : l.x) v = dist(rng);
  if (c.transposed) {
    l.oh = (c.h - 1) * c.stride - 2 * c.pad + c.k;
    l.ow = (c.w - 1) * c.stride - 2 * c.pad + c.k;
  } else {
    l.oh = (c.h + 2 * c.pad - c.k) / c.stride + 1;
    l.ow = (c.w + 2 * c.pad - c.k) / c.stride + 1;
  }
  return l;
}

std::vector<uint8_t> mint_plan(const Case& c, const Layer& l) {
  compiler::GraphBuilder b;
  const auto x = b.input("x", DType::f32, {1, c.h, c.w, c.cin});
  const auto w = b.constant_f32("w", {c.cout, c.k, c.k, c.cin / c.groups}, l.w);
  const auto bias = b.constant_f32("b", {c.cout}, l.bias);
  compiler::ValueId y;
  if (c.transposed) {
    plan::TransposedConv2DOptionsT o;
    o.kernel_h = o.kernel_w = c.k;
    o.stride_h = o.stride_w = c.stride;
    o.pad_top = o.pad_left = o.pad_bottom = o.pad_right = c.pad;
    y = b.transposed_conv2d(x, w, bias, o, "conv");
  } else {
    plan::Conv2DOptionsT o;
    o.kernel_h = o.kernel_w = c.k;
    o.stride_h = o.stride_w = c.stride;
    o.pad_top = o.pad_left = o.pad_bottom = o.pad_right = c.pad;
    o.groups = c.groups;
    y = b.conv2d(x, w, bias, o, "conv");
  }
  b.output(y);
  auto g = b.finish();
  if (!g.is_ok()) return {};
  auto bytes = compiler::compile(std::move(g).value(), {});
  return bytes.is_ok() ? std::move(bytes).value() : std::vector<uint8_t>{};
}

xnn_operator_t xnn_op(const Case& c, const Layer& l, std::vector<float>* y, pthreadpool_t pool) {
  xnn_operator_t op = nullptr;
  const uint32_t k = static_cast<uint32_t>(c.k), s = static_cast<uint32_t>(c.stride),
                 p = static_cast<uint32_t>(c.pad), g = static_cast<uint32_t>(c.groups);
  const size_t gin = c.cin / c.groups, gout = c.cout / c.groups;
  y->assign(static_cast<size_t>(l.oh) * l.ow * c.cout, 0.0f);
  xnn_status st;
  if (c.transposed) {
    st = xnn_create_deconvolution2d_nhwc_f32(p, p, p, p, k, k, s, s, 1, 1, g, gin, gout, c.cin,
                                             c.cout, l.w.data(), l.bias.data(), -INFINITY,
                                             INFINITY, 0, &op);
    if (st == xnn_status_success) {
      st = xnn_setup_deconvolution2d_nhwc_f32(op, 1, c.h, c.w, 0, 0, l.x.data(), y->data(), pool);
    }
  } else {
    st = xnn_create_convolution2d_nhwc_f32(p, p, p, p, k, k, s, s, 1, 1, g, gin, gout, c.cin,
                                           c.cout, l.w.data(), l.bias.data(), -INFINITY, INFINITY,
                                           0, &op);
    if (st == xnn_status_success) {
      st = xnn_setup_convolution2d_nhwc_f32(op, 1, c.h, c.w, l.x.data(), y->data(), pool);
    }
  }
  if (st != xnn_status_success) {
    if (op) xnn_delete_operator(op);
    return nullptr;
  }
  return op;
}

}  // namespace

int main() {
  setenv("MINT_XNNPACK", "off", 1);
  if (xnn_initialize(nullptr) != xnn_status_success) {
    std::fprintf(stderr, "conv_bench: xnn_initialize failed\n");
    return 1;
  }
  std::printf("%-50s %7s %10s %10s %7s %8s\n", "layer", "threads", "mint ms", "xnnpack ms",
              "ratio", "max|d|");
  for (const Case& c : kCases) {
    const Layer l = make_layer(c);
    const std::vector<uint8_t> bytes = mint_plan(c, l);
    if (bytes.empty()) {
      std::fprintf(stderr, "%s: compile failed\n", c.name);
      return 1;
    }
    void* aligned = std::aligned_alloc(64, (bytes.size() + 63) / 64 * 64);
    std::unique_ptr<void, decltype(&std::free)> buffer(aligned, &std::free);  // outlives model
    std::memcpy(aligned, bytes.data(), bytes.size());
    auto model = Model::load_memory(aligned, bytes.size(), {});
    if (!model.is_ok()) {
      std::fprintf(stderr, "%s: %s\n", c.name, model.status().message().c_str());
      return 1;
    }
    for (size_t threads : kThreads) {
      SessionOptions so;
      so.num_threads = threads;
      auto session = Session::create(*model.value(), so);
      if (!session.is_ok()) return 1;
      Session& s = *session.value();
      if (!s.set_input(0, l.x.data(), l.x.size() * sizeof(float)).is_ok()) return 1;
      pthreadpool_t pool = threads > 1 ? pthreadpool_create(threads) : nullptr;
      std::vector<float> y;
      xnn_operator_t op = xnn_op(c, l, &y, pool);
      if (op == nullptr) {
        std::fprintf(stderr, "%s: XNNPACK operator failed\n", c.name);
        return 1;
      }
      std::vector<double> tm, tx;
      for (int r = 0; r < kReps; ++r) {
        tm.push_back(time_batch([&] { (void)s.run(); }));
        tx.push_back(time_batch([&] { xnn_run_operator(op, pool); }));
      }
      size_t out_bytes = 0;
      const float* ym = reinterpret_cast<const float*>(s.output(0, &out_bytes).value());
      float max_diff = 0.0f;
      for (size_t i = 0; i < y.size() && i < out_bytes / 4; ++i) {
        max_diff = std::max(max_diff, std::fabs(y[i] - ym[i]));
      }
      const double m = median(tm), x = median(tx);
      std::printf("%-50s %7zu %10.4f %10.4f %7.2f %8.1e\n", c.name, threads, m, x, x / m,
                  static_cast<double>(max_diff));
      xnn_delete_operator(op);
      if (pool) pthreadpool_destroy(pool);
    }
  }
  return 0;
}
