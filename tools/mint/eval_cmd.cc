// mint eval: FID-FMNIST, Inception Score, reconstruction SSIM / MSE and classifier accuracy of
// Fashion-MNIST models (evaluation/image_eval.h does the work).
#include "tools/mint/eval_cmd.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "evaluation/image_eval.h"
#include "evaluation/image_io.h"
#include "tools/mint/json_writer.h"

namespace mint::tool {
namespace {

using namespace mint::eval;

int eval_usage() {
  std::fprintf(
      stderr,
      "usage:\n"
      "  mint eval gan PLAN --classifier CLS [--samples N] [--seed S] [--real M] [--grid out.png]\n"
      "  mint eval vae ENCODER DECODER [--classifier CLS] [--samples N] [--images M] [--grid "
      "out.png]\n"
      "  mint eval classifier CLS [--images M]\n"
      "  mint eval text PLAN [--split test|validation] [--ctx N] [--bleu-prompts N]\n"
      "                 [--distinct-samples N] [--threads 1,2] [--json]   (mint eval text: details)\n"
      "  common: [--data DIR] [--threads T] [--json] [--range pm1|01] [--encoder-range pm1|01]\n"
      "          [--classifier-range pm1|01]\n"
      "  defaults: --samples 1000, --seed 1, --real 0 (all 10000 test images), --images 0 (all),\n"
      "            --data %s, generator range pm1, decoder range 01, encoder and classifier pm1\n",
      kDefaultFmnistDir);
  return 2;
}

struct EvalArgs {
  std::vector<std::string> positional;
  std::string classifier, grid, data = kDefaultFmnistDir;
  std::string range, encoder_range = "pm1", classifier_range = "pm1";
  size_t samples = 1000, real = 0, images = 0, threads = 1;
  uint64_t seed = 1;
  bool json = false;
};

bool parse_count(const char* s, size_t* out) {
  char* end = nullptr;
  const unsigned long long v = std::strtoull(s, &end, 10);
  if (end == s || *end != '\0' || s[0] == '-' || v > 100000000ull) return false;
  *out = size_t(v);
  return true;
}

bool parse_eval_args(int argc, char** argv, EvalArgs* a) {
  for (int i = 3; i < argc; ++i) {
    const std::string k = argv[i];
    const bool has = i + 1 < argc;
    size_t n = 0;
    if (k == "--json") {
      a->json = true;
    } else if (k == "--classifier" && has) {
      a->classifier = argv[++i];
    } else if (k == "--grid" && has) {
      a->grid = argv[++i];
    } else if (k == "--data" && has) {
      a->data = argv[++i];
    } else if (k == "--range" && has) {
      a->range = argv[++i];
    } else if (k == "--encoder-range" && has) {
      a->encoder_range = argv[++i];
    } else if (k == "--classifier-range" && has) {
      a->classifier_range = argv[++i];
    } else if ((k == "--samples" || k == "--real" || k == "--images" || k == "--threads" ||
                k == "--seed") &&
               has) {
      if (!parse_count(argv[++i], &n)) {
        std::fprintf(stderr, "mint: %s '%s': want a count\n", k.c_str(), argv[i]);
        return false;
      }
      if (k == "--samples") a->samples = n;
      if (k == "--real") a->real = n;
      if (k == "--images") a->images = n;
      if (k == "--threads") a->threads = n;
      if (k == "--seed") a->seed = n;
    } else if (!k.empty() && k[0] == '-') {
      std::fprintf(stderr, "mint: unknown or incomplete option '%s'\n", k.c_str());
      return false;
    } else {
      a->positional.push_back(k);
    }
  }
  return true;
}

int fail(const Status& st) {
  std::fprintf(stderr, "mint: error: %s\n", st.message().c_str());
  return 1;
}

Status write_grid(const std::string& path, const std::vector<float>& images, size_t n) {
  const size_t shown = std::min<size_t>(n, 64);
  std::vector<float> first(images.begin(), images.begin() + shown * kImagePixels);
  MINT_ASSIGN_OR_RETURN(GrayImage grid, image_grid(first, shown, 28, 28));
  return write_png(path, grid);
}

void json_scores(JsonWriter& j, const GenerativeScores& s) {
  j.value("fid_fmnist", s.fid);
  j.begin_object("inception_score");
  j.value("mean", s.inception.mean)
      .value("std", s.inception.std)
      .value("splits", uint64_t(s.is_splits));
  j.end_object();
  j.value("samples", uint64_t(s.samples)).value("real_images", uint64_t(s.real));
  j.value("feature_dim", uint64_t(s.feature_dim)).value("classes", uint64_t(s.classes));
}

void print_scores(const GenerativeScores& s) {
  std::printf("FID-FMNIST %.4f  (%zu samples vs %zu test images, %zu features of the classifier)\n",
              s.fid, s.samples, s.real, s.feature_dim);
  std::printf("Inception Score (classifier logits, %zu classes) %.4f +- %.4f over %zu splits\n",
              s.classes, s.inception.mean, s.inception.std, s.is_splits);
}

int eval_gan(const EvalArgs& a) {
  if (a.positional.size() != 1 || a.classifier.empty() || a.samples < 2) return eval_usage();
  auto range = parse_range(a.range.empty() ? "pm1" : a.range);
  auto cls_range = parse_range(a.classifier_range);
  if (!range.is_ok()) return fail(range.status());
  if (!cls_range.is_ok()) return fail(cls_range.status());
  PlanRunner generator;
  if (Status st = generator.open(a.positional[0], a.threads); !st.is_ok()) return fail(st);
  Classifier classifier;
  if (Status st = classifier.open(a.classifier, cls_range.value(), a.threads); !st.is_ok())
    return fail(st);
  auto real = load_fmnist_test(a.data, a.real, false);
  if (!real.is_ok()) return fail(real.status());
  auto images = generate_images(generator, a.samples, a.seed, range.value());
  if (!images.is_ok()) return fail(images.status());
  auto scores = score_images(classifier, images.value(), a.samples, real.value());
  if (!scores.is_ok()) return fail(scores.status());
  if (!a.grid.empty()) {
    if (Status st = write_grid(a.grid, images.value(), a.samples); !st.is_ok()) return fail(st);
  }
  if (a.json) {
    JsonWriter j;
    j.begin_object().value("command", "eval gan").value("generator", a.positional[0]);
    j.value("classifier", a.classifier).value("seed", uint64_t(a.seed));
    json_scores(j, scores.value());
    if (!a.grid.empty()) j.value("grid", a.grid);
    j.end_object();
    std::printf("%s\n", j.str().c_str());
  } else {
    std::printf("generator %s, classifier %s, seed %llu\n", a.positional[0].c_str(),
                a.classifier.c_str(), (unsigned long long)a.seed);
    print_scores(scores.value());
    if (!a.grid.empty()) std::printf("sample grid: %s\n", a.grid.c_str());
  }
  return 0;
}

int eval_vae(const EvalArgs& a) {
  if (a.positional.size() != 2 || a.samples < 2) return eval_usage();
  auto dec_range = parse_range(a.range.empty() ? "01" : a.range);
  auto enc_range = parse_range(a.encoder_range);
  auto cls_range = parse_range(a.classifier_range);
  for (const auto* r : {&dec_range, &enc_range, &cls_range}) {
    if (!r->is_ok()) return fail(r->status());
  }
  PlanRunner encoder, decoder;
  if (Status st = encoder.open(a.positional[0], a.threads); !st.is_ok()) return fail(st);
  if (Status st = decoder.open(a.positional[1], a.threads); !st.is_ok()) return fail(st);
  // One load serves both the reconstructions (--images) and the FID reference (--real).
  const bool all = a.images == 0 || (a.real == 0 && !a.classifier.empty());
  auto test = load_fmnist_test(a.data, all ? 0 : std::max(a.images, a.real), false);
  if (!test.is_ok()) return fail(test.status());
  ImageSet recon_set = test.value();
  if (a.images > 0 && a.images < recon_set.count) {
    recon_set.count = a.images;
    recon_set.pixels.resize(a.images * kImagePixels);
  }
  auto recon = reconstruct(encoder, decoder, recon_set, enc_range.value(), dec_range.value());
  if (!recon.is_ok()) return fail(recon.status());
  auto samples = generate_images(decoder, a.samples, a.seed, dec_range.value());
  if (!samples.is_ok()) return fail(samples.status());
  Result<GenerativeScores> scores = Status::invalid_argument("no classifier");
  if (!a.classifier.empty()) {
    Classifier classifier;
    if (Status st = classifier.open(a.classifier, cls_range.value(), a.threads); !st.is_ok())
      return fail(st);
    ImageSet real = test.value();
    if (a.real > 0 && a.real < real.count) {
      real.count = a.real;
      real.pixels.resize(a.real * kImagePixels);
    }
    scores = score_images(classifier, samples.value(), a.samples, real);
    if (!scores.is_ok()) return fail(scores.status());
  }
  if (!a.grid.empty()) {
    if (Status st = write_grid(a.grid, samples.value(), a.samples); !st.is_ok()) return fail(st);
  }
  if (a.json) {
    JsonWriter j;
    j.begin_object().value("command", "eval vae").value("encoder", a.positional[0]);
    j.value("decoder", a.positional[1]).value("seed", uint64_t(a.seed));
    j.begin_object("reconstruction").value("images", uint64_t(recon.value().images));
    j.value("ssim", recon.value().ssim).value("mse", recon.value().mse).end_object();
    if (scores.is_ok()) {
      j.value("classifier", a.classifier);
      j.begin_object("prior_samples");
      json_scores(j, scores.value());
      j.end_object();
    }
    if (!a.grid.empty()) j.value("grid", a.grid);
    j.end_object();
    std::printf("%s\n", j.str().c_str());
  } else {
    std::printf("encoder %s, decoder %s\n", a.positional[0].c_str(), a.positional[1].c_str());
    std::printf(
        "reconstruction of %zu test images (from mu): SSIM %.4f, MSE %.6f (pixels in [0,1])\n",
        recon.value().images, recon.value().ssim, recon.value().mse);
    if (scores.is_ok()) {
      std::printf("prior samples (seed %llu), classifier %s:\n", (unsigned long long)a.seed,
                  a.classifier.c_str());
      print_scores(scores.value());
    } else {
      std::printf("prior samples: no --classifier, FID-FMNIST and Inception Score not computed\n");
    }
    if (!a.grid.empty()) std::printf("sample grid: %s\n", a.grid.c_str());
  }
  return 0;
}

int eval_classifier(const EvalArgs& a) {
  if (a.positional.size() != 1) return eval_usage();
  auto cls_range = parse_range(a.classifier_range);
  if (!cls_range.is_ok()) return fail(cls_range.status());
  Classifier classifier;
  if (Status st = classifier.open(a.positional[0], cls_range.value(), a.threads); !st.is_ok())
    return fail(st);
  auto test = load_fmnist_test(a.data, a.images, true);
  if (!test.is_ok()) return fail(test.status());
  auto acc = classifier_accuracy(classifier, test.value());
  if (!acc.is_ok()) return fail(acc.status());
  if (a.json) {
    JsonWriter j;
    j.begin_object().value("command", "eval classifier").value("classifier", a.positional[0]);
    j.value("images", uint64_t(acc.value().images)).value("correct", uint64_t(acc.value().correct));
    j.value("accuracy", acc.value().accuracy).end_object();
    std::printf("%s\n", j.str().c_str());
  } else {
    std::printf("classifier %s: accuracy %.4f (%zu of %zu Fashion-MNIST test images)\n",
                a.positional[0].c_str(), acc.value().accuracy, acc.value().correct,
                acc.value().images);
  }
  return 0;
}

}  // namespace

int cmd_eval(int argc, char** argv) {
  if (argc < 3) return eval_usage();
  if (std::string(argv[2]) == "text") return cmd_eval_text(argc, argv);
  EvalArgs a;
  if (!parse_eval_args(argc, argv, &a)) return eval_usage();
  const std::string kind = argv[2];
  if (kind == "gan") return eval_gan(a);
  if (kind == "vae") return eval_vae(a);
  if (kind == "classifier") return eval_classifier(a);
  return eval_usage();
}

}  // namespace mint::tool
