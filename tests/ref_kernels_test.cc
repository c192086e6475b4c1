// The scalar reference kernels of kernels/{elementwise,normalization,layout,conv,gemm_pack}.h,
// each compared with a naive double-precision computation written here from the header's
// contract. Float tolerances: 1e-6 absolute + 1e-5 relative for transcendental functions and
// reductions (float rounding of a few operations), exact for data movement and quantization.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <random>
#include <vector>

#include "compiler/prepack.h"
#include "kernels/conv.h"
#include "kernels/elementwise.h"
#include "kernels/gemm_pack.h"
#include "kernels/layout.h"
#include "kernels/normalization.h"
#include "kernels/registry.h"

namespace mint {
namespace {

std::vector<float> random_floats(std::mt19937& rng, size_t n, float lo = -3.0f, float hi = 3.0f) {
  std::uniform_real_distribution<float> dist(lo, hi);
  std::vector<float> v(n);
  for (float& x : v) x = dist(rng);
  return v;
}

void expect_close(double got, double want, double rel, const std::string& what) {
  ASSERT_NEAR(got, want, 1e-6 + rel * std::fabs(want)) << what;
}

TEST(RefElementwise, UnaryMatchesFormulas) {
  std::mt19937 rng(1);
  const size_t n = 1003;
  std::vector<float> x = random_floats(rng, n, -8.0f, 8.0f);
  x[0] = 0.0f;
  x[1] = -0.0f;
  std::vector<float> y(n);
  const F32UnaryParams params{0.125f};
  struct Case {
    const char* name;
    F32UnaryFn fn;
    double (*ref)(double);
  };
  const Case cases[] = {
      {"relu", f32_relu_scalar, [](double v) { return v < 0 ? 0.0 : v; }},
      {"leaky_relu", f32_leaky_relu_scalar, [](double v) { return v < 0 ? 0.125 * v : v; }},
      {"tanh", f32_tanh_scalar, [](double v) { return std::tanh(v); }},
      {"sigmoid", f32_sigmoid_scalar, [](double v) { return 1.0 / (1.0 + std::exp(-v)); }},
      {"gelu", f32_gelu_scalar,
       [](double v) { return 0.5 * v * (1.0 + std::erf(v / std::sqrt(2.0))); }},
      {"gelu_tanh", f32_gelu_tanh_scalar,
       [](double v) {
         return 0.5 * v * (1.0 + std::tanh(std::sqrt(2.0 / M_PI) * (v + 0.044715 * v * v * v)));
       }},
      {"silu", f32_silu_scalar, [](double v) { return v / (1.0 + std::exp(-v)); }},
  };
  for (const Case& c : cases) {
    c.fn(n, x.data(), y.data(), &params);
    for (size_t i = 0; i < n; ++i)
      expect_close(y[i], c.ref(x[i]), 1e-5, std::string(c.name) + " x=" + std::to_string(x[i]));
    // In place.
    std::vector<float> z = x;
    c.fn(n, z.data(), z.data(), &params);
    EXPECT_EQ(std::memcmp(z.data(), y.data(), n * 4), 0) << c.name << " in place";
  }
}

TEST(RefElementwise, BinaryIncrements) {
  std::mt19937 rng(2);
  const size_t n = 77;
  const std::vector<float> a = random_floats(rng, n), b = random_floats(rng, n);
  std::vector<float> y(n);
  for (size_t ai : {0, 1}) {
    for (size_t bi : {0, 1}) {
      f32_add_scalar(n, a.data(), ai, b.data(), bi, y.data());
      for (size_t i = 0; i < n; ++i) ASSERT_EQ(y[i], a[i * ai] + b[i * bi]);
      f32_mul_scalar(n, a.data(), ai, b.data(), bi, y.data());
      for (size_t i = 0; i < n; ++i) ASSERT_EQ(y[i], a[i * ai] * b[i * bi]);
    }
  }
}

TEST(RefElementwise, SoftmaxStridedAndStable) {
  std::mt19937 rng(3);
  for (size_t n : {1, 2, 7, 100}) {
    for (size_t stride : {1, 3}) {
      std::vector<float> x = random_floats(rng, n * stride, -20.0f, 20.0f);
      x[0] += 1000.0f;  // exp(x) alone would overflow
      std::vector<float> y(n * stride, -1.0f);
      f32_softmax_scalar(n, stride, x.data(), y.data());
      double m = -INFINITY, sum = 0;
      for (size_t i = 0; i < n; ++i) m = std::max(m, double{x[i * stride]});
      for (size_t i = 0; i < n; ++i) sum += std::exp(x[i * stride] - m);
      for (size_t i = 0; i < n; ++i) {
        expect_close(y[i * stride], std::exp(x[i * stride] - m) / sum, 1e-5, "softmax");
      }
      for (size_t i = 0; i < n * stride; ++i) {
        if (i % stride) {
          ASSERT_EQ(y[i], -1.0f) << "wrote outside the line";
        }
      }
    }
  }
}

TEST(RefElementwise, QuantizeRoundsHalfToEvenAndSaturates) {
  const float scale = 0.5f;
  const int32_t zp = 3;
  const std::vector<float> x = {0.25f, 0.75f, -0.25f, -0.75f, 1.25f, 100.0f, -100.0f, NAN, 0.0f};
  // x / scale = 0.5, 1.5, -0.5, -1.5, 2.5, 200, -200 -> 0, 2, -0, -2, 2 (+ zp), saturated
  const std::vector<int8_t> want = {3, 5, 3, 1, 5, 127, -128, -128, 3};
  std::vector<int8_t> q(x.size());
  qs8_quantize_scalar(x.size(), x.data(), q.data(), scale, zp);
  EXPECT_EQ(q, want);
  std::vector<float> back(q.size());
  qs8_dequantize_scalar(q.size(), q.data(), back.data(), scale, zp);
  for (size_t i = 0; i < q.size(); ++i) EXPECT_EQ(back[i], scale * (q[i] - zp));
}

TEST(RefNormalization, LayerNormAndRmsNorm) {
  std::mt19937 rng(4);
  for (size_t d : {1, 5, 64, 333}) {
    const size_t rows = 3;
    const std::vector<float> x = random_floats(rng, rows * d), gamma = random_floats(rng, d),
                             beta = random_floats(rng, d);
    std::vector<float> y(rows * d), z(rows * d);
    const float eps = 1e-5f;
    f32_layer_norm_scalar(rows, d, x.data(), gamma.data(), beta.data(), eps, y.data());
    f32_rms_norm_scalar(rows, d, x.data(), gamma.data(), eps, z.data());
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
        const double ln = (x[r * d + j] - mean) / std::sqrt(var + eps) * gamma[j] + beta[j];
        const double rms = x[r * d + j] / std::sqrt(ms + eps) * gamma[j];
        expect_close(y[r * d + j], ln, 1e-5, "layer_norm d=" + std::to_string(d));
        expect_close(z[r * d + j], rms, 1e-5, "rms_norm d=" + std::to_string(d));
      }
    }
    // beta null means 0.
    f32_layer_norm_scalar(rows, d, x.data(), gamma.data(), nullptr, eps, z.data());
    for (size_t i = 0; i < rows * d; ++i) expect_close(z[i] + beta[i % d], y[i], 1e-5, "no beta");
  }
}

TEST(RefLayout, TransposeAllElementSizes) {
  // x [2, 3, 4, 5] -> perm (2, 0, 3, 1) -> y [4, 2, 5, 3]
  const size_t in_dims[4] = {2, 3, 4, 5};
  const size_t perm[4] = {2, 0, 3, 1};
  size_t in_strides[4], out_dims[4], strides[4];
  for (size_t d = 4, s = 1; d-- > 0;) {
    in_strides[d] = s;
    s *= in_dims[d];
  }
  for (size_t i = 0; i < 4; ++i) {
    out_dims[i] = in_dims[perm[i]];
    strides[i] = in_strides[perm[i]];
  }
  std::vector<uint32_t> x(120);
  for (size_t i = 0; i < x.size(); ++i) x[i] = static_cast<uint32_t>(i * 2654435761u);
  std::vector<uint32_t> y32(120);
  x32_transpose_scalar(4, out_dims, strides, x.data(), y32.data());
  std::vector<uint16_t> x16(120), y16(120);
  std::vector<uint8_t> x8(120), y8(120);
  for (size_t i = 0; i < 120; ++i) {
    x16[i] = static_cast<uint16_t>(x[i]);
    x8[i] = static_cast<uint8_t>(x[i] >> 7);
  }
  x16_transpose_scalar(4, out_dims, strides, x16.data(), y16.data());
  x8_transpose_scalar(4, out_dims, strides, x8.data(), y8.data());
  size_t o = 0;
  for (size_t a = 0; a < out_dims[0]; ++a)
    for (size_t b = 0; b < out_dims[1]; ++b)
      for (size_t c = 0; c < out_dims[2]; ++c)
        for (size_t d = 0; d < out_dims[3]; ++d, ++o) {
          const size_t src = a * strides[0] + b * strides[1] + c * strides[2] + d * strides[3];
          ASSERT_EQ(y32[o], x[src]);
          ASSERT_EQ(y16[o], x16[src]);
          ASSERT_EQ(y8[o], x8[src]);
        }
  // rank 1 is a strided copy.
  const size_t n5 = 5, s3 = 3;
  std::vector<uint32_t> r(5);
  x32_transpose_scalar(1, &n5, &s3, x.data(), r.data());
  for (size_t i = 0; i < 5; ++i) EXPECT_EQ(r[i], x[3 * i]);
}

TEST(RefLayout, CopyRowsAndGather) {
  std::vector<uint8_t> x(30), y(50, 0xee);
  for (size_t i = 0; i < x.size(); ++i) x[i] = static_cast<uint8_t>(i);
  copy_rows_scalar(3, 7, x.data(), 10, y.data() + 2, 16);
  for (size_t r = 0; r < 3; ++r) {
    for (size_t j = 0; j < 16; ++j) {
      const size_t at = 2 + r * 16 + j;
      if (at >= y.size()) break;
      EXPECT_EQ(y[at], j < 7 ? x[r * 10 + j] : 0xee);
    }
  }
  std::mt19937 rng(5);
  const size_t vocab = 11, d = 3;
  const std::vector<float> table = random_floats(rng, vocab * d);
  const std::vector<int32_t> ids = {4, 0, 10, 4};
  std::vector<float> out(ids.size() * d);
  EXPECT_EQ(f32_gather_rows_scalar(ids.size(), ids.data(), vocab, d, table.data(), out.data()),
            ids.size());
  for (size_t p = 0; p < ids.size(); ++p) {
    for (size_t j = 0; j < d; ++j) EXPECT_EQ(out[p * d + j], table[ids[p] * d + j]);
  }
  const std::vector<int32_t> bad = {1, 11, 2};
  EXPECT_EQ(f32_gather_rows_scalar(bad.size(), bad.data(), vocab, d, table.data(), out.data()), 1u);
  const std::vector<int32_t> neg = {-1};
  EXPECT_EQ(f32_gather_rows_scalar(1, neg.data(), vocab, d, table.data(), out.data()), 0u);
}

TEST(RefGemmPack, MatchesCompilerPacking) {
  std::mt19937 rng(6);
  for (size_t n : {1, 16, 17, 40}) {
    for (size_t k : {1, 3, 8}) {
      const std::vector<float> w = random_floats(rng, n * k);  // [n, k]
      const std::vector<uint8_t> want = pack_f32_gemm_weights(n, k, w.data(), nullptr);
      std::vector<uint8_t> got(want.size(), 0xcd);
      f32_gemm_pack_scalar(n, k, w.data(), 1, k, got.data());  // [n, k] = transposed B
      EXPECT_EQ(got, want) << "n=" << n << " k=" << k;
      // Same matrix given as B [k, n].
      std::vector<float> b(k * n);
      for (size_t j = 0; j < n; ++j)
        for (size_t kk = 0; kk < k; ++kk) b[kk * n + j] = w[j * k + kk];
      std::fill(got.begin(), got.end(), 0xcd);
      f32_gemm_pack_scalar(n, k, b.data(), n, 1, got.data());
      EXPECT_EQ(got, want) << "n=" << n << " k=" << k << " (B [k, n])";
    }
  }
}

// ---- convolution helpers -------------------------------------------------------------------

struct ConvCase {
  size_t batch, h, w, cin, cout, kh, kw, sh, sw, dh, dw, pt, pl, pb, pr, groups;
};

Conv2DGeometry conv_geometry(const ConvCase& c) {
  Conv2DGeometry g{};
  g.batch = c.batch;
  g.in_h = c.h;
  g.in_w = c.w;
  g.in_c = c.cin;
  g.out_h = (c.h + c.pt + c.pb - c.dh * (c.kh - 1) - 1) / c.sh + 1;
  g.out_w = (c.w + c.pl + c.pr - c.dw * (c.kw - 1) - 1) / c.sw + 1;
  g.out_c = c.cout;
  g.kernel_h = c.kh;
  g.kernel_w = c.kw;
  g.stride_h = c.sh;
  g.stride_w = c.sw;
  g.dilation_h = c.dh;
  g.dilation_w = c.dw;
  g.pad_top = c.pt;
  g.pad_left = c.pl;
  g.groups = c.groups;
  return g;
}

// Naive grouped conv2d, double accumulation.
std::vector<double> naive_conv(const Conv2DGeometry& g, const std::vector<float>& x,
                               const std::vector<float>& w, const std::vector<float>& bias) {
  const size_t cg = g.in_c / g.groups, og = g.out_c / g.groups;
  std::vector<double> y(g.batch * g.out_h * g.out_w * g.out_c);
  for (size_t b = 0; b < g.batch; ++b)
    for (size_t oh = 0; oh < g.out_h; ++oh)
      for (size_t ow = 0; ow < g.out_w; ++ow)
        for (size_t co = 0; co < g.out_c; ++co) {
          double acc = bias.empty() ? 0.0 : bias[co];
          for (size_t i = 0; i < g.kernel_h; ++i)
            for (size_t j = 0; j < g.kernel_w; ++j) {
              const long ih = long(oh * g.stride_h + i * g.dilation_h) - long(g.pad_top);
              const long iw = long(ow * g.stride_w + j * g.dilation_w) - long(g.pad_left);
              if (ih < 0 || iw < 0 || ih >= long(g.in_h) || iw >= long(g.in_w)) continue;
              for (size_t ci = 0; ci < cg; ++ci) {
                acc += double{x[((b * g.in_h + ih) * g.in_w + iw) * g.in_c + (co / og) * cg + ci]} *
                       w[((co * g.kernel_h + i) * g.kernel_w + j) * cg + ci];
              }
            }
          y[((b * g.out_h + oh) * g.out_w + ow) * g.out_c + co] = acc;
        }
  return y;
}

const ConvCase kConvCases[] = {
    {1, 5, 7, 3, 4, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1},
    {2, 9, 6, 4, 6, 3, 2, 2, 1, 1, 2, 0, 1, 2, 0, 2},
    {1, 8, 8, 6, 6, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 6},  // depthwise
    {1, 4, 4, 5, 3, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 1},
    {1, 7, 5, 2, 5, 5, 3, 3, 2, 1, 1, 2, 1, 2, 1, 1},
};

TEST(RefConv, DirectRowMatchesNaive) {
  std::mt19937 rng(7);
  for (const ConvCase& c : kConvCases) {
    const Conv2DGeometry g = conv_geometry(c);
    const std::vector<float> x = random_floats(rng, c.batch * c.h * c.w * c.cin, -1, 1);
    const std::vector<float> w =
        random_floats(rng, c.cout * c.kh * c.kw * (c.cin / c.groups), -1, 1);
    const std::vector<float> bias = random_floats(rng, c.cout, -1, 1);
    const std::vector<double> ref = naive_conv(g, x, w, bias);
    std::vector<float> y(ref.size());
    const F32MinMaxParams clamp{-0.5f, 0.75f};
    for (size_t b = 0; b < g.batch; ++b)
      for (size_t oh = 0; oh < g.out_h; ++oh)
        f32_conv2d_direct_row_scalar(&g, b, oh, x.data(), w.data(), bias.data(),
                                     y.data() + (b * g.out_h + oh) * g.out_w * g.out_c, &clamp);
    for (size_t i = 0; i < y.size(); ++i) {
      expect_close(y[i], std::min(0.75, std::max(-0.5, ref[i])), 1e-5, "direct conv");
    }
  }
}

TEST(RefConv, Im2colTimesWeightsMatchesNaive) {
  std::mt19937 rng(8);
  for (const ConvCase& c : kConvCases) {
    if (c.groups != 1) continue;
    const Conv2DGeometry g = conv_geometry(c);
    const std::vector<float> x = random_floats(rng, c.batch * c.h * c.w * c.cin, -1, 1);
    const std::vector<float> w = random_floats(rng, c.cout * c.kh * c.kw * c.cin, -1, 1);
    const std::vector<double> ref = naive_conv(g, x, w, {});
    const size_t rows = g.batch * g.out_h * g.out_w, k = c.kh * c.kw * c.cin;
    std::vector<float> cols(rows * k, 99.0f);
    // Two calls over split row ranges.
    f32_im2col_scalar(&g, 0, rows / 2, x.data(), cols.data());
    f32_im2col_scalar(&g, rows / 2, rows - rows / 2, x.data(), cols.data() + rows / 2 * k);
    for (size_t r = 0; r < rows; ++r)
      for (size_t co = 0; co < c.cout; ++co) {
        double acc = 0;
        for (size_t kk = 0; kk < k; ++kk) acc += double{cols[r * k + kk]} * w[co * k + kk];
        expect_close(acc, ref[r * c.cout + co], 1e-9, "im2col");
      }
  }
}

TEST(RefConv, Col2imMatchesScatterAdd) {
  std::mt19937 rng(9);
  struct T {
    size_t h, w, cout, kh, kw, sh, sw, dh, dw, pt, pl, oh, ow;
  };
  // The output size is free here: both computations drop positions outside [0, oh) x [0, ow).
  const T cases[] = {
      {3, 4, 2, 4, 4, 2, 2, 1, 1, 1, 1, 6, 8},
      {2, 3, 3, 3, 2, 1, 2, 2, 1, 0, 0, 6, 6},
      {4, 2, 1, 3, 3, 3, 2, 1, 1, 2, 0, 9, 5},
  };
  for (const T& c : cases) {
    Conv2DGeometry g{};
    g.batch = 1;
    g.in_h = c.h;
    g.in_w = c.w;
    g.out_h = c.oh;
    g.out_w = c.ow;
    g.out_c = c.cout;
    g.kernel_h = c.kh;
    g.kernel_w = c.kw;
    g.stride_h = c.sh;
    g.stride_w = c.sw;
    g.dilation_h = c.dh;
    g.dilation_w = c.dw;
    g.pad_top = c.pt;
    g.pad_left = c.pl;
    g.groups = 1;
    const size_t n = c.kh * c.kw * c.cout;
    const std::vector<float> cols = random_floats(rng, c.h * c.w * n, -1, 1);
    const std::vector<float> bias = random_floats(rng, c.cout, -1, 1);
    std::vector<double> ref(c.oh * c.ow * c.cout);
    for (size_t i = 0; i < ref.size(); ++i) ref[i] = bias[i % c.cout];
    for (size_t ih = 0; ih < c.h; ++ih)
      for (size_t iw = 0; iw < c.w; ++iw)
        for (size_t i = 0; i < c.kh; ++i)
          for (size_t j = 0; j < c.kw; ++j) {
            const long oh = long(ih * c.sh + i * c.dh) - long(c.pt);
            const long ow = long(iw * c.sw + j * c.dw) - long(c.pl);
            if (oh < 0 || ow < 0 || oh >= long(c.oh) || ow >= long(c.ow)) continue;
            for (size_t co = 0; co < c.cout; ++co)
              ref[(oh * c.ow + ow) * c.cout + co] +=
                  cols[(ih * c.w + iw) * n + (i * c.kw + j) * c.cout + co];
          }
    std::vector<float> y(ref.size());
    const F32MinMaxParams none{-INFINITY, INFINITY};
    for (size_t oh = 0; oh < c.oh; ++oh) {
      f32_col2im_row_scalar(&g, oh, cols.data(), bias.data(), y.data() + oh * c.ow * c.cout, &none);
    }
    for (size_t i = 0; i < y.size(); ++i) expect_close(y[i], ref[i], 1e-5, "col2im");
  }
}

}  // namespace
}  // namespace mint
