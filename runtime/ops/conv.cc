// conv2d, NHWC: y [n, oh, ow, cout] = act(conv(x [n, h, w, cin], W) + bias).
//
// Two forms of weights (both produced by compiler/prepack_conv.cc):
//   packed, groups == 1: W is a constant gemm_f32 (dtype f32) or gemm_f16 (dtype f16) tensor of
//     logical shape [cout, kh*kw*cin] (W [cout, kh, kw, cin] flattened) with the bias inside the
//     packing; input 2 is absent. Run: im2col of a block of output pixels into scratch (none
//     for 1x1, stride 1, no padding), then the threaded GEMM (runtime/ops/gemm_operator.h).
//   plain, any groups (depthwise and grouped convolutions): W is a constant f32 tensor
//     [cout, kh, kw, cin/groups], bias an optional f32 [cout] (input 2). Run: a direct loop per
//     output row (kernels/conv.h), rows in parallel.
//   packed int8, groups == 1: W is a constant gemm_qs8 (dtype i8, per-channel symmetric) tensor
//     [cout, kh*kw*cin] with the int32 bias (static quantization) inside; x is i8 per-tensor;
//     y is i8 per-tensor (requantized) or f32 (dequantized). Run: int8 im2col (padding holds the
//     input's zero point) into scratch with rows padded to a multiple of 4 bytes (none for
//     1x1, stride 1, no padding, cin % 4 == 0), then the threaded qs8 GEMM.
// The activation (none, relu, relu6) is a clamp fused into the kernels.
// f32 convolutions of the shapes where XNNPACK is faster run on XNNPACK instead
// (runtime/ops/conv_xnnpack.h).
#include "kernels/conv.h"

#include <algorithm>

#include "kernels/registry.h"
#include "runtime/ops/conv_xnnpack.h"
#include "runtime/ops/depthwise.h"
#include "runtime/ops/gemm_operator.h"
#include "runtime/ops/op_util.h"
#include "runtime/ops/shapes.h"

namespace mint {
namespace {

constexpr size_t kIm2colBudget = 4 << 20;  // bytes of im2col scratch per block of rows
constexpr size_t kMinIm2colRows = 64;

Status validate_conv2d(const OpView& op) {
  MINT_RETURN_IF_ERROR(expect_io_counts(op, 2, 3, 1));
  MINT_RETURN_IF_ERROR(expect_present(op, 0));
  MINT_RETURN_IF_ERROR(expect_constant(op, 1));
  Status st;
  const auto* o = options_as<plan::Conv2DOptions>(op, &st);
  if (!o) return st;
  MINT_RETURN_IF_ERROR(expect_activation(o->activation()));
  const Conv2DParams p = conv2d_params(*o);
  MINT_RETURN_IF_ERROR(check_conv2d_params(p, false));
  const TensorDesc& x = *op.inputs[0];
  const TensorDesc& w = *op.inputs[1];
  const TensorDesc* bias = op.inputs.size() > 2 ? op.inputs[2] : nullptr;
  const bool qs8 = w.layout == plan::Layout::gemm_qs8;
  if (qs8) {
    MINT_RETURN_IF_ERROR(expect_static_qs8_io(op));
  } else {
    MINT_RETURN_IF_ERROR(expect_plain(x, "input", 0, DType::f32));
  }
  if (x.shape.rank != 4) {
    return Status::invalid_plan(tensor_ref("input", 0, x) + " has shape " + x.shape.to_string() +
                                ", want rank 4 (NHWC)");
  }
  const int64_t cin = x.shape[3];
  int64_t cout = 0;
  if (w.layout == plan::Layout::plain) {
    MINT_RETURN_IF_ERROR(expect_dtype(w, "input", 1, DType::f32));
    if (w.shape.rank != 4 || w.shape[1] != p.kernel_h || w.shape[2] != p.kernel_w ||
        cin % p.groups != 0 || w.shape[3] != cin / p.groups) {
      return Status::invalid_plan(tensor_ref("input", 1, w) + " has shape " + w.shape.to_string() +
                                  ", want [cout, " + std::to_string(p.kernel_h) + ", " +
                                  std::to_string(p.kernel_w) + ", " +
                                  (cin % p.groups ? "cin/groups" : std::to_string(cin / p.groups)) +
                                  "] (groups " + std::to_string(p.groups) + ")");
    }
    cout = w.shape[0];
    if (bias) {
      MINT_RETURN_IF_ERROR(expect_plain(*bias, "input", 2, DType::f32));
      Shape want;
      want.rank = 1;
      want[0] = cout;
      MINT_RETURN_IF_ERROR(expect_same_shape(*bias, "input", 2, want));
    }
  } else {
    if (p.groups != 1) {
      return Status::invalid_plan(tensor_ref("input", 1, w) + " is packed (" +
                                  layout_name(w.layout) + "), which needs groups 1, got " +
                                  std::to_string(p.groups));
    }
    size_t panel_bytes = 0;
    if (w.layout == plan::Layout::gemm_f32) {
      MINT_RETURN_IF_ERROR(expect_dtype(w, "input", 1, DType::f32));
    } else if (w.layout == plan::Layout::gemm_f16) {
      MINT_RETURN_IF_ERROR(expect_dtype(w, "input", 1, DType::f16));
    } else if (qs8) {
      MINT_RETURN_IF_ERROR(expect_dtype(w, "input", 1, DType::i8));
    } else {
      return Status::invalid_plan(tensor_ref("input", 1, w) + " has layout " +
                                  layout_name(w.layout) +
                                  ", want plain, gemm_f32, gemm_f16 or gemm_qs8");
    }
    int64_t k = 0;
    if (__builtin_mul_overflow(p.kernel_h * p.kernel_w, cin, &k)) {  // kernel_h * kernel_w < 2^62
      return Status::invalid_plan("kernel_h * kernel_w * cin overflows");
    }
    if (w.shape.rank != 2 || w.shape[1] != k || w.shape[0] < 1) {
      return Status::invalid_plan(tensor_ref("input", 1, w) + " has shape " + w.shape.to_string() +
                                  ", want [cout, " + std::to_string(k) + "] (kh*kw*cin)");
    }
    cout = w.shape[0];
    panel_bytes = w.layout == plan::Layout::gemm_f32
                      ? f32_gemm_panel_bytes(static_cast<size_t>(k))
                  : qs8 ? qs8_gemm_panel_bytes(static_cast<size_t>(k))
                        : f16w_gemm_panel_bytes(static_cast<size_t>(k));
    const size_t want_bytes = gemm_panel_count(static_cast<size_t>(cout)) * panel_bytes;
    if (w.byte_size != want_bytes) {
      return Status::invalid_plan(
          tensor_ref("input", 1, w) + " has " + std::to_string(w.byte_size) + " bytes, want " +
          std::to_string(want_bytes) + " for packed " + w.shape.to_string());
    }
    if (bias) {
      return Status::invalid_plan(tensor_ref("input", 2, *bias) +
                                  " must be absent: packed weights carry the bias");
    }
  }
  Result<Shape> out = conv2d_output_shape(x.shape, cout, p);
  if (!out.is_ok()) return about("input", 0, x, out.status());
  if (!qs8) MINT_RETURN_IF_ERROR(expect_plain(*op.outputs[0], "output", 0, DType::f32));
  MINT_RETURN_IF_ERROR(expect_output_shape(op, out.value()));
  return expect_disjoint(op, false);
}

Conv2DGeometry conv_geometry(const OpView& op, const plan::Conv2DOptions& o) {
  return nhwc_conv_geometry(op, o, static_cast<size_t>(o.groups()));
}

// groups == 1, packed weights: (im2col +) GEMM.
class GemmConvNode final : public Node {
 public:
  GemmConvNode(const OpView& op, GemmSelection<F32GemmFn> kernels, size_t panel_bytes,
               F32Im2ColFn im2col)
      : kernels_(kernels),
        im2col_(im2col),
        panel_bytes_(panel_bytes),
        x_(op.input_ids[0]),
        w_(op.input_ids[1]),
        y_(op.output_ids[0]) {
    const auto* o = op.op->options_as_Conv2DOptions();
    g_ = conv_geometry(op, *o);
    clamp_ = activation_clamp(o->activation());
    rows_ = g_.batch * g_.out_h * g_.out_w;
    k_ = g_.kernel_h * g_.kernel_w * g_.in_c;
    direct_ = g_.kernel_h == 1 && g_.kernel_w == 1 && g_.stride_h == 1 && g_.stride_w == 1 &&
              o->pad_top() == 0 && o->pad_left() == 0 && o->pad_bottom() == 0 &&
              o->pad_right() == 0;
    if (!direct_) {
      chunk_rows_ = std::max(kMinIm2colRows, kIm2colBudget / (k_ * sizeof(float)));
      chunk_rows_ = std::min(chunk_rows_, rows_);
    }
  }

  size_t scratch_bytes() const override { return round_up(chunk_rows_ * k_ * sizeof(float), 64); }

  Status run(const ExecContext& ctx) const override {
    if (rows_ == 0) return Status::ok();
    const float* x = data_as<const float>(ctx, x_);
    const uint8_t* w = ctx.tensor_data[w_];
    float* y = data_as<float>(ctx, y_);
    const size_t n = g_.out_c;
    if (direct_) {
      run_f32_gemm(ctx.pool, kernels_, rows_, n, k_, x, k_, w, panel_bytes_, y, n, clamp_);
      return Status::ok();
    }
    float* cols = reinterpret_cast<float*>(ctx.scratch);
    for (size_t r0 = 0; r0 < rows_; r0 += chunk_rows_) {
      const size_t rows = std::min(chunk_rows_, rows_ - r0);
      parallel_tiles(ctx.pool, rows, 16, rows * k_, [&](size_t start, size_t count) {
        im2col_(&g_, r0 + start, count, x, cols + start * k_);
      });
      run_f32_gemm(ctx.pool, kernels_, rows, n, k_, cols, k_, w, panel_bytes_, y + r0 * n, n,
                   clamp_);
    }
    return Status::ok();
  }
  std::string kernel_name() const override {
    return (rows_ == 1 ? kernels_.gemv : kernels_.gemm)->name;
  }

 private:
  GemmSelection<F32GemmFn> kernels_;
  F32Im2ColFn im2col_;
  size_t panel_bytes_;
  int32_t x_, w_, y_;
  Conv2DGeometry g_{};
  F32MinMaxParams clamp_{};
  size_t rows_ = 0, k_ = 0, chunk_rows_ = 0;
  bool direct_ = false;
};

// groups == 1, packed int8 weights, static int8 activations: (int8 im2col +) qs8 GEMM.
class Qs8GemmConvNode final : public Node {
 public:
  Qs8GemmConvNode(const OpView& op, GemmSelection<Qs8GemmFn> kernels, Qs8Im2ColFn im2col)
      : kernels_(kernels), im2col_(im2col), x_(op.input_ids[0]), w_(op.input_ids[1]),
        y_(op.output_ids[0]) {
    const auto* o = op.op->options_as_Conv2DOptions();
    g_ = conv_geometry(op, *o);
    const TensorDesc& x = *op.inputs[0];
    x_quant_ = {x.quant.zero_point(), x.quant.scale()};
    params_ = static_qs8_params(*op.outputs[0], o->activation());
    out_elem_ = params_.output == Qs8Output::kQs8 ? 1 : sizeof(float);
    rows_ = g_.batch * g_.out_h * g_.out_w;
    k_ = g_.kernel_h * g_.kernel_w * g_.in_c;
    col_stride_ = round_up(k_, kQs8KR);
    direct_ = g_.kernel_h == 1 && g_.kernel_w == 1 && g_.stride_h == 1 && g_.stride_w == 1 &&
              o->pad_top() == 0 && o->pad_left() == 0 && o->pad_bottom() == 0 &&
              o->pad_right() == 0 && col_stride_ == k_;
    if (!direct_) {
      chunk_rows_ = std::max(kMinIm2colRows, kIm2colBudget / col_stride_);
      chunk_rows_ = std::min(chunk_rows_, rows_);
    }
  }

  size_t scratch_bytes() const override { return round_up(chunk_rows_ * col_stride_, 64); }

  Status run(const ExecContext& ctx) const override {
    if (rows_ == 0) return Status::ok();
    const int8_t* x = data_as<const int8_t>(ctx, x_);
    const uint8_t* w = ctx.tensor_data[w_];
    uint8_t* y = ctx.tensor_data[y_];
    const size_t n = g_.out_c;
    Qs8GemmParams params = params_;
    params.a_quant = &x_quant_;
    if (direct_) {
      run_qs8_gemm(ctx.pool, kernels_, rows_, n, k_, x, k_, w, y, n * out_elem_, params);
      return Status::ok();
    }
    int8_t* cols = reinterpret_cast<int8_t*>(ctx.scratch);
    const int8_t zp = static_cast<int8_t>(x_quant_.zero_point);
    for (size_t r0 = 0; r0 < rows_; r0 += chunk_rows_) {
      const size_t rows = std::min(chunk_rows_, rows_ - r0);
      parallel_tiles(ctx.pool, rows, 16, rows * k_, [&](size_t start, size_t count) {
        im2col_(&g_, r0 + start, count, x, zp, cols + start * col_stride_, col_stride_);
      });
      run_qs8_gemm(ctx.pool, kernels_, rows, n, k_, cols, col_stride_, w, y + r0 * n * out_elem_,
                   n * out_elem_, params);
    }
    return Status::ok();
  }
  std::string kernel_name() const override {
    return (rows_ == 1 ? kernels_.gemv : kernels_.gemm)->name;
  }

 private:
  GemmSelection<Qs8GemmFn> kernels_;
  Qs8Im2ColFn im2col_;
  int32_t x_, w_, y_;
  Conv2DGeometry g_{};
  Qs8RowQuant x_quant_{0, 1.0f};
  Qs8GemmParams params_{};
  size_t out_elem_ = 1, rows_ = 0, k_ = 0, col_stride_ = 0, chunk_rows_ = 0;
  bool direct_ = false;
};

// Plain weights (grouped / depthwise): direct loop, output rows in parallel.
class DirectConvNode final : public Node {
 public:
  DirectConvNode(const OpView& op, F32ConvDirectRowFn fn)
      : fn_(fn),
        x_(op.input_ids[0]),
        w_(op.input_ids[1]),
        bias_(op.input_ids.size() > 2 ? op.input_ids[2] : -1),
        y_(op.output_ids[0]) {
    const auto* o = op.op->options_as_Conv2DOptions();
    g_ = conv_geometry(op, *o);
    clamp_ = activation_clamp(o->activation());
  }

  Status run(const ExecContext& ctx) const override {
    const float* x = data_as<const float>(ctx, x_);
    const float* w = data_as<const float>(ctx, w_);
    const float* bias = bias_ >= 0 ? data_as<const float>(ctx, bias_) : nullptr;
    float* y = data_as<float>(ctx, y_);
    const size_t rows = g_.batch * g_.out_h;
    const size_t row_elems = g_.out_w * g_.out_c;
    const size_t work = rows * row_elems * g_.kernel_h * g_.kernel_w * (g_.in_c / g_.groups);
    parallel_tiles(ctx.pool, rows, 1, work, [&](size_t start, size_t count) {
      for (size_t r = start; r < start + count; ++r) {
        fn_(&g_, r / g_.out_h, r % g_.out_h, x, w, bias, y + r * row_elems, &clamp_);
      }
    });
    return Status::ok();
  }
  std::string kernel_name() const override { return "f32_conv2d_direct_row_scalar"; }

 private:
  F32ConvDirectRowFn fn_;
  int32_t x_, w_, bias_, y_;
  Conv2DGeometry g_{};
  F32MinMaxParams clamp_{};
};

Result<std::unique_ptr<Node>> prepare_conv2d(const OpView& op, const PrepareContext& ctx) {
  MINT_ASSIGN_OR_RETURN(std::unique_ptr<Node> xnnpack, maybe_xnnpack_conv(op, ctx, false));
  if (xnnpack) return xnnpack;
  const TensorDesc& w = *op.inputs[1];
  const size_t k = static_cast<size_t>(w.shape[w.shape.rank - 1]);
  switch (w.layout) {
    case plan::Layout::gemm_f32:
      return std::unique_ptr<Node>(new GemmConvNode(op, select_f32_gemm(ctx.isa),
                                                    f32_gemm_panel_bytes(k), f32_im2col_scalar));
    case plan::Layout::gemm_f16:
      return std::unique_ptr<Node>(new GemmConvNode(op, select_f16w_gemm(ctx.isa),
                                                    f16w_gemm_panel_bytes(k), f32_im2col_scalar));
    case plan::Layout::gemm_qs8:
      return std::unique_ptr<Node>(
          new Qs8GemmConvNode(op, select_qs8_gemm(ctx.isa), qs8_im2col_scalar));
    default:
      if (is_depthwise_conv2d(op)) return prepare_depthwise_conv2d(op, ctx);
      return std::unique_ptr<Node>(new DirectConvNode(op, f32_conv2d_direct_row_scalar));
  }
}

}  // namespace

extern const OpDefinition kConv2DOp{plan::OpCode::conv2d, "conv2d", validate_conv2d,
                                    prepare_conv2d};

}  // namespace mint
