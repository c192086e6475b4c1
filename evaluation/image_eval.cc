#include "evaluation/image_eval.h"

#include <algorithm>
#include <cmath>

#include "evaluation/image_io.h"
#include "evaluation/image_metrics.h"

namespace mint::eval {
namespace {

float to_unit(float v, Range r) { return r == Range::kMinusOneToOne ? (v + 1.0f) * 0.5f : v; }
float from_unit(float v, Range r) { return r == Range::kMinusOneToOne ? v * 2.0f - 1.0f : v; }

Status check_image_tensor(const PlanRunner& p, const TensorInfo& t, size_t batch,
                          const char* role) {
  if (t.elements != batch * kImagePixels) {
    return Status::invalid_argument(p.path() + ": " + role + " '" + t.name + "' holds " +
                                    std::to_string(t.elements) + " values, want " +
                                    std::to_string(batch) + " x 784 (28 x 28 images)");
  }
  return Status::ok();
}

Status need_input(const PlanRunner& p) {
  if (p.inputs().empty()) return Status::invalid_argument(p.path() + ": the plan has no input");
  if (p.outputs().empty()) return Status::invalid_argument(p.path() + ": the plan has no output");
  return Status::ok();
}

}  // namespace

Result<Range> parse_range(const std::string& s) {
  if (s == "pm1" || s == "-1,1") return Range::kMinusOneToOne;
  if (s == "01" || s == "0,1") return Range::kZeroToOne;
  return Status::invalid_argument("range '" + s + "': want pm1 (-1,1) or 01 (0,1)");
}

const char* range_name(Range r) { return r == Range::kMinusOneToOne ? "[-1,1]" : "[0,1]"; }

Result<ImageSet> load_fmnist_test(const std::string& dir, size_t max_images, bool with_labels) {
  MINT_ASSIGN_OR_RETURN(IdxArray images, read_idx(dir + "/t10k-images-idx3-ubyte.gz"));
  if (images.dims.size() != 3 || images.dims[1] != 28 || images.dims[2] != 28) {
    return Status::invalid_argument(dir + "/t10k-images-idx3-ubyte.gz: want [N, 28, 28] images");
  }
  ImageSet set;
  set.count = images.dims[0];
  if (max_images > 0) set.count = std::min(set.count, max_images);
  set.pixels.resize(set.count * kImagePixels);
  for (size_t i = 0; i < set.pixels.size(); ++i) set.pixels[i] = float(images.data[i]) / 255.0f;
  if (with_labels) {
    MINT_ASSIGN_OR_RETURN(IdxArray labels, read_idx(dir + "/t10k-labels-idx1-ubyte.gz"));
    if (labels.dims.size() != 1 || labels.dims[0] < set.count) {
      return Status::invalid_argument(dir + "/t10k-labels-idx1-ubyte.gz: want one label per image");
    }
    set.labels.assign(labels.data.begin(), labels.data.begin() + set.count);
  }
  return set;
}

GaussianSource::GaussianSource(uint64_t seed) : rng_(seed) {}

float GaussianSource::next() {
  if (has_spare_) {
    has_spare_ = false;
    return float(spare_);
  }
  // u1 in (0, 1], u2 in [0, 1) from 53 random bits each.
  const double u1 = (double(rng_() >> 11) + 1.0) * 0x1.0p-53;
  const double u2 = double(rng_() >> 11) * 0x1.0p-53;
  const double r = std::sqrt(-2.0 * std::log(u1)),
               a = 6.283185307179586476925286766559 * u2;  // 2 pi
  spare_ = r * std::sin(a);
  has_spare_ = true;
  return float(r * std::cos(a));
}

Status Classifier::open(const std::string& path, Range input_range, size_t threads) {
  range_ = input_range;
  MINT_RETURN_IF_ERROR(runner_.open(path, threads));
  MINT_RETURN_IF_ERROR(need_input(runner_));
  batch_ = runner_.batch(0);
  MINT_RETURN_IF_ERROR(check_image_tensor(runner_, runner_.inputs()[0], batch_, "input"));
  MINT_ASSIGN_OR_RETURN(logits_, runner_.output_index("logits"));
  MINT_ASSIGN_OR_RETURN(features_, runner_.output_index("features"));
  const TensorInfo& l = runner_.outputs()[logits_];
  const TensorInfo& f = runner_.outputs()[features_];
  if (l.elements % batch_ != 0 || f.elements % batch_ != 0 || l.elements == 0 || f.elements == 0) {
    return Status::invalid_argument(path +
                                    ": outputs 'logits' and 'features' must hold a batch of " +
                                    std::to_string(batch_) + " rows");
  }
  classes_ = l.elements / batch_;
  feature_dim_ = f.elements / batch_;
  return Status::ok();
}

Status Classifier::classify(const float* images, size_t n, std::vector<float>* logits,
                            std::vector<float>* features) {
  std::vector<float> in(batch_ * kImagePixels);
  for (size_t i = 0; i < n; i += batch_) {
    const size_t b = std::min(batch_, n - i);
    std::fill(in.begin(), in.end(), 0.0f);
    for (size_t k = 0; k < b * kImagePixels; ++k)
      in[k] = from_unit(images[i * kImagePixels + k], range_);
    MINT_RETURN_IF_ERROR(runner_.set_input(0, in.data(), in.size()));
    MINT_RETURN_IF_ERROR(runner_.run());
    MINT_ASSIGN_OR_RETURN(std::vector<float> l, runner_.output(logits_));
    MINT_ASSIGN_OR_RETURN(std::vector<float> f, runner_.output(features_));
    if (logits) logits->insert(logits->end(), l.begin(), l.begin() + b * classes_);
    if (features) features->insert(features->end(), f.begin(), f.begin() + b * feature_dim_);
  }
  return Status::ok();
}

Result<std::vector<float>> generate_images(PlanRunner& generator, size_t n, uint64_t seed,
                                           Range output_range) {
  MINT_RETURN_IF_ERROR(need_input(generator));
  const size_t batch = generator.batch(0);
  MINT_RETURN_IF_ERROR(check_image_tensor(generator, generator.outputs()[0], batch, "output"));
  const size_t latent = generator.inputs()[0].elements / batch;
  GaussianSource gauss(seed);
  std::vector<float> z(batch * latent), images;
  images.reserve(n * kImagePixels);
  for (size_t i = 0; i < n; i += batch) {
    const size_t b = std::min(batch, n - i);
    std::fill(z.begin(), z.end(), 0.0f);
    for (size_t k = 0; k < b * latent; ++k) z[k] = gauss.next();
    MINT_RETURN_IF_ERROR(generator.set_input(0, z.data(), z.size()));
    MINT_RETURN_IF_ERROR(generator.run());
    MINT_ASSIGN_OR_RETURN(std::vector<float> out, generator.output(0));
    for (size_t k = 0; k < b * kImagePixels; ++k) images.push_back(to_unit(out[k], output_range));
  }
  return images;
}

Result<GenerativeScores> score_images(Classifier& classifier, const std::vector<float>& images,
                                      size_t n, const ImageSet& real) {
  if (images.size() != n * kImagePixels)
    return Status::invalid_argument("score_images: image count mismatch");
  GenerativeScores s;
  s.samples = n;
  s.real = real.count;
  s.feature_dim = classifier.feature_dim();
  s.classes = classifier.classes();
  std::vector<float> logits, features, real_features;
  MINT_RETURN_IF_ERROR(classifier.classify(images.data(), n, &logits, &features));
  MINT_RETURN_IF_ERROR(
      classifier.classify(real.pixels.data(), real.count, nullptr, &real_features));
  MINT_ASSIGN_OR_RETURN(FeatureStats gen_stats, feature_stats(features, n, s.feature_dim));
  MINT_ASSIGN_OR_RETURN(FeatureStats real_stats,
                        feature_stats(real_features, real.count, s.feature_dim));
  MINT_ASSIGN_OR_RETURN(s.fid, frechet_distance(gen_stats, real_stats));
  s.is_splits = std::min<size_t>(10, n);
  MINT_ASSIGN_OR_RETURN(s.inception, inception_score(logits, n, s.classes, s.is_splits));
  return s;
}

Result<Reconstruction> reconstruct(PlanRunner& encoder, PlanRunner& decoder, const ImageSet& images,
                                   Range encoder_range, Range decoder_range) {
  MINT_RETURN_IF_ERROR(need_input(encoder));
  MINT_RETURN_IF_ERROR(need_input(decoder));
  if (encoder.batch(0) != 1 || decoder.batch(0) != 1) {
    return Status::unsupported("reconstruction runs batch-1 encoder and decoder plans");
  }
  MINT_RETURN_IF_ERROR(check_image_tensor(encoder, encoder.inputs()[0], 1, "input"));
  MINT_RETURN_IF_ERROR(check_image_tensor(decoder, decoder.outputs()[0], 1, "output"));
  auto mu_index = encoder.output_index("mu");
  const size_t mu = mu_index.is_ok() ? mu_index.value() : 0;
  if (encoder.outputs()[mu].elements != decoder.inputs()[0].elements) {
    return Status::invalid_argument("encoder output '" + encoder.outputs()[mu].name + "' holds " +
                                    std::to_string(encoder.outputs()[mu].elements) +
                                    " values, decoder input '" + decoder.inputs()[0].name +
                                    "' takes " + std::to_string(decoder.inputs()[0].elements));
  }
  Reconstruction r;
  r.images = images.count;
  std::vector<float> x(kImagePixels), y(kImagePixels);
  for (size_t i = 0; i < images.count; ++i) {
    const float* img = &images.pixels[i * kImagePixels];
    for (size_t k = 0; k < kImagePixels; ++k) x[k] = from_unit(img[k], encoder_range);
    MINT_RETURN_IF_ERROR(encoder.set_input(0, x.data(), x.size()));
    MINT_RETURN_IF_ERROR(encoder.run());
    MINT_ASSIGN_OR_RETURN(std::vector<float> z, encoder.output(mu));
    MINT_RETURN_IF_ERROR(decoder.set_input(0, z.data(), z.size()));
    MINT_RETURN_IF_ERROR(decoder.run());
    MINT_ASSIGN_OR_RETURN(std::vector<float> out, decoder.output(0));
    for (size_t k = 0; k < kImagePixels; ++k) y[k] = to_unit(out[k], decoder_range);
    MINT_ASSIGN_OR_RETURN(double s, ssim(img, y.data(), 28, 28, 1.0));
    MINT_ASSIGN_OR_RETURN(double m, mse(img, y.data(), kImagePixels));
    r.ssim += s;
    r.mse += m;
  }
  if (r.images > 0) {
    r.ssim /= double(r.images);
    r.mse /= double(r.images);
  }
  return r;
}

Result<Accuracy> classifier_accuracy(Classifier& classifier, const ImageSet& images) {
  if (images.labels.size() != images.count)
    return Status::invalid_argument("accuracy needs labels");
  std::vector<float> logits;
  MINT_RETURN_IF_ERROR(classifier.classify(images.pixels.data(), images.count, &logits, nullptr));
  Accuracy a;
  a.images = images.count;
  const size_t c = classifier.classes();
  for (size_t i = 0; i < images.count; ++i) {
    const float* l = &logits[i * c];
    const size_t best = size_t(std::max_element(l, l + c) - l);
    if (best == images.labels[i]) ++a.correct;
  }
  a.accuracy = a.images ? double(a.correct) / double(a.images) : 0.0;
  return a;
}

}  // namespace mint::eval
