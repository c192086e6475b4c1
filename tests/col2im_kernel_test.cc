// The col2im family (kernels/conv.h, list kernels/col2im.inc): every variant the CPU runs is
// compared with the scalar reference, bit for bit (f32 rows, NaN matching NaN) and exactly
// (int8 rows), on transposed-convolution geometries (one output channel, odd channel counts,
// strides 1-3, dilation, pads cutting the borders, batches of images), with and without bias,
// with a relu clamp, NaN and infinite columns. The reference itself is checked against an
// independent gather loop (bias, then the taps in (kh, kw) order, then the clamp: the same
// float additions in the same order, so exactly) and the per-element quantization
// clamp(nearbyint(v / scale) + zp, -128, 127).
// The qs8 quantize family (kernels/elementwise.h, list kernels/qs8_quantize.inc), whose loop
// col2im shares: every variant equals the scalar reference exactly on random values, halfway
// cases, NaN, infinities and huge values, at odd lengths; the reference equals that formula.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "kernels/conv.h"
#include "kernels/elementwise.h"
#include "runtime/hardware.h"

namespace mint {
namespace {

struct Case {
  size_t c, h, w, kh, kw, s, d, pt, pl, pad_total;
};

// Output size of ONNX ConvTranspose: (in - 1) * s - pad_total + d * (k - 1) + 1.
Conv2DGeometry make(const Case& t) {
  Conv2DGeometry g{};
  g.batch = 1;
  g.in_h = t.h;
  g.in_w = t.w;
  g.in_c = 3;
  g.out_c = t.c;
  g.kernel_h = t.kh;
  g.kernel_w = t.kw;
  g.stride_h = g.stride_w = t.s;
  g.dilation_h = g.dilation_w = t.d;
  g.pad_top = t.pt;
  g.pad_left = t.pl;
  g.out_h = (t.h - 1) * t.s + t.d * (t.kh - 1) + 1 - t.pad_total;
  g.out_w = (t.w - 1) * t.s + t.d * (t.kw - 1) + 1 - t.pad_total;
  g.groups = 1;
  return g;
}

const Case kCases[] = {
    {32, 7, 7, 4, 4, 2, 1, 1, 1, 2},  {1, 14, 14, 4, 4, 2, 1, 1, 1, 2},  // the VAE decoder's
    {17, 5, 6, 3, 3, 1, 1, 1, 1, 2},  {64, 4, 4, 4, 4, 2, 1, 0, 0, 0},
    {5, 6, 5, 5, 3, 3, 1, 2, 1, 3},   {19, 5, 5, 3, 3, 2, 2, 2, 1, 3},
    {3, 2, 9, 2, 4, 2, 1, 0, 3, 3},   {48, 3, 3, 4, 4, 2, 1, 1, 1, 2},
};

bool same_bits(float a, float b) {
  if (std::isnan(a) && std::isnan(b)) return true;
  uint32_t ua, ub;
  std::memcpy(&ua, &a, 4);
  std::memcpy(&ub, &b, 4);
  return ua == ub;
}

std::vector<float> run_f32(F32Col2ImRowFn fn, const Conv2DGeometry& g, const std::vector<float>& cols,
                           const float* bias, F32MinMaxParams clamp) {
  std::vector<float> y(g.out_h * g.out_w * g.out_c, -7.0f);
  for (size_t oh = 0; oh < g.out_h; ++oh) {
    fn(&g, oh, cols.data(), bias, y.data() + oh * g.out_w * g.out_c, &clamp);
  }
  return y;
}

std::vector<int8_t> run_qs8(Qs8Col2ImRowFn fn, const Conv2DGeometry& g, const std::vector<float>& cols,
                            const float* bias, F32MinMaxParams clamp, float scale, int32_t zp) {
  std::vector<int8_t> y(g.out_h * g.out_w * g.out_c, 99);
  std::vector<float> acc(g.out_w * g.out_c);
  for (size_t oh = 0; oh < g.out_h; ++oh) {
    fn(&g, oh, cols.data(), bias, acc.data(), y.data() + oh * g.out_w * g.out_c, &clamp, scale, zp);
  }
  return y;
}

std::vector<float> random_cols(const Conv2DGeometry& g, std::mt19937& rng, bool specials) {
  std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
  std::vector<float> cols(g.in_h * g.in_w * g.kernel_h * g.kernel_w * g.out_c);
  for (float& v : cols) v = dist(rng) * 3;
  if (specials) {
    cols[cols.size() / 3] = NAN;
    cols[cols.size() / 2] = INFINITY;
    cols[cols.size() / 5] = -INFINITY;
  }
  return cols;
}

TEST(Col2ImKernels, EveryIsaMatchesScalarExactly) {
  std::mt19937 rng(51);
  size_t count = 0, checked = 0;
  const Col2ImKernel* kernels = col2im_kernels(&count);
  ASSERT_STREQ(kernels[0].name, "scalar");
  for (const Case& t : kCases) {
    const Conv2DGeometry g = make(t);
    for (bool specials : {false, true}) {
      const std::vector<float> cols = random_cols(g, rng, specials);
      std::vector<float> bias(g.out_c);
      for (float& v : bias) v = std::uniform_real_distribution<float>(-1, 1)(rng);
      for (const F32MinMaxParams clamp : {F32MinMaxParams{-INFINITY, INFINITY}, F32MinMaxParams{0.0f, INFINITY}}) {
        for (const float* b : {static_cast<const float*>(bias.data()), static_cast<const float*>(nullptr)}) {
          const std::vector<float> want = run_f32(f32_col2im_row_scalar, g, cols, b, clamp);
          const std::vector<int8_t> want_q =
              run_qs8(qs8_col2im_row_scalar, g, cols, b, clamp, 0.037f, -5);
          for (size_t i = 0; i < count; ++i) {
            const Col2ImKernel& k = kernels[i];
            if ((hardware_isa_mask() & isa_bit(k.isa)) == 0 && k.isa != Isa::kScalar) continue;
            const std::vector<float> got = run_f32(k.f32, g, cols, b, clamp);
            for (size_t j = 0; j < want.size(); ++j) {
              ASSERT_TRUE(same_bits(got[j], want[j]))
                  << k.name << " c=" << t.c << " at " << j << ": " << got[j] << " vs " << want[j];
            }
            EXPECT_EQ(run_qs8(k.qs8, g, cols, b, clamp, 0.037f, -5), want_q) << k.name << " c=" << t.c;
            ++checked;
          }
        }
      }
    }
  }
  std::printf("col2im: %zu kernel runs matched the scalar reference exactly\n", checked);
  EXPECT_GT(checked, 0u);
}

TEST(Col2ImKernels, ScalarReferenceMatchesGatherLoop) {
  std::mt19937 rng(52);
  for (const Case& t : kCases) {
    const Conv2DGeometry g = make(t);
    const std::vector<float> cols = random_cols(g, rng, false);
    std::vector<float> bias(g.out_c);
    for (float& v : bias) v = std::uniform_real_distribution<float>(-1, 1)(rng);
    const F32MinMaxParams relu{0.0f, INFINITY};
    const std::vector<float> got = run_f32(f32_col2im_row_scalar, g, cols, bias.data(), relu);
    const std::vector<int8_t> got_q =
        run_qs8(qs8_col2im_row_scalar, g, cols, bias.data(), relu, 0.021f, 7);
    const size_t k = g.kernel_h * g.kernel_w * g.out_c;
    size_t i = 0, taps_seen = 0;
    for (size_t oh = 0; oh < g.out_h; ++oh) {
      for (size_t ow = 0; ow < g.out_w; ++ow) {
        for (size_t co = 0; co < g.out_c; ++co, ++i) {
          float v = bias[co];
          for (size_t kh = 0; kh < g.kernel_h; ++kh) {
            for (size_t kw = 0; kw < g.kernel_w; ++kw) {
              for (size_t ih = 0; ih < g.in_h; ++ih) {
                for (size_t iw = 0; iw < g.in_w; ++iw) {
                  if (long(ih * g.stride_h + kh * g.dilation_h) - long(g.pad_top) != long(oh) ||
                      long(iw * g.stride_w + kw * g.dilation_w) - long(g.pad_left) != long(ow)) {
                    continue;
                  }
                  v += cols[(ih * g.in_w + iw) * k + (kh * g.kernel_w + kw) * g.out_c + co];
                  ++taps_seen;
                }
              }
            }
          }
          v = v < 0.0f ? 0.0f : v;
          ASSERT_TRUE(same_bits(got[i], v)) << "c=" << t.c << " at " << i;
          const float q = std::fmin(127.0f, std::fmax(-128.0f, std::nearbyint(v / 0.021f) + 7.0f));
          ASSERT_EQ(got_q[i], static_cast<int8_t>(q)) << "c=" << t.c << " at " << i;
        }
      }
    }
    EXPECT_GT(taps_seen, 0u);
  }
}

TEST(Qs8QuantizeKernels, EveryIsaMatchesScalarAndFormula) {
  std::mt19937 rng(53);
  std::uniform_real_distribution<float> dist(-6.0f, 6.0f);
  size_t count = 0, checked = 0;
  const Qs8QuantizeKernel* kernels = qs8_quantize_kernels(&count);
  ASSERT_STREQ(kernels[0].name, "qs8_quantize_scalar");
  for (size_t n : {size_t{1}, size_t{15}, size_t{16}, size_t{67}, size_t{3136}}) {
    std::vector<float> x(n);
    for (float& v : x) v = dist(rng);
    const float scale = 0.03125f;  // a power of two: x / scale is exact, halfway cases hit
    for (size_t i = 0; i < n; i += 7) x[i] = (std::floor(x[i] / scale) + 0.5f) * scale;
    if (n > 10) {
      x[1] = NAN;
      x[2] = INFINITY;
      x[3] = -INFINITY;
      x[4] = 3e38f;
      x[5] = -3e38f;
    }
    for (int32_t zp : {-128, -3, 0, 127}) {
      std::vector<int8_t> want(n, 99);
      qs8_quantize_scalar(n, x.data(), want.data(), scale, zp);
      for (size_t i = 0; i < n; ++i) {
        const float q = std::isnan(x[i]) ? -128.0f
                        : std::fmin(127.0f, std::fmax(-128.0f, std::nearbyint(x[i] / scale) + float(zp)));
        ASSERT_EQ(want[i], static_cast<int8_t>(q)) << "x=" << x[i] << " zp=" << zp;
      }
      for (size_t k = 0; k < count; ++k) {
        if ((hardware_isa_mask() & isa_bit(kernels[k].isa)) == 0 && kernels[k].isa != Isa::kScalar) {
          continue;
        }
        std::vector<int8_t> got(n, 98);
        kernels[k].fn(n, x.data(), got.data(), scale, zp);
        EXPECT_EQ(got, want) << kernels[k].name << " n=" << n << " zp=" << zp;
        ++checked;
      }
    }
  }
  EXPECT_GT(checked, 0u);
}

}  // namespace
}  // namespace mint
