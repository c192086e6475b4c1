#include "tools/mint/demo_model.h"

#include <cmath>
#include <random>

namespace mint::tool {
namespace {

using compiler::GraphBuilder;
using compiler::ValueId;

std::vector<float> random_values(std::mt19937& rng, size_t count, float scale) {
  std::normal_distribution<float> dist(0.0f, scale);
  std::vector<float> v(count);
  for (float& x : v) x = dist(rng);
  return v;
}

ValueId dense(GraphBuilder& b, std::mt19937& rng, ValueId x, int64_t k, int64_t n,
              const std::string& name) {
  const ValueId w = b.constant_f32(name + ".weight", {n, k},
                                   random_values(rng, size_t(n * k), 1.0f / std::sqrt(float(k))));
  const ValueId bias = b.constant_f32(name + ".bias", {n}, random_values(rng, size_t(n), 0.1f));
  return b.fully_connected(x, w, bias, plan::Activation::none, name);
}

Result<compiler::Graph> build_mlp() {
  std::mt19937 rng(2024);
  GraphBuilder b;
  b.set_model_family("demo-mlp");
  ValueId x = b.input("x", DType::f32, {1, 256});
  ValueId h = dense(b, rng, x, 256, 1024, "fc1");
  const ValueId gamma = b.constant_f32("ln.gamma", {1024}, std::vector<float>(1024, 1.0f));
  const ValueId beta = b.constant_f32("ln.beta", {1024}, std::vector<float>(1024, 0.0f));
  h = b.layer_norm(h, gamma, beta, 1e-5f, "ln");
  h = b.gelu(h, false, "gelu");
  h = dense(b, rng, h, 1024, 256, "fc2");
  h = b.silu(h, "silu");
  h = dense(b, rng, h, 256, 10, "head");
  b.output(b.softmax(h, -1, "probs"));
  return b.finish();
}

Result<compiler::Graph> build_convnet() {
  std::mt19937 rng(7);
  GraphBuilder b;
  b.set_model_family("demo-convnet");
  ValueId x = b.input("image", DType::f32, {1, 16, 16, 8});
  plan::Conv2DOptionsT conv;
  conv.kernel_h = conv.kernel_w = 3;
  conv.pad_top = conv.pad_left = conv.pad_bottom = conv.pad_right = 1;
  conv.activation = plan::Activation::relu;
  ValueId h = b.conv2d(x, b.constant_f32("c1.w", {32, 3, 3, 8}, random_values(rng, 32 * 9 * 8, 0.1f)),
                       b.constant_f32("c1.b", {32}, random_values(rng, 32, 0.1f)), conv, "conv1");
  conv.stride_h = conv.stride_w = 2;
  h = b.conv2d(h, b.constant_f32("c2.w", {32, 3, 3, 32}, random_values(rng, 32 * 9 * 32, 0.06f)),
               b.constant_f32("c2.b", {32}, random_values(rng, 32, 0.1f)), conv, "conv2");
  plan::TransposedConv2DOptionsT up;
  up.kernel_h = up.kernel_w = 4;
  up.stride_h = up.stride_w = 2;
  up.pad_top = up.pad_left = up.pad_bottom = up.pad_right = 1;
  h = b.transposed_conv2d(h, b.constant_f32("up.w", {16, 4, 4, 32}, random_values(rng, 16 * 16 * 32, 0.05f)),
                          b.constant_f32("up.b", {16}, random_values(rng, 16, 0.1f)), up, "up");
  h = b.tanh(h, "tanh");
  h = b.reshape(h, {1, 16 * 16 * 16}, "flatten");
  h = dense(b, rng, h, 16 * 16 * 16, 10, "head");
  b.output(b.softmax(h, -1, "probs"));
  return b.finish();
}

}  // namespace

std::vector<std::string> builtin_model_names() { return {"mlp", "convnet"}; }

Result<compiler::Graph> build_builtin_model(const std::string& name) {
  if (name == "mlp") return build_mlp();
  if (name == "convnet") return build_convnet();
  return Status::invalid_argument("no built-in model '" + name + "' (have: mlp, convnet)");
}

}  // namespace mint::tool
