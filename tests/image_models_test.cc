// The trained image models of models/image/ (DCGAN generator, beta-VAE decoder and encoder,
// the distilled and the channel-pruned DCGAN generators):
// each committed ONNX file under models/image/trained/<model>/ is imported with
// compiler::import_onnx, compiled to f32 plans and run through the C ABI on the 8 reference
// inputs that the training script saved, at every ISA level this machine runs; every output must
// match PyTorch's within max |got - want| <= 1e-4 (the tolerance of the image-generation issue).
//
// The reference files are raw little-endian float32, N = 8 samples stacked along the batch axis
// (shapes in each model's manifest.json). Graph inputs and outputs keep ONNX's layout (NCHW for
// images), so a sample is a contiguous slice of the file.
//
// Files are found relative to this source file (tests/ -> the repository root), or under
// $MINT_SOURCE_DIR when set. A missing or wrongly sized file FAILS the test: the trained files
// are committed, and `models/image/{dcgan,vae}.py --out models/image/trained/<model>` (and
// distill.py, prune.py; see models/image/README.md) rewrite them.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "compiler/onnx/onnx_import.h"
#include "tests/test_util.h"

namespace mint {
namespace {

using namespace testing_util;

constexpr size_t kSamples = 8;
constexpr float kTolerance = 1e-4f;

std::string source_dir() {
  if (const char* env = std::getenv("MINT_SOURCE_DIR")) return env;
  std::string file = __FILE__;  // <root>/tests/image_models_test.cc
  for (int i = 0; i < 2; ++i) {
    const size_t slash = file.find_last_of('/');
    file = slash == std::string::npos ? std::string(".") : file.substr(0, slash);
  }
  return file;
}

struct Tensor {
  std::string name;           // graph input / output name
  std::string file;           // reference file in the model's folder
  std::vector<int64_t> shape; // per sample (batch 1), as mint_model_*_info reports it
};

struct Case {
  std::string model;  // folder under models/image/trained/
  std::string onnx;
  std::vector<Tensor> inputs, outputs;
};

std::vector<Case> cases() {
  return {
      {"dcgan", "generator.onnx",
       {{"z", "latents.bin", {1, 100, 1, 1}}},
       {{"image", "reference.bin", {1, 1, 28, 28}}}},
      {"vae", "decoder.onnx",
       {{"z", "latents.bin", {1, 16}}},
       {{"image", "decoder_reference.bin", {1, 1, 28, 28}}}},
      {"vae", "encoder.onnx",
       {{"image", "encoder_inputs.bin", {1, 1, 28, 28}}},
       {{"mu", "encoder_mu.bin", {1, 16}}, {"logvar", "encoder_logvar.bin", {1, 16}}}},
      // The distilled (half-width) and channel-pruned generators of distill.py / prune.py.
      {"dcgan_distilled", "generator.onnx",
       {{"z", "latents.bin", {1, 100, 1, 1}}},
       {{"image", "reference.bin", {1, 1, 28, 28}}}},
      {"dcgan_pruned_r30", "generator.onnx",
       {{"z", "latents.bin", {1, 100, 1, 1}}},
       {{"image", "reference.bin", {1, 1, 28, 28}}}},
      {"dcgan_pruned_r50", "generator.onnx",
       {{"z", "latents.bin", {1, 100, 1, 1}}},
       {{"image", "reference.bin", {1, 1, 28, 28}}}},
      {"dcgan_pruned_r70", "generator.onnx",
       {{"z", "latents.bin", {1, 100, 1, 1}}},
       {{"image", "reference.bin", {1, 1, 28, 28}}}},
  };
}

size_t elements(const std::vector<int64_t>& shape) {
  size_t n = 1;
  for (int64_t d : shape) n *= static_cast<size_t>(d);
  return n;
}

// Reads `path` as float32 and checks it holds kSamples * per_sample values.
bool read_floats(const std::string& path, size_t per_sample, std::vector<float>* out) {
  auto bytes = compiler::read_file_bytes(path);
  if (!bytes.is_ok()) {
    ADD_FAILURE() << path << ": " << bytes.status().message()
                  << " (run models/image/*.py to regenerate the trained files)";
    return false;
  }
  const size_t want = kSamples * per_sample * sizeof(float);
  if (bytes.value().size() != want) {
    ADD_FAILURE() << path << ": " << bytes.value().size() << " bytes, want " << want;
    return false;
  }
  out->resize(kSamples * per_sample);
  std::memcpy(out->data(), bytes.value().data(), want);
  return true;
}

std::vector<int64_t> shape_of(const mint_tensor_info& info) {
  return std::vector<int64_t>(info.shape, info.shape + info.rank);
}

class ImageModels : public ::testing::TestWithParam<size_t> {};

TEST_P(ImageModels, MatchesPyTorch) {
  const Case c = cases()[GetParam()];
  const std::string dir = source_dir() + "/models/image/trained/" + c.model + "/";
  SCOPED_TRACE(dir + c.onnx);

  auto graph = compiler::import_onnx(dir + c.onnx);
  ASSERT_TRUE(graph.is_ok()) << graph.status().message();
  auto bytes = compiler::compile(std::move(graph).value(), {});
  ASSERT_TRUE(bytes.is_ok()) << bytes.status().message();
  AlignedPlan plan(bytes.value());
  mint_model_t model = nullptr;
  ASSERT_EQ(mint_model_load_memory(plan.data(), plan.size(), nullptr, &model), mint_status_success)
      << mint_last_error();
  ModelPtr model_owner(model);

  // Inputs and outputs: names, shapes (ONNX layout) and the reference data.
  size_t count = 0;
  ASSERT_EQ(mint_model_input_count(model, &count), mint_status_success);
  ASSERT_EQ(count, c.inputs.size());
  std::vector<std::vector<float>> inputs(c.inputs.size());
  for (size_t i = 0; i < c.inputs.size(); ++i) {
    mint_tensor_info info{};
    info.size = sizeof(info);
    ASSERT_EQ(mint_model_input_info(model, i, &info), mint_status_success);
    EXPECT_EQ(std::string(info.name), c.inputs[i].name);
    ASSERT_EQ(info.dtype, mint_dtype_f32);
    ASSERT_EQ(shape_of(info), c.inputs[i].shape) << "input " << c.inputs[i].name;
    ASSERT_TRUE(read_floats(dir + c.inputs[i].file, elements(c.inputs[i].shape), &inputs[i]));
  }
  ASSERT_EQ(mint_model_output_count(model, &count), mint_status_success);
  ASSERT_EQ(count, c.outputs.size());
  std::vector<size_t> output_index(c.outputs.size());
  std::vector<std::vector<float>> wants(c.outputs.size());
  for (size_t o = 0; o < c.outputs.size(); ++o) {
    bool found = false;
    for (size_t i = 0; i < count && !found; ++i) {
      mint_tensor_info info{};
      info.size = sizeof(info);
      ASSERT_EQ(mint_model_output_info(model, i, &info), mint_status_success);
      if (std::string(info.name) != c.outputs[o].name) continue;
      found = true;
      output_index[o] = i;
      ASSERT_EQ(info.dtype, mint_dtype_f32);
      ASSERT_EQ(shape_of(info), c.outputs[o].shape) << "output " << c.outputs[o].name;
    }
    ASSERT_TRUE(found) << "no output named " << c.outputs[o].name;
    ASSERT_TRUE(read_floats(dir + c.outputs[o].file, elements(c.outputs[o].shape), &wants[o]));
  }

  // Every sample at every ISA level.
  for (const std::string& isa : available_isas()) {
    SCOPED_TRACE("isa " + isa);
    mint_session_options options;
    mint_session_options_init(&options);
    options.max_isa = isa.c_str();
    mint_session_t session = nullptr;
    ASSERT_EQ(mint_session_create(model, &options, &session), mint_status_success)
        << mint_last_error();
    SessionPtr session_owner(session);
    std::vector<float> max_err(c.outputs.size(), 0.0f);
    for (size_t s = 0; s < kSamples; ++s) {
      for (size_t i = 0; i < c.inputs.size(); ++i) {
        const size_t n = elements(c.inputs[i].shape);
        ASSERT_EQ(mint_session_set_input(session, i, inputs[i].data() + s * n, n * sizeof(float)),
                  mint_status_success)
            << mint_last_error();
      }
      ASSERT_EQ(mint_session_run(session), mint_status_success) << mint_last_error();
      for (size_t o = 0; o < c.outputs.size(); ++o) {
        const size_t n = elements(c.outputs[o].shape);
        std::vector<float> got(n);
        ASSERT_EQ(mint_session_get_output(session, output_index[o], got.data(), n * sizeof(float)),
                  mint_status_success)
            << mint_last_error();
        for (size_t k = 0; k < n; ++k) {
          const float err = std::fabs(got[k] - wants[o][s * n + k]);
          if (!(err <= max_err[o])) max_err[o] = std::isnan(err) ? INFINITY : err;
        }
      }
    }
    for (size_t o = 0; o < c.outputs.size(); ++o) {
      std::printf("%s/%s %s [%s]: max |mint - pytorch| = %.3g over %zu samples\n",
                  c.model.c_str(), c.onnx.c_str(), c.outputs[o].name.c_str(), isa.c_str(),
                  static_cast<double>(max_err[o]), kSamples);
      EXPECT_LE(max_err[o], kTolerance) << "output " << c.outputs[o].name;
    }
  }
}

std::string case_name(const ::testing::TestParamInfo<size_t>& info) {
  const Case c = cases()[info.param];
  std::string name = c.model + "_" + c.onnx.substr(0, c.onnx.find('.'));
  return name;
}

INSTANTIATE_TEST_SUITE_P(Trained, ImageModels, ::testing::Range<size_t>(0, cases().size()),
                         case_name);

}  // namespace
}  // namespace mint
