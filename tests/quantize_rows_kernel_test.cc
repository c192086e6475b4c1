// The dynamic row quantization family (kernels/quantize.h, list kernels/quantize_rows.inc):
// every variant the CPU runs equals the scalar reference bit for bit (the int8 rows, the zero
// padding up to q_stride, each row's scale and zero point) on random rows of every length
// 1..80 and GEMM widths (576, 768, 3072), rows of one sign, all-zero rows, rows with NaN, +-inf,
// huge and denormal values and -0, and strided input. The reference itself is checked against
// kernels/quantize.h's formulas in double.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "kernels/quantize.h"
#include "runtime/hardware.h"

namespace mint {
namespace {

struct Rows {
  size_t m, k, x_stride;
  std::vector<float> x;
};

std::vector<Rows> cases() {
  std::mt19937 rng(21);
  std::vector<Rows> out;
  auto random_rows = [&](size_t m, size_t k, size_t stride, float lo, float hi) {
    std::uniform_real_distribution<float> d(lo, hi);
    Rows r{m, k, stride, std::vector<float>(m * stride, 99.0f)};
    for (size_t i = 0; i < m; ++i) {
      for (size_t j = 0; j < k; ++j) r.x[i * stride + j] = d(rng);
    }
    return r;
  };
  for (size_t k = 1; k <= 80; ++k) out.push_back(random_rows(3, k, k, -3.0f, 5.0f));
  for (size_t k : {576u, 768u, 3072u}) out.push_back(random_rows(4, k, k + 7, -20.0f, 20.0f));
  out.push_back(random_rows(2, 37, 37, 0.5f, 9.0f));    // positive only: lo = 0
  out.push_back(random_rows(2, 37, 37, -9.0f, -0.5f));  // negative only: hi = 0
  out.push_back(Rows{2, 19, 19, std::vector<float>(38, 0.0f)});
  const float inf = std::numeric_limits<float>::infinity();
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const float specials[] = {nan,  -0.0f, 1.0f,  -1.0f, 3e38f, -3e38f, 1e-40f,  -1e-40f, 0.5f,  inf,
                            -inf, 2.5f,  -2.5f, 1e-3f, nan,   -0.0f,  127.49f, 0.25f,   -0.75f};
  Rows s{4, 19, 19, {}};
  for (int r = 0; r < 4; ++r) {
    for (float v : specials)
      s.x.push_back(r == 0 ? v : (r == 1 && std::isinf(v) ? 1.0f : v * 0.5f));
  }
  out.push_back(s);
  Rows nan_only{1, 17, 17, std::vector<float>(17, nan)};
  out.push_back(nan_only);
  return out;
}

struct Result {
  std::vector<int8_t> q;
  std::vector<Qs8RowQuant> quant;
};

Result run(QuantizeRowsFn fn, const Rows& r, size_t q_stride) {
  Result out{std::vector<int8_t>(r.m * q_stride, 55), std::vector<Qs8RowQuant>(r.m, {-999, -1.0f})};
  fn(r.m, r.k, r.x.data(), r.x_stride, out.q.data(), q_stride, out.quant.data());
  return out;
}

TEST(QuantizeRowsKernels, EveryVariantEqualsTheReference) {
  size_t count = 0;
  const QuantizeRowsKernel* ks = quantize_rows_kernels(&count);
  ASSERT_GE(count, 1u);
  ASSERT_EQ(ks[0].isa, Isa::kScalar);
  size_t checked = 0;
  for (const Rows& r : cases()) {
    const size_t q_stride = (r.k + 3) / 4 * 4 + 4;
    const Result ref = run(ks[0].fn, r, q_stride);
    for (size_t ki = 1; ki < count; ++ki) {
      if ((hardware_isa_mask() & isa_bit(ks[ki].isa)) == 0) continue;
      const Result got = run(ks[ki].fn, r, q_stride);
      const std::string where =
          std::string(ks[ki].name) + " m=" + std::to_string(r.m) + " k=" + std::to_string(r.k);
      ASSERT_EQ(std::memcmp(got.q.data(), ref.q.data(), got.q.size()), 0) << where;
      for (size_t i = 0; i < r.m; ++i) {
        EXPECT_EQ(got.quant[i].zero_point, ref.quant[i].zero_point) << where << " row " << i;
        EXPECT_EQ(std::memcmp(&got.quant[i].scale, &ref.quant[i].scale, sizeof(float)), 0)
            << where << " row " << i;
      }
      ++checked;
    }
  }
  if ((hardware_isa_mask() & ~isa_bit(Isa::kScalar)) != 0) {
    EXPECT_GT(checked, 0u);
  }
}

// The reference against kernels/quantize.h's definition, in double: the range includes 0,
// scale = (hi - lo) / 255, each finite value lands within half a step (plus f32 rounding) of
// x / scale + zero_point unless clamped, NaN gives -128, padding is 0.
TEST(QuantizeRowsKernels, ReferenceFollowsTheDefinition) {
  for (const Rows& r : cases()) {
    const size_t q_stride = (r.k + 3) / 4 * 4 + 4;
    const Result ref = run(qs8_quantize_rows_scalar, r, q_stride);
    for (size_t i = 0; i < r.m; ++i) {
      double lo = 0, hi = 0;
      for (size_t j = 0; j < r.k; ++j) {
        const float v = r.x[i * r.x_stride + j];
        if (std::isnan(v)) continue;
        lo = std::min(lo, static_cast<double>(v));
        hi = std::max(hi, static_cast<double>(v));
      }
      const Qs8RowQuant& qu = ref.quant[i];
      if (std::isinf(lo) || std::isinf(hi)) continue;  // scale is inf: only the NaN rule holds
      const double scale = hi > lo ? (hi - lo) / 255.0 : 1.0;
      EXPECT_NEAR(qu.scale, scale, scale * 1e-6) << "k=" << r.k << " row " << i;
      EXPECT_GE(qu.zero_point, -128);
      EXPECT_LE(qu.zero_point, 127);
      for (size_t j = 0; j < r.k; ++j) {
        const float v = r.x[i * r.x_stride + j];
        const int8_t q = ref.q[i * q_stride + j];
        if (std::isnan(v)) {
          EXPECT_EQ(q, -128);
          continue;
        }
        const double want = v / static_cast<double>(qu.scale) + qu.zero_point;
        if (want < -128.5) {
          EXPECT_EQ(q, -128) << v;
        } else if (want > 127.5) {
          EXPECT_EQ(q, 127) << v;
        } else {
          EXPECT_LE(std::fabs(q - want), 0.5 + 1e-4) << v;
        }
      }
      for (size_t j = r.k; j < q_stride; ++j) {
        EXPECT_EQ(ref.q[i * q_stride + j], 0);
      }
    }
  }
}

}  // namespace
}  // namespace mint
