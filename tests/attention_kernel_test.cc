// The attention-head family (kernels/attention.h, list kernels/attention.inc): every variant the
// CPU runs is compared with the scalar reference on f32, f16 and int8 KV caches, cache lengths
// 1..1000, head dims 1..128 (odd ones included), row strides and scale strides as the operator
// passes them (GQA: several KV heads interleaved per row), and softmax scales from flat to
// peaked. The bound is the one kernels/attention.h states:
//   |y[i] - ref[i]| <= 2^-23 * (4 + 2 * S) * A[i]  (+ 1e-30 absolute, for A = 0)
// with A[i] = sum_j w_j |v_j[i]| (dequantized) and S = max_j scale * sum_i |q[i] k_j[i]|.
// The rows kernels (several query rows of one head) equal the head kernel of their ISA row by row,
// bit for bit. The attention op picks the best variant at session creation and the reference
// when the session is limited to max_isa "scalar" (kernel names and outputs checked).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "compiler/graph.h"
#include "kernels/attention.h"
#include "kernels/fp16.h"
#include "runtime/hardware.h"
#include "runtime/model.h"
#include "runtime/session.h"
#include "tests/test_util.h"

namespace mint {
namespace {

enum class Cache { f32, f16, qs8 };
const char* cache_name(Cache c) {
  return c == Cache::f32 ? "f32" : c == Cache::f16 ? "f16" : "qs8";
}

// A cache of `len` positions, `groups` KV heads per row (the head under test is group 0 at
// offset `offset`), rows `stride` elements apart.
struct KvCache {
  std::vector<uint8_t> k, v;
  std::vector<float> k_scale, v_scale;  // [len * scale_stride]
  size_t elem = 4;
};

KvCache make_cache(Cache c, size_t len, size_t stride, size_t scale_stride, float magnitude,
                   std::mt19937& rng) {
  KvCache kv;
  kv.elem = c == Cache::f32 ? 4 : c == Cache::f16 ? 2 : 1;
  kv.k.assign((len * stride + 16) * kv.elem, 0);
  kv.v.assign((len * stride + 16) * kv.elem, 0);
  kv.k_scale.assign(len * scale_stride, -1.0f);
  kv.v_scale.assign(len * scale_stride, -1.0f);
  const KvStoreRowFn store = c == Cache::f32   ? kv_store_row_f32
                             : c == Cache::f16 ? kv_store_row_f16
                                               : kv_store_row_qs8;
  std::uniform_real_distribution<float> dist(-magnitude, magnitude);
  std::vector<float> row(stride);
  for (size_t j = 0; j < len; ++j) {
    for (float& x : row) x = dist(rng);
    store(stride, row.data(), kv.k.data() + j * stride * kv.elem, &kv.k_scale[j * scale_stride]);
    for (float& x : row) x = dist(rng);
    store(stride, row.data(), kv.v.data() + j * stride * kv.elem, &kv.v_scale[j * scale_stride]);
  }
  return kv;
}

float load_elem(Cache c, const uint8_t* base, size_t index) {
  if (c == Cache::f32) {
    float f;
    std::memcpy(&f, base + index * 4, 4);
    return f;
  }
  if (c == Cache::f16) {
    uint16_t h;
    std::memcpy(&h, base + index * 2, 2);
    return f16_to_f32(h);
  }
  return static_cast<float>(static_cast<int8_t>(base[index]));
}

F32AttentionHeadFn fn_of(const AttentionHeadKernel& k, Cache c) {
  return c == Cache::f32 ? k.f32kv : c == Cache::f16 ? k.f16kv : k.qs8kv;
}
F32AttentionRowsFn rows_fn_of(const AttentionHeadKernel& k, Cache c) {
  return c == Cache::f32 ? k.rows_f32kv : c == Cache::f16 ? k.rows_f16kv : k.rows_qs8kv;
}

bool same_bits(float a, float b) {
  uint32_t ua, ub;
  std::memcpy(&ua, &a, 4);
  std::memcpy(&ub, &b, 4);
  return ua == ub;
}

// The bound of kernels/attention.h for output i.
struct Bound {
  std::vector<double> a;  // sum_j w_j |v_j[i]|
  double s = 0;           // max_j scale * sum_i |q_i k_j[i]|
};

Bound bound_terms(Cache c, size_t len, size_t d, const float* q, const KvCache& kv, size_t stride,
                  size_t scale_stride, float scale) {
  Bound b;
  const bool scaled = c == Cache::qs8;
  std::vector<double> s(len);
  double mx = -1e300;
  for (size_t j = 0; j < len; ++j) {
    double dot = 0, abs_dot = 0;
    const double ks = scaled ? kv.k_scale[j * scale_stride] : 1.0;
    for (size_t i = 0; i < d; ++i) {
      const double kij = load_elem(c, kv.k.data(), j * stride + i) * ks;
      dot += double(q[i]) * kij;
      abs_dot += std::fabs(double(q[i]) * kij);
    }
    s[j] = dot * scale;
    b.s = std::max(b.s, abs_dot * std::fabs(scale));
    mx = std::max(mx, s[j]);
  }
  double sum = 0;
  for (double& x : s) sum += (x = std::exp(x - mx));
  b.a.assign(d, 0.0);
  for (size_t j = 0; j < len; ++j) {
    const double vs = scaled ? kv.v_scale[j * scale_stride] : 1.0;
    for (size_t i = 0; i < d; ++i) {
      b.a[i] += s[j] / sum * std::fabs(load_elem(c, kv.v.data(), j * stride + i) * vs);
    }
  }
  return b;
}

TEST(AttentionHeadKernels, EveryIsaMatchesScalarWithinTheStatedBound) {
  std::mt19937 rng(2026);
  size_t count = 0, checked = 0;
  const AttentionHeadKernel* kernels = attention_head_kernels(&count);
  ASSERT_STREQ(kernels[0].name, "scalar");
  ASSERT_EQ(kernels[0].f32kv, &f32_attention_head_f32kv_scalar);
  ASSERT_EQ(kernels[0].f16kv, &f32_attention_head_f16kv_scalar);
  ASSERT_EQ(kernels[0].qs8kv, &f32_attention_head_qs8kv_scalar);
  const double eps = std::ldexp(1.0, -23);
  double worst = 0;  // largest |y - ref| / (eps * (4 + 2 S) * A) seen
  const size_t lens[] = {1, 2, 3, 15, 16, 17, 100, 1000};
  const size_t dims[] = {1, 17, 32, 64, 80, 96, 128};
  for (Cache c : {Cache::f32, Cache::f16, Cache::qs8}) {
    for (size_t len : lens) {
      for (size_t d : dims) {
        // Strides: the row itself, a padded row, and GQA rows of 3 KV heads with scales 3 apart.
        const size_t strides[][2] = {{d, 1}, {d + 5, 1}, {3 * d, 3}};
        for (const auto& st : strides) {
          const size_t stride = st[0], scale_stride = st[1];
          for (float qmag : {0.5f, 3.0f}) {
            const float scale = qmag > 1.0f ? 1.0f / std::sqrt(static_cast<float>(d)) : 0.9f;
            const KvCache kv = make_cache(c, len, stride, scale_stride, 2.0f, rng);
            std::vector<float> q(d);
            for (float& x : q) x = std::uniform_real_distribution<float>(-qmag, qmag)(rng);
            std::vector<float> scratch(len, NAN), want(d, NAN);
            fn_of(kernels[0], c)(len, d, q.data(), kv.k.data(), kv.v.data(), stride,
                                 kv.k_scale.data(), kv.v_scale.data(), scale_stride, scale,
                                 scratch.data(), want.data());
            const Bound b = bound_terms(c, len, d, q.data(), kv, stride, scale_stride, scale);
            const double factor = 4.0 + 2.0 * b.s;
            for (size_t n = 1; n < count; ++n) {
              const AttentionHeadKernel& k = kernels[n];
              if ((hardware_isa_mask() & isa_bit(k.isa)) == 0) continue;
              std::vector<float> got(d + 1, NAN);
              got[d] = 12345.0f;  // must stay untouched
              std::fill(scratch.begin(), scratch.end(), NAN);
              fn_of(k, c)(len, d, q.data(), kv.k.data(), kv.v.data(), stride, kv.k_scale.data(),
                          kv.v_scale.data(), scale_stride, scale, scratch.data(), got.data());
              ASSERT_EQ(got[d], 12345.0f) << k.name << " wrote past y[d)";
              for (size_t i = 0; i < d; ++i) {
                const double err = std::fabs(double(got[i]) - double(want[i]));
                const double limit = eps * factor * b.a[i] + 1e-30;
                worst = std::max(worst, err / (eps * factor * b.a[i] + 1e-30));
                ASSERT_LE(err, limit)
                    << k.name << " " << cache_name(c) << " len " << len << " d " << d << " stride "
                    << stride << " qmag " << qmag << " at " << i << ": " << got[i] << " vs "
                    << want[i] << " (S " << b.s << ", A " << b.a[i] << ")";
              }
              ++checked;
            }
          }
        }
      }
    }
  }
  std::printf("attention-head variants checked: %zu, worst error / bound: %.3f\n", checked, worst);
  if (count > 1 && (hardware_isa_mask() & ~isa_bit(Isa::kScalar)) != 0) {
    EXPECT_GT(checked, 0u) << "this CPU runs no vector variant of the list";
  }
}

// A one-hot softmax (one score far above the rest) and a flat one (all scores equal) give the
// value row and the mean of the rows, up to rounding.
TEST(AttentionHeadKernels, OneHotAndFlatSoftmax) {
  size_t count = 0;
  const AttentionHeadKernel* kernels = attention_head_kernels(&count);
  const size_t len = 37, d = 24;
  std::vector<float> k(len * d, 0.0f), v(len * d), q(d, 0.0f);
  for (size_t j = 0; j < len; ++j) {
    for (size_t i = 0; i < d; ++i) v[j * d + i] = static_cast<float>((j * 7 + i * 3) % 11) - 5.0f;
  }
  std::vector<float> scratch(len), y(d);
  for (size_t n = 0; n < count; ++n) {
    const AttentionHeadKernel& kr = kernels[n];
    if (kr.isa != Isa::kScalar && (hardware_isa_mask() & isa_bit(kr.isa)) == 0) continue;
    // Flat: q = 0 gives s_j = 0 for all j, w_j = 1 / len.
    kr.f32kv(len, d, q.data(), k.data(), v.data(), d, nullptr, nullptr, 1, 1.0f, scratch.data(),
             y.data());
    for (size_t i = 0; i < d; ++i) {
      double mean = 0;
      for (size_t j = 0; j < len; ++j) mean += v[j * d + i];
      EXPECT_NEAR(y[i], mean / len, 1e-5) << kr.name << " flat at " << i;
    }
    // One-hot: k_20 = q with |q|^2 * scale = 200 (exp(-200) underflows), others zero.
    std::vector<float> k1 = k, q1(d, 0.0f);
    q1[3] = 10.0f;
    k1[20 * d + 3] = 10.0f;
    kr.f32kv(len, d, q1.data(), k1.data(), v.data(), d, nullptr, nullptr, 1, 2.0f, scratch.data(),
             y.data());
    for (size_t i = 0; i < d; ++i) EXPECT_EQ(y[i], v[20 * d + i]) << kr.name << " one-hot at " << i;
  }
}

// The rows kernels (causal prefill of one head, four query rows per pass in the vector
// variants) equal the head kernel of the same ISA called row by row, bit for bit.
TEST(AttentionHeadKernels, RowsEqualTheHeadKernelRowByRow) {
  std::mt19937 rng(77);
  size_t count = 0, checked = 0;
  const AttentionHeadKernel* kernels = attention_head_kernels(&count);
  for (Cache c : {Cache::f32, Cache::f16, Cache::qs8}) {
    for (size_t rows : {1, 2, 3, 4, 5, 7, 8, 13}) {
      for (size_t len0 : {1, 2, 17, 100}) {
        for (size_t d : {1, 17, 64, 80, 128, 300}) {  // 300: beyond the four-row path
          for (size_t groups : {1, 3}) {
            const size_t stride = groups * d + (groups == 1 ? 3 : 0), q_stride = 2 * d + 1;
            const size_t len = len0 + rows - 1;
            const KvCache kv = make_cache(c, len, stride, groups, 2.0f, rng);
            const std::vector<float> q =
                testing_util::random_floats(rng, rows * q_stride, -3.0f, 3.0f);
            const float scale = 1.0f / std::sqrt(static_cast<float>(d));
            for (size_t n = 0; n < count; ++n) {
              const AttentionHeadKernel& k = kernels[n];
              if (k.isa != Isa::kScalar && (hardware_isa_mask() & isa_bit(k.isa)) == 0) continue;
              const size_t y_stride = q_stride;
              std::vector<float> want(rows * y_stride, -1.0f), got(rows * y_stride, -1.0f);
              std::vector<float> scratch(4 * (len0 + rows + 2), NAN);
              for (size_t r = 0; r < rows; ++r) {
                fn_of(k, c)(len0 + r, d, q.data() + r * q_stride, kv.k.data(), kv.v.data(), stride,
                            kv.k_scale.data(), kv.v_scale.data(), groups, scale, scratch.data(),
                            want.data() + r * y_stride);
              }
              std::fill(scratch.begin(), scratch.end(), NAN);
              rows_fn_of(k, c)(rows, len0, d, q.data(), q_stride, kv.k.data(), kv.v.data(), stride,
                               kv.k_scale.data(), kv.v_scale.data(), groups, scale, scratch.data(),
                               got.data(), y_stride);
              for (size_t i = 0; i < got.size(); ++i) {
                ASSERT_TRUE(same_bits(got[i], want[i]))
                    << k.name << " " << cache_name(c) << " rows " << rows << " len0 " << len0
                    << " d " << d << " at row " << i / y_stride << " col " << i % y_stride << ": "
                    << got[i] << " vs " << want[i];
              }
              ++checked;
            }
          }
        }
      }
    }
  }
  EXPECT_GT(checked, 0u);
}

// The attention op: best variant by default, the reference under max_isa "scalar"; outputs agree.
TEST(AttentionHeadKernels, OpSelectsOnceAndHonoursTheIsaLimit) {
  using compiler::GraphBuilder;
  using compiler::ValueId;
  const int H = 4, KV = 2, D = 40, T = 6, C = 16;
  for (DType cache : {DType::f32, DType::f16, DType::i8}) {
    GraphBuilder b;
    const ValueId q = b.input("q", DType::f32, {T, H * D});
    const ValueId k = b.input("k", DType::f32, {T, KV * D});
    const ValueId v = b.input("v", DType::f32, {T, KV * D});
    const ValueId pos = b.input("positions", DType::i32, {T});
    const ValueId n = b.input("count", DType::i32, {1});
    std::vector<ValueId> in = {
        q, k, v, b.state("kc", cache, {C, KV * D}), b.state("vc", cache, {C, KV * D}), pos, n};
    if (cache == DType::i8) {
      in.push_back(b.state("ks", DType::f32, {C, KV}));
      in.push_back(b.state("vs", DType::f32, {C, KV}));
    }
    b.output(b.attention(in, H, KV, D, 0.3f));
    testing_util::AlignedPlan plan(testing_util::compile_or_die(b));
    auto model = Model::load_memory(plan.data(), plan.size(), LoadOptions{});
    ASSERT_TRUE(model.is_ok()) << model.status().message();
    std::mt19937 rng(5);
    const std::vector<float> qv = testing_util::random_floats(rng, T * H * D),
                             kv = testing_util::random_floats(rng, T * KV * D),
                             vv = testing_util::random_floats(rng, T * KV * D);
    std::vector<int32_t> pv(T);
    for (int t = 0; t < T; ++t) pv[t] = t;
    const int32_t rows = T;
    std::vector<std::vector<float>> outs;
    for (const char* isa : {"scalar", static_cast<const char*>(nullptr)}) {
      SessionOptions so;
      so.max_isa = isa;
      auto s = Session::create(*model.value(), so);
      ASSERT_TRUE(s.is_ok()) << s.status().message();
      const std::string name = s.value()->nodes()[0]->kernel_name();
      const std::string want_suffix =
          std::string("kv_") +
          select_attention_head(isa ? isa_bit(Isa::kScalar) : hardware_isa_mask())->name;
      EXPECT_EQ(name.substr(0, 19), "f32_attention_rows_");
      EXPECT_EQ(name.substr(name.size() - want_suffix.size()), want_suffix) << name;
      ASSERT_TRUE(s.value()->set_input(0, qv.data(), qv.size() * 4).is_ok());
      ASSERT_TRUE(s.value()->set_input(1, kv.data(), kv.size() * 4).is_ok());
      ASSERT_TRUE(s.value()->set_input(2, vv.data(), vv.size() * 4).is_ok());
      ASSERT_TRUE(s.value()->set_input(3, pv.data(), pv.size() * 4).is_ok());
      ASSERT_TRUE(s.value()->set_input(4, &rows, 4).is_ok());
      ASSERT_TRUE(s.value()->run().is_ok());
      size_t bytes = 0;
      auto out = s.value()->output(0, &bytes);
      ASSERT_TRUE(out.is_ok());
      const float* f = reinterpret_cast<const float*>(out.value());
      outs.emplace_back(f, f + bytes / 4);
    }
    ASSERT_EQ(outs[0].size(), outs[1].size());
    // |v| <= 1 and S <= 0.3 * 40: the kernel bound is below 1e-5 here.
    for (size_t i = 0; i < outs[0].size(); ++i) EXPECT_NEAR(outs[0][i], outs[1][i], 1e-5) << i;
  }
}

}  // namespace
}  // namespace mint
