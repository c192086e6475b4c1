#include "runtime/ops/conv_xnnpack.h"

#include <xnnpack.h>

#include <cmath>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <string>
#include <vector>

#include "kernels/gemm.h"
#include "runtime/ops/gemm_operator.h"
#include "runtime/ops/op_util.h"

namespace mint {
namespace {

constexpr size_t kMinTransposedPixels = 32;
constexpr size_t kMinTransposedChannels = 16;
constexpr size_t kThinInputChannels = 8;
constexpr size_t kMinIm2colElements = size_t{1} << 20;

bool xnnpack_ready() {
  static std::once_flag once;
  static bool ok = false;
  std::call_once(once, [] { ok = xnn_initialize(nullptr) == xnn_status_success; });
  return ok;
}

enum class Mode { kAuto, kOff, kOn };

Mode mode() {
  const char* env = std::getenv("MINT_XNNPACK");
  if (env == nullptr) return Mode::kAuto;
  if (std::strcmp(env, "off") == 0) return Mode::kOff;
  if (std::strcmp(env, "on") == 0) return Mode::kOn;
  return Mode::kAuto;
}

// Logical W [n][k] and bias [n] of gemm_f32 panels (kernels/gemm.h).
void unpack_f32_panels(const uint8_t* packed, size_t n, size_t k, std::vector<float>* w,
                       std::vector<float>* bias) {
  w->resize(n * k);
  bias->resize(n);
  const size_t panel_bytes = f32_gemm_panel_bytes(k);
  for (size_t j = 0; j < n; ++j) {
    const float* panel = reinterpret_cast<const float*>(packed + (j / kGemmNR) * panel_bytes);
    const size_t c = j % kGemmNR;
    (*bias)[j] = panel[c];
    for (size_t kk = 0; kk < k; ++kk) (*w)[j * k + kk] = panel[kGemmNR + kk * kGemmNR + c];
  }
}

class XnnConvNode final : public Node {
 public:
  XnnConvNode(xnn_operator_t op, bool transposed, const OpView& view, uint32_t adj_h,
              uint32_t adj_w)
      : op_(op), transposed_(transposed), x_(view.input_ids[0]), y_(view.output_ids[0]),
        adj_h_(adj_h), adj_w_(adj_w) {
    const Shape& x = view.inputs[0]->shape;
    batch_ = static_cast<size_t>(x[0]);
    h_ = static_cast<size_t>(x[1]);
    w_ = static_cast<size_t>(x[2]);
    // Multiply-adds: transposed, every input pixel times the whole [kh*kw*cout, cin] weight;
    // conv2d, every output pixel times kh*kw*cin/groups per output channel.
    const TensorDesc& wt = *view.inputs[1];
    const Shape& y = view.outputs[0]->shape;
    const size_t macs = transposed ? static_cast<size_t>(x.elements()) *
                                         static_cast<size_t>(wt.shape[0])
                                   : static_cast<size_t>(y.elements()) *
                                         static_cast<size_t>(wt.shape.elements() / wt.shape[0]);
    single_thread_ = macs < kMinParallelGemmMacs;  // as the GEMMs (gemm_operator.h)
  }
  ~XnnConvNode() override { xnn_delete_operator(op_); }

  Status run(const ExecContext& ctx) const override {
    const float* x = data_as<const float>(ctx, x_);
    float* y = data_as<float>(ctx, y_);
    pthreadpool_t pool = single_thread_ ? nullptr : ctx.pool;
    if (x != set_x_ || y != set_y_ || pool != set_pool_ || !set_up_) {
      const xnn_status st =
          transposed_ ? xnn_setup_deconvolution2d_nhwc_f32(op_, batch_, h_, w_, adj_h_, adj_w_, x,
                                                           y, pool)
                      : xnn_setup_convolution2d_nhwc_f32(op_, batch_, h_, w_, x, y, pool);
      if (st != xnn_status_success) {
        return Status::internal("XNNPACK setup failed (status " + std::to_string(int(st)) + ")");
      }
      set_x_ = x, set_y_ = y, set_pool_ = pool, set_up_ = true;
    }
    if (xnn_run_operator(op_, pool) != xnn_status_success) {
      return Status::internal("XNNPACK run failed");
    }
    return Status::ok();
  }
  std::string kernel_name() const override {
    return transposed_ ? "xnnpack_deconvolution2d_nhwc_f32" : "xnnpack_convolution2d_nhwc_f32";
  }

 private:
  xnn_operator_t op_;
  bool transposed_;
  int32_t x_, y_;
  uint32_t adj_h_, adj_w_;
  size_t batch_ = 0, h_ = 0, w_ = 0;
  bool single_thread_ = false;
  // The pointers the operator was last set up with (a session runs on one thread at a time).
  mutable const float* set_x_ = nullptr;
  mutable float* set_y_ = nullptr;
  mutable pthreadpool_t set_pool_ = nullptr;
  mutable bool set_up_ = false;
};

}  // namespace

Result<std::unique_ptr<Node>> maybe_xnnpack_conv(const OpView& op, const PrepareContext&,
                                                 bool transposed) {
  const Mode m = mode();
  if (m == Mode::kOff) return std::unique_ptr<Node>();
  const TensorDesc& x = *op.inputs[0];
  const TensorDesc& w = *op.inputs[1];
  const TensorDesc& y = *op.outputs[0];
  if (x.dtype != DType::f32 || y.dtype != DType::f32 || w.dtype != DType::f32) {
    return std::unique_ptr<Node>();
  }
  const size_t cin = static_cast<size_t>(x.shape[3]), cout = static_cast<size_t>(y.shape[3]);
  std::vector<float> weights, bias;
  xnn_operator_t xop = nullptr;
  uint32_t adj_h = 0, adj_w = 0;
  if (!transposed) {
    const auto* o = op.op->options_as_Conv2DOptions();
    const bool pointwise = o->kernel_h() == 1 && o->kernel_w() == 1 && o->stride_h() == 1 &&
                           o->stride_w() == 1 && o->pad_top() == 0 && o->pad_left() == 0 &&
                           o->pad_bottom() == 0 && o->pad_right() == 0 && o->groups() == 1;
    const size_t groups = static_cast<size_t>(o->groups());
    if (m == Mode::kAuto) {
      const size_t im2col = static_cast<size_t>(y.shape[0] * y.shape[1] * y.shape[2]) *
                            static_cast<size_t>(o->kernel_h() * o->kernel_w()) * cin;
      const bool faster =
          groups > 1 || (!pointwise && (cin < kThinInputChannels || im2col >= kMinIm2colElements));
      if (!faster) return std::unique_ptr<Node>();
    }
    if (w.layout == plan::Layout::gemm_f32) {
      unpack_f32_panels(w.data, cout, static_cast<size_t>(w.shape[1]), &weights, &bias);
    } else if (w.layout == plan::Layout::plain) {
      weights.assign(reinterpret_cast<const float*>(w.data),
                     reinterpret_cast<const float*>(w.data) + w.shape.elements());
      bias.assign(cout, 0.0f);
      if (op.inputs.size() > 2 && op.inputs[2] != nullptr) {
        const float* b = reinterpret_cast<const float*>(op.inputs[2]->data);
        bias.assign(b, b + cout);
      }
    } else {
      return std::unique_ptr<Node>();
    }
    if (!xnnpack_ready()) return std::unique_ptr<Node>();
    const F32MinMaxParams clamp = activation_clamp(o->activation());
    const xnn_status st = xnn_create_convolution2d_nhwc_f32(
        o->pad_top(), o->pad_right(), o->pad_bottom(), o->pad_left(), o->kernel_h(), o->kernel_w(),
        o->stride_h(), o->stride_w(), o->dilation_h(), o->dilation_w(), o->groups(),
        cin / groups, cout / groups, cin, cout, weights.data(), bias.data(), clamp.min, clamp.max,
        0, &xop);
    if (st != xnn_status_success) return std::unique_ptr<Node>();  // stays on mint's kernels
  } else {
    const auto* o = op.op->options_as_TransposedConv2DOptions();
    if (w.layout != plan::Layout::gemm_f32) return std::unique_ptr<Node>();
    if (m == Mode::kAuto &&
        (static_cast<size_t>(x.shape[1] * x.shape[2]) < kMinTransposedPixels ||
         cout < kMinTransposedChannels)) {
      return std::unique_ptr<Node>();
    }
    const size_t kh = static_cast<size_t>(o->kernel_h()), kw = static_cast<size_t>(o->kernel_w());
    std::vector<float> rows, zero_bias;
    unpack_f32_panels(w.data, kh * kw * cout, cin, &rows, &zero_bias);
    // rows[(t * cout + co)][c] -> weights[co][t][c]
    weights.resize(rows.size());
    for (size_t t = 0; t < kh * kw; ++t) {
      for (size_t co = 0; co < cout; ++co) {
        std::memcpy(&weights[(co * kh * kw + t) * cin], &rows[(t * cout + co) * cin],
                    cin * sizeof(float));
      }
    }
    bias.assign(cout, 0.0f);
    if (op.inputs.size() > 2 && op.inputs[2] != nullptr) {
      const float* b = reinterpret_cast<const float*>(op.inputs[2]->data);
      bias.assign(b, b + cout);
    }
    if (!xnnpack_ready()) return std::unique_ptr<Node>();
    const F32MinMaxParams clamp = activation_clamp(o->activation());
    adj_h = static_cast<uint32_t>(o->output_pad_h());
    adj_w = static_cast<uint32_t>(o->output_pad_w());
    const xnn_status st = xnn_create_deconvolution2d_nhwc_f32(
        o->pad_top(), o->pad_right(), o->pad_bottom(), o->pad_left(), o->kernel_h(), o->kernel_w(),
        o->stride_h(), o->stride_w(), o->dilation_h(), o->dilation_w(), 1, cin, cout, cin, cout,
        weights.data(), bias.data(), clamp.min, clamp.max, 0, &xop);
    if (st != xnn_status_success) return std::unique_ptr<Node>();
  }
  return std::unique_ptr<Node>(new XnnConvNode(xop, transposed, op, adj_h, adj_w));
}

}  // namespace mint
