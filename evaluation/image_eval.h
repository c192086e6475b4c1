// Evaluation of the Fashion-MNIST image models with mint plans: the pipelines behind
// `mint eval gan|vae|classifier` (tools/mint/eval_cmd.cc), kept here so tests can run them on
// builder-made plans.
//
// Conventions (those of models/image/, see its README):
//   - images are 28 x 28, one channel; inside these functions they are floats in [0, 1]
//     (Fashion-MNIST bytes / 255). A plan's image tensors may hold 784 values per sample in
//     any of [1, 1, 28, 28], [1, 28, 28, 1] or [1, 784] (identical in memory for one channel).
//   - each plan input or output may carry a batch in dim 0; samples are packed B at a time
//     (the last batch is padded with zeros and the padding discarded).
//   - value ranges: a DCGAN generator outputs [-1, 1] (tanh), a VAE decoder [0, 1] (Bernoulli
//     means), the VAE encoder and the classifier take [-1, 1] (data.py's normalization);
//     each is a Range the caller can change.
//   - the classifier plan has outputs named "logits" [B, classes] and "features" [B, D]
//     (the penultimate layer); FID uses the features, the Inception Score and accuracy the
//     logits. FID computed this way is reported as FID-FMNIST: it depends on this
//     classifier and is not comparable with Inception-v3 FID.
//   - latents: every element of the generator's (decoder's) first input is drawn from N(0, 1)
//     by a Box-Muller transform over std::mt19937_64(seed) (the same numbers on every
//     platform), sample after sample.
#pragma once

#include <cstddef>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "evaluation/plan_runner.h"
#include "evaluation/stats.h"
#include "runtime/status.h"

namespace mint::eval {

constexpr size_t kImagePixels = 28 * 28;
constexpr const char* kDefaultFmnistDir = "/usr/share/datasets/fashion-mnist";

enum class Range { kMinusOneToOne, kZeroToOne };
Result<Range> parse_range(const std::string& s);  // "pm1" | "-1,1" | "01" | "0,1"
const char* range_name(Range r);

struct ImageSet {
  size_t count = 0;
  std::vector<float> pixels;    // count x 784, in [0, 1]
  std::vector<uint8_t> labels;  // count (empty if not loaded)
};
// The first max_images (0: all) images of the Fashion-MNIST test split in `dir`
// (t10k-images-idx3-ubyte.gz, and t10k-labels-idx1-ubyte.gz if with_labels).
Result<ImageSet> load_fmnist_test(const std::string& dir, size_t max_images, bool with_labels);

// Standard normal values, deterministic for a seed.
class GaussianSource {
 public:
  explicit GaussianSource(uint64_t seed);
  float next();

 private:
  std::mt19937_64 rng_;
  double spare_ = 0.0;
  bool has_spare_ = false;
};

class Classifier {
 public:
  Status open(const std::string& path, Range input_range, size_t threads);
  // images: n x 784 in [0, 1]. Appends n x classes logits and n x feature_dim features.
  Status classify(const float* images, size_t n, std::vector<float>* logits,
                  std::vector<float>* features);
  size_t classes() const { return classes_; }
  size_t feature_dim() const { return feature_dim_; }

 private:
  PlanRunner runner_;
  Range range_ = Range::kMinusOneToOne;
  size_t logits_ = 0, features_ = 0, classes_ = 0, feature_dim_ = 0, batch_ = 1;
};

// Runs `generator` (first input: latents, first output: the image) on n seeded latents and
// returns n x 784 images in [0, 1] (values outside the range are kept; clamp for display).
Result<std::vector<float>> generate_images(PlanRunner& generator, size_t n, uint64_t seed,
                                           Range output_range);

struct GenerativeScores {
  size_t samples = 0, real = 0, feature_dim = 0, classes = 0;
  double fid = 0.0;  // FID-FMNIST
  InceptionScore inception;
  size_t is_splits = 0;
};
// FID of `images` (n x 784) against `real` under the classifier, and the Inception Score of
// `images` over min(10, n) splits.
Result<GenerativeScores> score_images(Classifier& classifier, const std::vector<float>& images,
                                      size_t n, const ImageSet& real);

struct Reconstruction {
  size_t images = 0;
  double ssim = 0.0, mse = 0.0;  // means over images, on [0, 1] pixels
};
// encoder: first input the image (encoder_range), output "mu" (else output 0) the latent;
// decoder: first input the latent, first output the image (decoder_range).
Result<Reconstruction> reconstruct(PlanRunner& encoder, PlanRunner& decoder, const ImageSet& images,
                                   Range encoder_range, Range decoder_range);

struct Accuracy {
  size_t images = 0, correct = 0;
  double accuracy = 0.0;
};
Result<Accuracy> classifier_accuracy(Classifier& classifier, const ImageSet& images);

}  // namespace mint::eval
