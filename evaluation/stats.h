// Feature statistics and the distribution metrics built on them: FID and Inception Score.
//
// All arithmetic is in double. Matrices are dense row-major std::vector<double>.
//
//   FeatureStats        mean and covariance of a set of feature vectors (n rows x d columns);
//                       the covariance uses the unbiased n - 1 denominator, as numpy.cov and
//                       pytorch-fid do. Needs n >= 2.
//   symmetric_eigen     eigenvalues (and optionally eigenvectors) of a symmetric matrix by the
//                       cyclic Jacobi method; converges for every symmetric input.
//   sqrt_psd            the symmetric square root of a symmetric positive semi-definite matrix
//                       (V diag(sqrt(max(lambda, 0))) V^T); tiny negative eigenvalues from
//                       rounding are clamped to 0.
//   frechet_distance    |mu1 - mu2|^2 + tr(S1 + S2 - 2 sqrt(sqrt(S1) S2 sqrt(S1))).
//                       sqrt(S1) S2 sqrt(S1) is similar to S1 S2, so this equals pytorch-fid's
//                       tr(S1 + S2 - 2 sqrtm(S1 S2)) but needs only symmetric eigenproblems.
//                       "FID" in mint's reports is this distance between the feature
//                       statistics of generated and real images under a given classifier;
//                       with mint's Fashion-MNIST classifier it is reported as FID-FMNIST (it
//                       is not comparable with Inception-v3 FID numbers).
//   inception_score     exp(E_x KL(p(y|x) || p(y))) over `splits` consecutive splits
//                       [i*n/splits, (i+1)*n/splits) (integer division), then the mean and
//                       population standard deviation of the split scores, as in Salimans et
//                       al. 2016's reference code (openai/improved-gan). 0 * log 0 counts as 0.
//                       p(y|x) = softmax(logits); p(y) is the mean of p(y|x) within a split.
//
// Every function checks its sizes and returns invalid_argument on a mismatch; non-finite
// inputs give invalid_argument too (a NaN would otherwise poison every metric silently).
#pragma once

#include <cstddef>
#include <vector>

#include "runtime/status.h"

namespace mint::eval {

struct FeatureStats {
  size_t dim = 0;
  size_t count = 0;
  std::vector<double> mean;  // dim
  std::vector<double> cov;   // dim x dim, row-major
};

// Streams feature vectors; finish() returns the statistics.
class FeatureAccumulator {
 public:
  explicit FeatureAccumulator(size_t dim);
  Status add(const float* features, size_t dim);
  Result<FeatureStats> finish() const;
  size_t count() const { return count_; }

 private:
  size_t dim_;
  size_t count_ = 0;
  std::vector<double> sum_;    // dim
  std::vector<double> cross_;  // dim x dim, sum of x x^T about a shift (the first row)
  std::vector<double> shift_;  // the first vector, subtracted for numerical stability
};

Result<FeatureStats> feature_stats(const std::vector<float>& rows, size_t n, size_t dim);

struct Eigen {
  std::vector<double> values;   // n, in no particular order
  std::vector<double> vectors;  // n x n, column j is the eigenvector of values[j] (if wanted)
};
// `a` is n x n, must be symmetric within 1e-9 relative; only its upper triangle is trusted.
Result<Eigen> symmetric_eigen(const std::vector<double>& a, size_t n, bool want_vectors);

Result<std::vector<double>> sqrt_psd(const std::vector<double>& a, size_t n);

Result<double> frechet_distance(const FeatureStats& a, const FeatureStats& b);

struct InceptionScore {
  double mean = 0.0;
  double std = 0.0;
};
// logits: n x classes row-major.
Result<InceptionScore> inception_score(const std::vector<float>& logits, size_t n, size_t classes,
                                       size_t splits);

}  // namespace mint::eval
