// The depthwise convolution family (kernels/dwconv.h, list kernels/f32_dwconv.inc): every
// kernel the CPU runs is compared with the scalar reference f32_dwconv2d_row_scalar on random
// geometries (odd channel counts for the remainder path, strides, dilations, asymmetric pads,
// rows at the borders, NaN and infinite inputs, relu6 clamping). The contract fixes the order
// of operations, so the comparison is exact (bit for bit, NaN matching NaN). The reference
// itself is checked against a double-precision sum within 1e-5 relative to the sum of |terms|.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "kernels/dwconv.h"
#include "runtime/hardware.h"

namespace mint {
namespace {

struct Geometry {
  size_t c, h, w, kh, kw, sh, sw, dh, dw, pt, pl, pb, pr;
};

Conv2DGeometry make(const Geometry& t) {
  Conv2DGeometry g{};
  g.batch = 2;
  g.in_h = t.h;
  g.in_w = t.w;
  g.in_c = g.out_c = g.groups = t.c;
  g.kernel_h = t.kh;
  g.kernel_w = t.kw;
  g.stride_h = t.sh;
  g.stride_w = t.sw;
  g.dilation_h = t.dh;
  g.dilation_w = t.dw;
  g.pad_top = t.pt;
  g.pad_left = t.pl;
  g.out_h = (t.h + t.pt + t.pb - t.dh * (t.kh - 1) - 1) / t.sh + 1;
  g.out_w = (t.w + t.pl + t.pr - t.dw * (t.kw - 1) - 1) / t.sw + 1;
  return g;
}

const Geometry kGeometries[] = {
    {1, 5, 5, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1},   {7, 9, 11, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1},
    {16, 8, 8, 5, 5, 1, 1, 1, 1, 2, 2, 2, 2},  {19, 10, 7, 3, 3, 1, 2, 2, 1, 2, 0, 1, 2},
    {33, 6, 13, 1, 5, 1, 1, 1, 2, 0, 4, 0, 3}, {64, 12, 12, 3, 3, 2, 1, 1, 1, 0, 1, 1, 0},
    {37, 3, 4, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1},  {128, 4, 40, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1},
};

// Runs `fn` on every output row.
std::vector<float> run(F32DwConvRowFn fn, const Conv2DGeometry& g, const std::vector<float>& x,
                       const std::vector<float>& w, const float* bias, F32MinMaxParams clamp) {
  std::vector<float> y(g.batch * g.out_h * g.out_w * g.out_c, -7.0f);
  for (size_t b = 0; b < g.batch; ++b) {
    for (size_t oh = 0; oh < g.out_h; ++oh) {
      fn(&g, b, oh, x.data(), w.data(), bias, y.data() + (b * g.out_h + oh) * g.out_w * g.out_c, &clamp);
    }
  }
  return y;
}

bool same_bits(float a, float b) {
  if (std::isnan(a) && std::isnan(b)) return true;
  uint32_t ua, ub;
  std::memcpy(&ua, &a, 4);
  std::memcpy(&ub, &b, 4);
  return ua == ub;
}

TEST(DwConvKernels, EveryIsaMatchesScalarExactly) {
  std::mt19937 rng(41);
  std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
  size_t checked = 0;
  for (const Geometry& t : kGeometries) {
    const Conv2DGeometry g = make(t);
    std::vector<float> x(g.batch * g.in_h * g.in_w * g.in_c), w(g.kernel_h * g.kernel_w * g.in_c),
        bias(g.in_c);
    for (float& v : x) v = dist(rng) * 4;
    for (float& v : w) v = dist(rng);
    for (float& v : bias) v = dist(rng);
    x[x.size() / 3] = NAN;
    x[x.size() / 2] = INFINITY;
    for (const F32MinMaxParams clamp : {F32MinMaxParams{-INFINITY, INFINITY}, F32MinMaxParams{0.0f, 6.0f}}) {
      for (const float* b : {static_cast<const float*>(bias.data()), static_cast<const float*>(nullptr)}) {
        const std::vector<float> want = run(f32_dwconv2d_row_scalar, g, x, w, b, clamp);
        for (const F32DwConvKernel& k : f32_dwconv_kernels()) {
          if ((hardware_isa_mask() & isa_bit(k.isa)) == 0) continue;
          const std::vector<float> got = run(k.fn, g, x, w, b, clamp);
          for (size_t i = 0; i < want.size(); ++i) {
            ASSERT_TRUE(same_bits(got[i], want[i]))
                << k.name << " c=" << t.c << " at " << i << ": " << got[i] << " vs " << want[i];
          }
          ++checked;
        }
      }
    }
  }
  std::printf("dwconv: %zu kernel runs matched the scalar reference bit for bit\n", checked);
  EXPECT_GT(checked, 0u);
}

TEST(DwConvKernels, ScalarReferenceMatchesDoubleSum) {
  std::mt19937 rng(42);
  std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
  const Conv2DGeometry g = make({5, 7, 6, 3, 2, 2, 1, 1, 2, 1, 1, 1, 0});
  std::vector<float> x(g.batch * g.in_h * g.in_w * g.in_c), w_ref(g.in_c * g.kernel_h * g.kernel_w),
      w(w_ref.size());
  for (float& v : x) v = dist(rng);
  for (float& v : w_ref) v = dist(rng);  // [C, kh, kw, 1]
  f32_dwconv_pack_scalar(g.in_c, g.kernel_h * g.kernel_w, w_ref.data(), w.data());
  const std::vector<float> got = run(f32_dwconv2d_row_scalar, g, x, w, nullptr, {-INFINITY, INFINITY});
  size_t i = 0;
  for (size_t b = 0; b < g.batch; ++b) for (size_t oh = 0; oh < g.out_h; ++oh)
  for (size_t ow = 0; ow < g.out_w; ++ow) for (size_t c = 0; c < g.in_c; ++c, ++i) {
    double sum = 0, mag = 0;
    for (size_t kh = 0; kh < g.kernel_h; ++kh) for (size_t kw = 0; kw < g.kernel_w; ++kw) {
      const long ih = long(oh * g.stride_h + kh * g.dilation_h) - long(g.pad_top);
      const long iw = long(ow * g.stride_w + kw * g.dilation_w) - long(g.pad_left);
      if (ih < 0 || iw < 0 || ih >= long(g.in_h) || iw >= long(g.in_w)) continue;
      const double p = double(x[((b * g.in_h + size_t(ih)) * g.in_w + size_t(iw)) * g.in_c + c]) *
                       w_ref[(c * g.kernel_h + kh) * g.kernel_w + kw];
      sum += p;
      mag += std::fabs(p);
    }
    ASSERT_NEAR(got[i], sum, 1e-6 + 1e-5 * mag) << i;
  }
}

TEST(DwConvKernels, SelectionPrefersBestIsa) {
  EXPECT_EQ(select_f32_dwconv(isa_bit(Isa::kScalar))->isa, Isa::kScalar);
  EXPECT_EQ(select_f32_dwconv(0)->isa, Isa::kScalar);
  const F32DwConvKernel* best = select_f32_dwconv(hardware_isa_mask());
  EXPECT_TRUE(hardware_isa_mask() & isa_bit(best->isa));
  for (const F32DwConvKernel& k : f32_dwconv_kernels()) {
    if (hardware_isa_mask() & isa_bit(k.isa)) {
      EXPECT_LE(k.isa, best->isa);
    }
  }
}

}  // namespace
}  // namespace mint
