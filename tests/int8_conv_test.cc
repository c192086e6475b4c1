// Static int8 conv2d and transposed_conv2d (runtime/ops/conv.cc, transposed_conv.cc): every
// ISA level this machine runs must reproduce, bit for bit, a scalar reference written here from
// the contracts (int32 accumulation of (x - zx) * w_q, the epilogues of kernels/qs8_requant.h,
// the col2im gather order of kernels/conv.h, the quantize rule of kernels/elementwise.h).
//
// Graphs are built in f32 with the builder; the test then gives the input (and, for int8
// results, the output) per-tensor encodings and compiles with int8 weights, so the compiler
// quantizes the weights per channel (compiler/prepack.h quantize_per_channel_symmetric, which
// the reference calls too) and packs them for the qs8 GEMM kernels.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "compiler/compile.h"
#include "compiler/prepack.h"
#include "kernels/qs8_requant.h"
#include "tests/test_util.h"

namespace mint {
namespace {

using namespace testing_util;
using compiler::GraphBuilder;
using compiler::QuantSpec;
using compiler::ValueId;

struct ConvCase {
  std::string name;
  bool transposed;
  int h, w, cin, cout, kh, kw, stride, pad;
  int output_pad;  // transposed only
  bool int8_out;
  plan::Activation act;
  bool bias;
};

std::vector<ConvCase> conv_cases() {
  using A = plan::Activation;
  return {
      // conv2d
      {"conv3x3_p1_i8_relu", false, 9, 7, 8, 20, 3, 3, 1, 1, 0, true, A::relu, true},
      {"conv3x3_cin3_f32", false, 8, 8, 3, 16, 3, 3, 1, 1, 0, false, A::none, true},
      {"conv4x4_s2_i8", false, 14, 14, 32, 64, 4, 4, 2, 1, 0, true, A::none, true},
      {"conv1x1_direct_i8", false, 5, 6, 16, 33, 1, 1, 1, 0, 0, true, A::relu6, true},
      {"conv1x1_cin5_f32_relu", false, 5, 5, 5, 7, 1, 1, 1, 0, 0, false, A::relu, false},
      {"conv_single_pixel_i8", false, 4, 4, 12, 24, 4, 4, 1, 0, 0, true, A::none, true},
      // transposed_conv2d (the DCGAN / VAE decoder shapes, smaller channel counts)
      {"tconv4x4_s1_from1x1_i8_relu", true, 1, 1, 100, 64, 4, 4, 1, 0, 0, true, A::relu, true},
      {"tconv3x3_s2_p1_i8_relu", true, 4, 4, 64, 32, 3, 3, 2, 1, 0, true, A::relu, true},
      {"tconv4x4_s2_p1_f32", true, 7, 7, 32, 1, 4, 4, 2, 1, 0, false, A::none, false},
      {"tconv4x4_s2_p1_cin6_i8", true, 5, 5, 6, 18, 4, 4, 2, 1, 0, true, A::none, true},
      {"tconv3x3_s2_outpad_f32_relu", true, 4, 3, 8, 8, 3, 3, 2, 1, 1, false, A::relu, true},
  };
}

float clamp_act(float v, plan::Activation act) {
  if (act == plan::Activation::relu) return std::max(v, 0.0f);
  if (act == plan::Activation::relu6) return std::min(std::max(v, 0.0f), 6.0f);
  return v;
}

int8_t quantize_ref(float v, float scale, int32_t zp) {
  float q = std::nearbyint(v / scale) + static_cast<float>(zp);
  q = q >= -128.0f ? q : -128.0f;
  q = q <= 127.0f ? q : 127.0f;
  return static_cast<int8_t>(q);
}

class Int8Conv : public ::testing::TestWithParam<size_t> {};

TEST_P(Int8Conv, BitExactOnEveryIsa) {
  const ConvCase c = conv_cases()[GetParam()];
  std::mt19937 rng(1234 + static_cast<unsigned>(GetParam()));
  const float sx = 0.05f, sy = c.transposed ? 0.11f : 0.09f;
  const int32_t zx = -7, zy = c.act == plan::Activation::none ? 3 : -128;

  // Weights [cout, kh, kw, cin] and bias, f32.
  const size_t taps = static_cast<size_t>(c.kh * c.kw);
  const size_t wn = static_cast<size_t>(c.cout) * taps * c.cin;
  std::vector<float> w = random_floats(rng, wn, -0.5f, 0.5f);
  std::vector<float> bias = c.bias ? random_floats(rng, c.cout, -1.0f, 1.0f) : std::vector<float>{};

  GraphBuilder b;
  const ValueId x = b.input("x", DType::f32, {1, c.h, c.w, c.cin});
  const ValueId wv = b.constant_f32("w", {c.cout, c.kh, c.kw, c.cin}, w);
  const ValueId bv = c.bias ? b.constant_f32("b", {c.cout}, bias) : compiler::kInvalidValue;
  ValueId y;
  if (c.transposed) {
    plan::TransposedConv2DOptionsT o;
    o.kernel_h = c.kh, o.kernel_w = c.kw, o.stride_h = o.stride_w = c.stride;
    o.pad_top = o.pad_left = o.pad_bottom = o.pad_right = c.pad;
    o.output_pad_h = o.output_pad_w = c.output_pad;
    o.activation = c.act;
    y = b.transposed_conv2d(x, wv, bv, o, "conv");
  } else {
    plan::Conv2DOptionsT o;
    o.kernel_h = c.kh, o.kernel_w = c.kw, o.stride_h = o.stride_w = c.stride;
    o.pad_top = o.pad_left = o.pad_bottom = o.pad_right = c.pad;
    o.activation = c.act;
    y = b.conv2d(x, wv, bv, o, "conv");
  }
  b.output(y);
  auto graph = b.finish();
  ASSERT_TRUE(graph.is_ok()) << graph.status().message();
  compiler::Graph g = std::move(graph).value();
  const std::vector<int64_t> out_shape = g.values[y].shape;
  const int oh_n = static_cast<int>(out_shape[1]), ow_n = static_cast<int>(out_shape[2]);
  QuantSpec qx;
  qx.kind = plan::QuantKind::per_tensor;
  qx.scales = {sx};
  qx.zero_points = {zx};
  g.values[x].dtype = DType::i8;
  g.values[x].quant = qx;
  if (c.int8_out) {
    QuantSpec qy = qx;
    qy.scales = {sy};
    qy.zero_points = {zy};
    g.values[y].dtype = DType::i8;
    g.values[y].quant = qy;
  }
  compiler::CompileOptions options;
  options.weights = compiler::WeightPrecision::kInt8;
  auto bytes = compiler::compile(std::move(g), options);
  ASSERT_TRUE(bytes.is_ok()) << bytes.status().message();

  // Input.
  std::vector<int8_t> xq(static_cast<size_t>(c.h) * c.w * c.cin);
  std::uniform_int_distribution<int> byte(-128, 127);
  for (int8_t& v : xq) v = static_cast<int8_t>(byte(rng));

  // Reference. GEMM rows of the quantized weights: conv [cout][taps*cin]; transposed
  // [(tap*cout + co)][cin].
  const size_t n = c.transposed ? taps * c.cout : static_cast<size_t>(c.cout);
  const size_t k = c.transposed ? static_cast<size_t>(c.cin) : taps * c.cin;
  std::vector<float> rows(n * k);
  for (int co = 0; co < c.cout; ++co) {
    for (size_t t = 0; t < taps; ++t) {
      for (int ci = 0; ci < c.cin; ++ci) {
        const float v = w[(co * taps + t) * c.cin + ci];
        if (c.transposed) rows[(t * c.cout + co) * k + ci] = v;
        else rows[co * k + t * c.cin + ci] = v;
      }
    }
  }
  std::vector<int8_t> wq;
  std::vector<float> ws;
  quantize_per_channel_symmetric(n, k, rows.data(), &wq, &ws);
  const size_t out_elems = static_cast<size_t>(oh_n) * ow_n * c.cout;
  std::vector<int8_t> want_q(out_elems);
  std::vector<float> want_f(out_elems);
  const auto xat = [&](int ih, int iw, int ci) {
    return static_cast<int32_t>(xq[(static_cast<size_t>(ih) * c.w + iw) * c.cin + ci]) - zx;
  };
  if (!c.transposed) {
    Qs8GemmParams p{};
    p.out_inv_scale = 1.0f / sy;
    p.out_zero_point = zy;
    p.out_min = c.act == plan::Activation::none ? int8_t{-128} : static_cast<int8_t>(zy);
    p.out_max = c.act == plan::Activation::relu6 ? quantize_ref(6.0f, sy, zy) : int8_t{127};
    p.f32_min = c.act == plan::Activation::none ? -INFINITY : 0.0f;
    p.f32_max = c.act == plan::Activation::relu6 ? 6.0f : INFINITY;
    for (int oh = 0; oh < oh_n; ++oh) {
      for (int ow = 0; ow < ow_n; ++ow) {
        for (int co = 0; co < c.cout; ++co) {
          int32_t acc = 0;
          for (int i = 0; i < c.kh; ++i) {
            for (int j = 0; j < c.kw; ++j) {
              const int ih = oh * c.stride - c.pad + i, iw = ow * c.stride - c.pad + j;
              if (ih < 0 || iw < 0 || ih >= c.h || iw >= c.w) continue;
              for (int ci = 0; ci < c.cin; ++ci) {
                acc += xat(ih, iw, ci) * wq[co * k + (i * c.kw + j) * c.cin + ci];
              }
            }
          }
          const size_t o = (static_cast<size_t>(oh) * ow_n + ow) * c.cout + co;
          if (c.int8_out) {
            if (c.bias) {
              acc += static_cast<int32_t>(
                  std::nearbyint(double(bias[co]) / (double(sx) * ws[co])));
            }
            want_q[o] = qs8_requantize(acc, sx, ws[co], p);
          } else {
            want_f[o] = qs8_dequantize(acc, sx, ws[co], c.bias ? bias[co] : 0.0f, p);
          }
        }
      }
    }
  } else {
    Qs8GemmParams p{};
    p.f32_min = -INFINITY;
    p.f32_max = INFINITY;
    std::vector<float> cols(static_cast<size_t>(c.h) * c.w * n);
    for (int ih = 0; ih < c.h; ++ih) {
      for (int iw = 0; iw < c.w; ++iw) {
        for (size_t j = 0; j < n; ++j) {
          int32_t acc = 0;
          for (int ci = 0; ci < c.cin; ++ci) acc += xat(ih, iw, ci) * wq[j * k + ci];
          cols[(static_cast<size_t>(ih) * c.w + iw) * n + j] = qs8_dequantize(acc, sx, ws[j], 0.0f, p);
        }
      }
    }
    for (int oh = 0; oh < oh_n; ++oh) {
      for (int ow = 0; ow < ow_n; ++ow) {
        for (int co = 0; co < c.cout; ++co) {
          float v = c.bias ? bias[co] : 0.0f;
          for (int i = 0; i < c.kh; ++i) {
            const int th = oh + c.pad - i;
            if (th < 0 || th % c.stride != 0 || th / c.stride >= c.h) continue;
            for (int j = 0; j < c.kw; ++j) {
              const int tw = ow + c.pad - j;
              if (tw < 0 || tw % c.stride != 0 || tw / c.stride >= c.w) continue;
              v += cols[(static_cast<size_t>(th / c.stride) * c.w + tw / c.stride) * n +
                        (i * c.kw + j) * c.cout + co];
            }
          }
          v = clamp_act(v, c.act);
          const size_t o = (static_cast<size_t>(oh) * ow_n + ow) * c.cout + co;
          if (c.int8_out) want_q[o] = quantize_ref(v, sy, zy);
          else want_f[o] = v;
        }
      }
    }
  }

  AlignedPlan plan(bytes.value());
  mint_model_t model = nullptr;
  ASSERT_EQ(mint_model_load_memory(plan.data(), plan.size(), nullptr, &model), mint_status_success)
      << mint_last_error();
  ModelPtr model_owner(model);
  for (const std::string& isa : available_isas()) {
    for (size_t threads : {size_t{1}, size_t{2}}) {
      SCOPED_TRACE("isa " + isa + ", threads " + std::to_string(threads));
      mint_session_options so;
      mint_session_options_init(&so);
      so.max_isa = isa.c_str();
      so.num_threads = threads;
      mint_session_t session = nullptr;
      ASSERT_EQ(mint_session_create(model, &so, &session), mint_status_success)
          << mint_last_error();
      SessionPtr session_owner(session);
      ASSERT_EQ(mint_session_set_input(session, 0, xq.data(), xq.size()), mint_status_success)
          << mint_last_error();
      ASSERT_EQ(mint_session_run(session), mint_status_success) << mint_last_error();
      size_t mismatches = 0;
      if (c.int8_out) {
        std::vector<int8_t> got(out_elems);
        ASSERT_EQ(mint_session_get_output(session, 0, got.data(), got.size()), mint_status_success)
            << mint_last_error();
        for (size_t i = 0; i < out_elems; ++i) {
          if (got[i] != want_q[i] && mismatches++ < 5) {
            ADD_FAILURE() << "element " << i << ": got " << int(got[i]) << ", want "
                          << int(want_q[i]);
          }
        }
      } else {
        std::vector<float> got(out_elems);
        ASSERT_EQ(mint_session_get_output(session, 0, got.data(), got.size() * 4),
                  mint_status_success)
            << mint_last_error();
        for (size_t i = 0; i < out_elems; ++i) {
          if (std::memcmp(&got[i], &want_f[i], 4) != 0 && mismatches++ < 5) {
            ADD_FAILURE() << "element " << i << ": got " << got[i] << ", want " << want_f[i];
          }
        }
      }
      EXPECT_EQ(mismatches, 0u);
    }
  }
}

// An int8 result without per-tensor quantization is rejected at load, naming the tensor.
TEST(Int8ConvPlan, RejectsInt8OutputWithoutQuantization) {
  for (bool transposed : {false, true}) {
    std::mt19937 rng(3);
    GraphBuilder b;
    const ValueId x = b.input("x", DType::f32, {1, 4, 4, 8});
    const ValueId w = b.constant_f32("w", {8, 3, 3, 8}, random_floats(rng, 8 * 9 * 8));
    ValueId y;
    if (transposed) {
      plan::TransposedConv2DOptionsT o;
      o.kernel_h = o.kernel_w = 3;
      y = b.transposed_conv2d(x, w, compiler::kInvalidValue, o, "conv");
    } else {
      plan::Conv2DOptionsT o;
      o.kernel_h = o.kernel_w = 3;
      y = b.conv2d(x, w, compiler::kInvalidValue, o, "conv");
    }
    b.output(y);
    auto graph = b.finish();
    ASSERT_TRUE(graph.is_ok()) << graph.status().message();
    compiler::Graph g = std::move(graph).value();
    QuantSpec qx;
    qx.kind = plan::QuantKind::per_tensor;
    qx.scales = {0.1f};
    qx.zero_points = {0};
    g.values[x].dtype = DType::i8;
    g.values[x].quant = qx;
    g.values[y].dtype = DType::i8;  // no quantization
    compiler::CompileOptions options;
    options.weights = compiler::WeightPrecision::kInt8;
    auto bytes = compiler::compile(std::move(g), options);
    ASSERT_TRUE(bytes.is_ok()) << bytes.status().message();
    AlignedPlan plan(bytes.value());
    mint_model_t model = nullptr;
    EXPECT_EQ(mint_model_load_memory(plan.data(), plan.size(), nullptr, &model),
              mint_status_invalid_plan);
    EXPECT_NE(std::string(mint_last_error()).find("needs per-tensor quantization"),
              std::string::npos)
        << mint_last_error();
    if (model) mint_model_free(model);
  }
}

std::string conv_case_name(const ::testing::TestParamInfo<size_t>& info) {
  return conv_cases()[info.param].name;
}

INSTANTIATE_TEST_SUITE_P(Ops, Int8Conv, ::testing::Range<size_t>(0, conv_cases().size()),
                         conv_case_name);

}  // namespace
}  // namespace mint
