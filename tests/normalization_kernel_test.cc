// The normalization family (kernels/normalization.h, list kernels/normalization.inc): every
// variant the CPU runs against the scalar reference, on rows of every width 1..70 and model
// widths (576, 768, 2048), with and without beta, offset rows (a mean far from 0), tiny and
// huge magnitudes, constant rows, and in place. The contract of kernels/normalization_vec.h is
// checked exactly: row by row, the variant's output equals the reference's expression
// evaluated with some mean m' and inverse deviation s' each the reference's f32 value or an
// adjacent float (9 candidates), bit for bit. The ops pick the best variant and honour
// max_isa "scalar".
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "compiler/graph.h"
#include "kernels/normalization.h"
#include "runtime/hardware.h"
#include "runtime/model.h"
#include "runtime/session.h"
#include "tests/test_util.h"

namespace mint {
namespace {

// The reference's per-row statistics, as f32 (kernels/ref/normalization_scalar.cc).
void reference_stats(size_t d, const float* x, bool rms, float* m, float* s, float eps) {
  if (rms) {
    double sq = 0.0;
    for (size_t j = 0; j < d; ++j) sq += static_cast<double>(x[j]) * x[j];
    *m = 0.0f;
    *s = static_cast<float>(1.0 / std::sqrt(sq / static_cast<double>(d) + eps));
    return;
  }
  double sum = 0.0;
  for (size_t j = 0; j < d; ++j) sum += x[j];
  const double mean = sum / static_cast<double>(d);
  double sq = 0.0;
  for (size_t j = 0; j < d; ++j) {
    const double c = x[j] - mean;
    sq += c * c;
  }
  *m = static_cast<float>(mean);
  *s = static_cast<float>(1.0 / std::sqrt(sq / static_cast<double>(d) + eps));
}

// True if y is the reference's expression with (m, s), bit for bit.
bool row_matches(size_t d, const float* x, const float* g, const float* b, bool rms, float m,
                 float s, const float* y) {
  for (size_t j = 0; j < d; ++j) {
    volatile float t = rms ? x[j] * s : (x[j] - m) * s;  // volatile: no contraction
    volatile float u = t * g[j];
    const float want = rms ? static_cast<float>(u) : u + (b ? b[j] : 0.0f);
    if (std::memcmp(&want, &y[j], sizeof(float)) != 0) return false;
  }
  return true;
}

struct Case {
  size_t rows, d;
  float offset, scale;
};

TEST(NormKernels, EveryVariantIsTheReferenceWithinOneUlpOfItsStatistics) {
  size_t count = 0;
  const NormKernel* ks = norm_kernels(&count);
  ASSERT_EQ(ks[0].isa, Isa::kScalar);
  std::vector<Case> cases;
  for (size_t d = 1; d <= 70; ++d) cases.push_back({3, d, 0.0f, 1.0f});
  for (size_t d : {576u, 768u, 2048u}) cases.push_back({4, d, 0.3f, 2.0f});
  cases.push_back({2, 768, 1000.0f, 0.01f});  // mean far from 0
  cases.push_back({2, 100, 0.0f, 1e-20f});
  cases.push_back({2, 100, 0.0f, 1e15f});
  cases.push_back({2, 33, 5.0f, 0.0f});  // constant rows: var 0
  std::mt19937 rng(31);
  const float eps = 1e-5f;
  size_t rows_checked = 0, rows_not_identical = 0;
  for (const Case& c : cases) {
    std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
    std::vector<float> x(c.rows * c.d), g(c.d), b(c.d);
    for (float& v : x) v = c.offset + c.scale * dist(rng);
    for (float& v : g) v = 1.0f + 0.5f * dist(rng);
    for (float& v : b) v = 0.1f * dist(rng);
    for (size_t ki = 1; ki < count; ++ki) {
      if ((hardware_isa_mask() & isa_bit(ks[ki].isa)) == 0) continue;
      for (int variant = 0; variant < 3; ++variant) {  // layer norm, layer norm no beta, RMS
        const bool rms = variant == 2;
        const float* beta = variant == 0 ? b.data() : nullptr;
        std::vector<float> y(x.size(), -7.0f), ref(x.size());
        std::vector<float> inplace = x;
        if (rms) {
          ks[ki].rms_norm(c.rows, c.d, x.data(), g.data(), eps, y.data());
          ks[ki].rms_norm(c.rows, c.d, inplace.data(), g.data(), eps, inplace.data());
          ks[0].rms_norm(c.rows, c.d, x.data(), g.data(), eps, ref.data());
        } else {
          ks[ki].layer_norm(c.rows, c.d, x.data(), g.data(), beta, eps, y.data());
          ks[ki].layer_norm(c.rows, c.d, inplace.data(), g.data(), beta, eps, inplace.data());
          ks[0].layer_norm(c.rows, c.d, x.data(), g.data(), beta, eps, ref.data());
        }
        EXPECT_EQ(std::memcmp(inplace.data(), y.data(), y.size() * sizeof(float)), 0)
            << ks[ki].name << " in place, d=" << c.d;
        for (size_t r = 0; r < c.rows; ++r) {
          const float* xr = x.data() + r * c.d;
          const float* yr = y.data() + r * c.d;
          float m = 0, s = 0;
          reference_stats(c.d, xr, rms, &m, &s, eps);
          ASSERT_TRUE(row_matches(c.d, xr, g.data(), beta, rms, m, s, ref.data() + r * c.d))
              << "the test's model of the reference, d=" << c.d;
          bool found = false;
          for (float mc : {m, std::nextafter(m, -INFINITY), std::nextafter(m, INFINITY)}) {
            for (float sc : {s, std::nextafter(s, 0.0f), std::nextafter(s, INFINITY)}) {
              if (!found && row_matches(c.d, xr, g.data(), beta, rms, mc, sc, yr)) found = true;
            }
          }
          EXPECT_TRUE(found) << ks[ki].name << " variant " << variant << " d=" << c.d << " row "
                             << r;
          ++rows_checked;
          rows_not_identical +=
              std::memcmp(yr, ref.data() + r * c.d, c.d * sizeof(float)) != 0 ? 1 : 0;
        }
      }
    }
  }
  std::printf("rows checked %zu, not bit-identical to the reference %zu\n", rows_checked,
              rows_not_identical);
  if ((hardware_isa_mask() & ~isa_bit(Isa::kScalar)) != 0) {
    EXPECT_GT(rows_checked, 0u);
  }
}

TEST(NormKernels, OpsSelectOnceAndHonourTheIsaLimit) {
  using compiler::GraphBuilder;
  using compiler::ValueId;
  for (bool rms : {false, true}) {
    GraphBuilder b;
    const ValueId x = b.input("x", DType::f32, {5, 40});
    std::mt19937 rng(8);
    const std::vector<float> gv = testing_util::random_floats(rng, 40);
    const std::vector<float> bv = testing_util::random_floats(rng, 40);
    const ValueId g = b.constant_f32("g", {40}, gv);
    if (rms) {
      b.output(b.rms_norm(x, g, 1e-5f));
    } else {
      b.output(b.layer_norm(x, g, b.constant_f32("b", {40}, bv), 1e-5f));
    }
    testing_util::AlignedPlan plan(testing_util::compile_or_die(b));
    auto model = Model::load_memory(plan.data(), plan.size(), LoadOptions{});
    ASSERT_TRUE(model.is_ok()) << model.status().message();
    const std::vector<float> xv = testing_util::random_floats(rng, 200);
    std::vector<std::vector<float>> outs;
    for (const char* isa : {"scalar", static_cast<const char*>(nullptr)}) {
      SessionOptions so;
      so.max_isa = isa;
      auto s = Session::create(*model.value(), so);
      ASSERT_TRUE(s.is_ok()) << s.status().message();
      const std::string want = std::string(rms ? "f32_rms_norm_" : "f32_layer_norm_") +
                               select_norm(isa ? isa_bit(Isa::kScalar) : hardware_isa_mask())->name;
      EXPECT_EQ(s.value()->nodes()[0]->kernel_name(), want);
      ASSERT_TRUE(s.value()->set_input(0, xv.data(), xv.size() * 4).is_ok());
      ASSERT_TRUE(s.value()->run().is_ok());
      size_t bytes = 0;
      auto out = s.value()->output(0, &bytes);
      ASSERT_TRUE(out.is_ok());
      const float* p = reinterpret_cast<const float*>(out.value());
      outs.emplace_back(p, p + bytes / 4);
    }
    ASSERT_EQ(outs[0].size(), outs[1].size());
    for (size_t i = 0; i < outs[0].size(); ++i) {
      EXPECT_NEAR(outs[0][i], outs[1][i], 1e-5f * (1.0f + std::fabs(outs[0][i]))) << i;
    }
  }
}

}  // namespace
}  // namespace mint
