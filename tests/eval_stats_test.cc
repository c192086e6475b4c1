// FID and Inception Score (evaluation/stats.h): closed forms, the Jacobi eigensolver, and
// comparisons with scipy.linalg.sqrtm-based FID and the numpy Inception Score formula
// (tests/eval/reference.py).
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "evaluation/stats.h"
#include "tests/eval_test_util.h"

namespace mint::eval {
namespace {

using namespace eval_test;

// n x d features with correlated columns: x = A g + mu, g ~ N(0, I).
std::vector<float> correlated(std::mt19937& rng, size_t n, size_t d, float shift) {
  std::normal_distribution<float> g(0.0f, 1.0f);
  std::vector<float> a(d * d);
  for (float& v : a) v = g(rng) * 0.5f;
  std::vector<float> x(n * d);
  std::vector<float> z(d);
  for (size_t i = 0; i < n; ++i) {
    for (float& v : z) v = g(rng);
    for (size_t r = 0; r < d; ++r) {
      float s = shift + 0.1f * float(r);
      for (size_t c = 0; c < d; ++c) s += a[r * d + c] * z[c];
      x[i * d + r] = s;
    }
  }
  return x;
}

TEST(EvalStats, CovarianceMatchesTwoPassFormula) {
  std::mt19937 rng(1);
  const size_t n = 50, d = 4;
  auto x =
      correlated(rng, n, d, 1000.0f);  // a large offset: the shifted accumulation keeps precision
  auto s = feature_stats(x, n, d);
  ASSERT_TRUE(s.is_ok()) << s.status().message();
  for (size_t i = 0; i < d; ++i) {
    double m = 0;
    for (size_t k = 0; k < n; ++k) m += x[k * d + i];
    m /= n;
    EXPECT_NEAR(s.value().mean[i], m, 1e-9 * std::fabs(m));
    for (size_t j = 0; j < d; ++j) {
      double mj = 0, c = 0;
      for (size_t k = 0; k < n; ++k) mj += x[k * d + j];
      mj /= n;
      for (size_t k = 0; k < n; ++k) c += (x[k * d + i] - m) * (x[k * d + j] - mj);
      EXPECT_NEAR(s.value().cov[i * d + j], c / (n - 1), 1e-7);
    }
  }
}

TEST(EvalStats, JacobiEigenDecomposes) {
  std::mt19937 rng(2);
  std::normal_distribution<double> g;
  const size_t n = 12;
  std::vector<double> a(n * n);
  for (size_t i = 0; i < n; ++i) {
    for (size_t j = i; j < n; ++j) a[i * n + j] = a[j * n + i] = g(rng);
  }
  auto e = symmetric_eigen(a, n, true);
  ASSERT_TRUE(e.is_ok());
  const auto& v = e.value().vectors;
  for (size_t i = 0; i < n; ++i) {
    for (size_t k = 0; k < n; ++k) {
      double av = 0;  // (A V)[i][k] == lambda_k V[i][k]
      for (size_t j = 0; j < n; ++j) av += a[i * n + j] * v[j * n + k];
      EXPECT_NEAR(av, e.value().values[k] * v[i * n + k], 1e-10);
      double dot = 0;  // V^T V == I
      for (size_t j = 0; j < n; ++j) dot += v[j * n + i] * v[j * n + k];
      EXPECT_NEAR(dot, i == k ? 1.0 : 0.0, 1e-12);
    }
  }
}

TEST(EvalStats, SqrtOfPsdSquaresBack) {
  std::mt19937 rng(3);
  const size_t n = 6;
  auto x = correlated(rng, 40, n, 0.0f);
  auto s = feature_stats(x, 40, n);
  ASSERT_TRUE(s.is_ok());
  auto r = sqrt_psd(s.value().cov, n);
  ASSERT_TRUE(r.is_ok());
  for (size_t i = 0; i < n; ++i) {
    for (size_t j = 0; j < n; ++j) {
      double rr = 0;
      for (size_t k = 0; k < n; ++k) rr += r.value()[i * n + k] * r.value()[k * n + j];
      EXPECT_NEAR(rr, s.value().cov[i * n + j], 1e-10);
    }
  }
}

TEST(EvalStats, FidOfIdenticalSetsIsZero) {
  std::mt19937 rng(4);
  auto x = correlated(rng, 200, 16, 0.5f);
  auto s = feature_stats(x, 200, 16);
  ASSERT_TRUE(s.is_ok());
  auto fid = frechet_distance(s.value(), s.value());
  ASSERT_TRUE(fid.is_ok());
  EXPECT_NEAR(fid.value(), 0.0, 1e-9);
}

TEST(EvalStats, FidOfShiftedSetIsSquaredMeanDifference) {
  std::mt19937 rng(5);
  const size_t n = 300, d = 8;
  auto x = correlated(rng, n, d, 0.0f);
  std::vector<float> y = x;
  const float delta[d] = {0.5f, -1.0f, 0.0f, 2.0f, 0.25f, 0.0f, -0.75f, 1.5f};
  double want = 0;
  for (size_t j = 0; j < d; ++j) want += double(delta[j]) * delta[j];
  for (size_t i = 0; i < n; ++i) {
    for (size_t j = 0; j < d; ++j) y[i * d + j] += delta[j];
  }
  auto sx = feature_stats(x, n, d), sy = feature_stats(y, n, d);
  ASSERT_TRUE(sx.is_ok() && sy.is_ok());
  auto fid = frechet_distance(sx.value(), sy.value());
  ASSERT_TRUE(fid.is_ok());
  EXPECT_NEAR(fid.value(), want, 1e-5);  // float inputs: the shift is exact to ~1e-7 per value
}

TEST(EvalStats, FidOfDiagonalGaussiansHasClosedForm) {
  // Diagonal covariances commute: tr(S1 + S2 - 2 sqrt(S1 S2)) = sum (sqrt(a_i) - sqrt(b_i))^2.
  FeatureStats a, b;
  a.dim = b.dim = 3;
  a.mean = {0, 1, 2};
  b.mean = {1, 1, 0};
  a.cov = {4, 0, 0, 0, 1, 0, 0, 0, 9};
  b.cov = {1, 0, 0, 0, 1, 0, 0, 0, 0.25};
  auto fid = frechet_distance(a, b);
  ASSERT_TRUE(fid.is_ok());
  const double want = (1 + 0 + 4) + (1 + 0 + 6.25);  // |mu diff|^2 + (2-1)^2 + 0 + (3-0.5)^2
  EXPECT_NEAR(fid.value(), want, 1e-12);
}

TEST(EvalStats, FidMatchesScipySqrtm) {
  MINT_SKIP_IF_NO_PYTHON();
  TempDir dir;
  std::mt19937 rng(6);
  const size_t d = 24;
  for (size_t n : {100, 400}) {
    auto x = correlated(rng, n, d, 0.0f), y = correlated(rng, n, d, 0.3f);
    auto sx = feature_stats(x, n, d), sy = feature_stats(y, n, d);
    ASSERT_TRUE(sx.is_ok() && sy.is_ok());
    auto fid = frechet_distance(sx.value(), sy.value());
    ASSERT_TRUE(fid.is_ok());
    write_raw(dir.file("x.f64"), std::vector<double>(x.begin(), x.end()));
    write_raw(dir.file("y.f64"), std::vector<double>(y.begin(), y.end()));
    auto ref =
        reference("fid " + dir.file("x.f64") + " " + dir.file("y.f64") + " " + std::to_string(d));
    const double want = as_double(ref, "fid");
    EXPECT_NEAR(fid.value(), want, 1e-8 * std::max(1.0, std::fabs(want))) << "n = " << n;
  }
}

TEST(EvalStats, FidRejectsBadInput) {
  std::vector<float> x = {1, 2, 3, 4};
  EXPECT_FALSE(feature_stats(x, 1, 4).is_ok());  // one vector: no covariance
  EXPECT_FALSE(feature_stats(x, 3, 2).is_ok());  // size mismatch
  x[1] = std::nanf("");
  EXPECT_FALSE(feature_stats(x, 2, 2).is_ok());
  FeatureStats a, b;
  a.dim = 2;
  b.dim = 3;
  EXPECT_FALSE(frechet_distance(a, b).is_ok());
  EXPECT_FALSE(symmetric_eigen({1, 2, 3, 4}, 2, false).is_ok());  // not symmetric
}

TEST(EvalStats, InceptionScoreClosedForms) {
  const size_t classes = 10, n = 100;
  // Equal logits: p(y|x) = p(y), KL = 0, IS = 1.
  auto flat = inception_score(std::vector<float>(n * classes, 0.5f), n, classes, 1);
  ASSERT_TRUE(flat.is_ok());
  EXPECT_NEAR(flat.value().mean, 1.0, 1e-12);
  // Confident and evenly spread over K classes: IS = K.
  std::vector<float> sharp(n * classes, 0.0f);
  for (size_t i = 0; i < n; ++i) sharp[i * classes + i % classes] = 200.0f;
  auto k = inception_score(sharp, n, classes, 1);
  ASSERT_TRUE(k.is_ok());
  EXPECT_NEAR(k.value().mean, double(classes), 1e-9);
  EXPECT_NEAR(k.value().std, 0.0, 1e-12);
  EXPECT_FALSE(inception_score(sharp, n, classes, 0).is_ok());
  EXPECT_FALSE(inception_score(sharp, n, classes, n + 1).is_ok());
}

TEST(EvalStats, InceptionScoreMatchesNumpyFormula) {
  MINT_SKIP_IF_NO_PYTHON();
  TempDir dir;
  std::mt19937 rng(8);
  std::normal_distribution<float> g(0.0f, 2.0f);
  const size_t n = 257, classes = 10;  // n not a multiple of the splits
  std::vector<float> logits(n * classes);
  for (float& v : logits) v = g(rng);
  write_raw(dir.file("l.f32"), logits);
  for (size_t splits : {1, 10}) {
    auto is = inception_score(logits, n, classes, splits);
    ASSERT_TRUE(is.is_ok());
    auto ref = reference("is " + dir.file("l.f32") + " 10 " + std::to_string(splits));
    EXPECT_NEAR(is.value().mean, as_double(ref, "mean"), 1e-10);
    EXPECT_NEAR(is.value().std, as_double(ref, "std"), 1e-10);
  }
}

}  // namespace
}  // namespace mint::eval
