#include "evaluation/stats.h"

#include <algorithm>
#include <cmath>
#include <string>

namespace mint::eval {
namespace {

bool all_finite(const float* v, size_t n) {
  for (size_t i = 0; i < n; ++i) {
    if (!std::isfinite(v[i])) return false;
  }
  return true;
}

}  // namespace

FeatureAccumulator::FeatureAccumulator(size_t dim)
    : dim_(dim), sum_(dim, 0.0), cross_(dim * dim, 0.0), shift_(dim, 0.0) {}

Status FeatureAccumulator::add(const float* features, size_t dim) {
  if (dim != dim_) {
    return Status::invalid_argument("feature vector has " + std::to_string(dim) + " values, want " +
                                    std::to_string(dim_));
  }
  if (!all_finite(features, dim)) {
    return Status::invalid_argument("feature vector " + std::to_string(count_) +
                                    " holds a non-finite value");
  }
  if (count_ == 0) {
    for (size_t i = 0; i < dim_; ++i) shift_[i] = features[i];
  }
  std::vector<double> x(dim_);
  for (size_t i = 0; i < dim_; ++i) x[i] = double(features[i]) - shift_[i];
  for (size_t i = 0; i < dim_; ++i) {
    sum_[i] += x[i];
    double* row = &cross_[i * dim_];
    for (size_t j = i; j < dim_; ++j) row[j] += x[i] * x[j];
  }
  ++count_;
  return Status::ok();
}

Result<FeatureStats> FeatureAccumulator::finish() const {
  if (count_ < 2) {
    return Status::invalid_argument("feature statistics need at least 2 vectors, have " +
                                    std::to_string(count_));
  }
  FeatureStats s;
  s.dim = dim_;
  s.count = count_;
  s.mean.resize(dim_);
  s.cov.resize(dim_ * dim_);
  const double n = double(count_);
  std::vector<double> m(dim_);
  for (size_t i = 0; i < dim_; ++i) {
    m[i] = sum_[i] / n;
    s.mean[i] = shift_[i] + m[i];
  }
  for (size_t i = 0; i < dim_; ++i) {
    for (size_t j = i; j < dim_; ++j) {
      const double c = (cross_[i * dim_ + j] - n * m[i] * m[j]) / (n - 1.0);
      s.cov[i * dim_ + j] = c;
      s.cov[j * dim_ + i] = c;
    }
  }
  return s;
}

Result<FeatureStats> feature_stats(const std::vector<float>& rows, size_t n, size_t dim) {
  if (rows.size() != n * dim) {
    return Status::invalid_argument("feature matrix has " + std::to_string(rows.size()) +
                                    " values, want " + std::to_string(n) + " x " +
                                    std::to_string(dim));
  }
  FeatureAccumulator acc(dim);
  for (size_t i = 0; i < n; ++i) MINT_RETURN_IF_ERROR(acc.add(&rows[i * dim], dim));
  return acc.finish();
}

Result<Eigen> symmetric_eigen(const std::vector<double>& input, size_t n, bool want_vectors) {
  if (input.size() != n * n) {
    return Status::invalid_argument("matrix has " + std::to_string(input.size()) +
                                    " values, want " + std::to_string(n) + " x " +
                                    std::to_string(n));
  }
  double norm2 = 0.0;
  for (size_t i = 0; i < n * n; ++i) {
    if (!std::isfinite(input[i]))
      return Status::invalid_argument("matrix holds a non-finite value");
    norm2 += input[i] * input[i];
  }
  for (size_t i = 0; i < n; ++i) {
    for (size_t j = i + 1; j < n; ++j) {
      const double a = input[i * n + j], b = input[j * n + i];
      if (std::fabs(a - b) > 1e-9 * std::max({1.0, std::fabs(a), std::fabs(b)})) {
        return Status::invalid_argument("matrix is not symmetric at (" + std::to_string(i) + "," +
                                        std::to_string(j) + ")");
      }
    }
  }
  // Work on a symmetric copy built from the upper triangle.
  std::vector<double> a(n * n);
  for (size_t i = 0; i < n; ++i) {
    for (size_t j = i; j < n; ++j) a[i * n + j] = a[j * n + i] = input[i * n + j];
  }
  std::vector<double> v;
  if (want_vectors) {
    v.assign(n * n, 0.0);
    for (size_t i = 0; i < n; ++i) v[i * n + i] = 1.0;
  }
  for (int sweep = 0; sweep < 100; ++sweep) {
    double off = 0.0;
    for (size_t p = 0; p < n; ++p) {
      for (size_t q = p + 1; q < n; ++q) off += a[p * n + q] * a[p * n + q];
    }
    if (off == 0.0 || off <= 1e-32 * norm2) break;
    for (size_t p = 0; p < n; ++p) {
      for (size_t q = p + 1; q < n; ++q) {
        const double apq = a[p * n + q];
        if (apq == 0.0) continue;
        // Rotation that zeroes a[p][q]: t = tan(phi) is the smaller root of
        // t^2 + 2 t theta - 1 = 0 with theta = (a_qq - a_pp) / (2 a_pq).
        const double theta = (a[q * n + q] - a[p * n + p]) / (2.0 * apq);
        double t;
        if (std::fabs(theta) > 1e150) {
          t = 0.5 / theta;
        } else {
          t = (theta >= 0 ? 1.0 : -1.0) / (std::fabs(theta) + std::sqrt(theta * theta + 1.0));
        }
        const double c = 1.0 / std::sqrt(t * t + 1.0), s = t * c;
        for (size_t k = 0; k < n; ++k) {  // columns p, q
          const double akp = a[k * n + p], akq = a[k * n + q];
          a[k * n + p] = c * akp - s * akq;
          a[k * n + q] = s * akp + c * akq;
        }
        for (size_t k = 0; k < n; ++k) {  // rows p, q
          const double apk = a[p * n + k], aqk = a[q * n + k];
          a[p * n + k] = c * apk - s * aqk;
          a[q * n + k] = s * apk + c * aqk;
        }
        a[p * n + q] = a[q * n + p] = 0.0;
        if (want_vectors) {
          for (size_t k = 0; k < n; ++k) {
            const double vkp = v[k * n + p], vkq = v[k * n + q];
            v[k * n + p] = c * vkp - s * vkq;
            v[k * n + q] = s * vkp + c * vkq;
          }
        }
      }
    }
  }
  Eigen e;
  e.values.resize(n);
  for (size_t i = 0; i < n; ++i) e.values[i] = a[i * n + i];
  e.vectors = std::move(v);
  return e;
}

Result<std::vector<double>> sqrt_psd(const std::vector<double>& a, size_t n) {
  MINT_ASSIGN_OR_RETURN(Eigen e, symmetric_eigen(a, n, true));
  std::vector<double> r(n * n, 0.0);
  for (size_t k = 0; k < n; ++k) {
    const double s = std::sqrt(std::max(e.values[k], 0.0));
    if (s == 0.0) continue;
    for (size_t i = 0; i < n; ++i) {
      const double vik = e.vectors[i * n + k] * s;
      for (size_t j = 0; j < n; ++j) r[i * n + j] += vik * e.vectors[j * n + k];
    }
  }
  return r;
}

Result<double> frechet_distance(const FeatureStats& a, const FeatureStats& b) {
  const size_t d = a.dim;
  if (b.dim != d || a.mean.size() != d || b.mean.size() != d || a.cov.size() != d * d ||
      b.cov.size() != d * d) {
    return Status::invalid_argument("feature statistics of different dimensions (" +
                                    std::to_string(a.dim) + " and " + std::to_string(b.dim) + ")");
  }
  double mean_term = 0.0;
  for (size_t i = 0; i < d; ++i) mean_term += (a.mean[i] - b.mean[i]) * (a.mean[i] - b.mean[i]);
  MINT_ASSIGN_OR_RETURN(std::vector<double> r, sqrt_psd(a.cov, d));
  // m = r S2 r (symmetric PSD up to rounding); symmetrize before the eigenproblem.
  std::vector<double> t(d * d, 0.0), m(d * d, 0.0);
  for (size_t i = 0; i < d; ++i) {
    for (size_t k = 0; k < d; ++k) {
      const double rik = r[i * d + k];
      for (size_t j = 0; j < d; ++j) t[i * d + j] += rik * b.cov[k * d + j];
    }
  }
  for (size_t i = 0; i < d; ++i) {
    for (size_t k = 0; k < d; ++k) {
      const double tik = t[i * d + k];
      for (size_t j = 0; j < d; ++j) m[i * d + j] += tik * r[k * d + j];
    }
  }
  for (size_t i = 0; i < d; ++i) {
    for (size_t j = i + 1; j < d; ++j)
      m[i * d + j] = m[j * d + i] = 0.5 * (m[i * d + j] + m[j * d + i]);
  }
  MINT_ASSIGN_OR_RETURN(Eigen e, symmetric_eigen(m, d, false));
  double tr_sqrt = 0.0, tr_a = 0.0, tr_b = 0.0;
  for (double v : e.values) tr_sqrt += std::sqrt(std::max(v, 0.0));
  for (size_t i = 0; i < d; ++i) {
    tr_a += a.cov[i * d + i];
    tr_b += b.cov[i * d + i];
  }
  return mean_term + tr_a + tr_b - 2.0 * tr_sqrt;
}

Result<InceptionScore> inception_score(const std::vector<float>& logits, size_t n, size_t classes,
                                       size_t splits) {
  if (classes == 0 || logits.size() != n * classes) {
    return Status::invalid_argument("logits have " + std::to_string(logits.size()) +
                                    " values, want " + std::to_string(n) + " x " +
                                    std::to_string(classes));
  }
  if (splits == 0 || splits > n) {
    return Status::invalid_argument("inception score: " + std::to_string(splits) + " splits for " +
                                    std::to_string(n) + " samples");
  }
  if (!all_finite(logits.data(), logits.size())) {
    return Status::invalid_argument("logits hold a non-finite value");
  }
  std::vector<double> p(n * classes);
  for (size_t i = 0; i < n; ++i) {
    const float* l = &logits[i * classes];
    const double mx = *std::max_element(l, l + classes);
    double sum = 0.0;
    for (size_t c = 0; c < classes; ++c) sum += p[i * classes + c] = std::exp(double(l[c]) - mx);
    for (size_t c = 0; c < classes; ++c) p[i * classes + c] /= sum;
  }
  std::vector<double> scores;
  for (size_t s = 0; s < splits; ++s) {
    const size_t begin = s * n / splits, end = (s + 1) * n / splits;
    std::vector<double> py(classes, 0.0);
    for (size_t i = begin; i < end; ++i) {
      for (size_t c = 0; c < classes; ++c) py[c] += p[i * classes + c];
    }
    for (double& v : py) v /= double(end - begin);
    double kl = 0.0;
    for (size_t i = begin; i < end; ++i) {
      for (size_t c = 0; c < classes; ++c) {
        const double q = p[i * classes + c];
        if (q > 0.0) kl += q * (std::log(q) - std::log(py[c]));
      }
    }
    scores.push_back(std::exp(kl / double(end - begin)));
  }
  InceptionScore r;
  for (double v : scores) r.mean += v;
  r.mean /= double(scores.size());
  for (double v : scores) r.std += (v - r.mean) * (v - r.mean);
  r.std = std::sqrt(r.std / double(scores.size()));
  return r;
}

}  // namespace mint::eval
