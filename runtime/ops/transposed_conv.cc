// transposed_conv2d (ONNX ConvTranspose semantics, groups 1), NHWC:
//   x [n, h, w, cin] -> y [n, oh, ow, cout],
//   oh = (h - 1) * stride_h - pad_top - pad_bottom + dilation_h * (kh - 1) + output_pad_h + 1.
// Weights: a constant gemm_f32 (dtype f32) or gemm_f16 (dtype f16) tensor of logical shape
// [kh*kw*cout, cin], row (kh_i * kw + kw_i) * cout + co, no bias in the packing (produced by
// compiler/prepack_conv.cc from W [cout, kh, kw, cin]); bias: optional plain f32 [cout]
// (input 2).
//
// Run, per block of whole images: one GEMM cols [imgs*h*w, kh*kw*cout] = x W^T into scratch,
// then col2im (kernels/conv.h, gather form) adds the columns into each output row, with bias
// and the activation clamp; output rows run in parallel. Scratch holds at least one image's
// columns (h * w * kh * kw * cout floats).
//
// Int8 (static): W is gemm_qs8 (dtype i8, per-channel symmetric, bias_q and bias_f 0), x i8
// per-tensor, y i8 per-tensor or f32. The GEMM runs on the qs8 kernels and dequantizes into the
// f32 columns (exact int32 accumulation, one float multiply); col2im sums them in f32 with the
// bias and clamp, and for an i8 output quantizes each sum once (qs8_col2im_row_scalar). Input
// rows are copied into scratch padded to a multiple of 4 bytes when cin % 4 != 0. Under
// kMinParallelQs8TransposedMacs the whole op runs on the calling thread.
//
// f32 transposed convolutions with large enough inputs run on XNNPACK instead
// (runtime/ops/conv_xnnpack.h). col2im runs the best ISA variant of kernels/conv.h
// (select_col2im), bit-identical to the scalar reference.
#include <algorithm>

#include "kernels/conv.h"
#include "kernels/registry.h"
#include "runtime/ops/conv_xnnpack.h"
#include "runtime/ops/gemm_operator.h"
#include "runtime/ops/op_util.h"
#include "runtime/ops/shapes.h"

namespace mint {
namespace {

constexpr size_t kColsBudget = 4 << 20;  // bytes of column scratch, at least one image
// Int8 transposed convolutions whose GEMM (all images) has fewer multiply-adds run entirely on
// the calling thread, GEMM and col2im: the qs8 kernels do several times the multiply-adds per
// cycle of the f32 ones (kMinParallelGemmMacs), and `mint bench --profile` of the VAE decoder's
// 1.6 M-MAC layer measured no gain from a second thread.
constexpr size_t kMinParallelQs8TransposedMacs = size_t{1} << 21;

Status validate_transposed_conv2d(const OpView& op) {
  MINT_RETURN_IF_ERROR(expect_io_counts(op, 2, 3, 1));
  MINT_RETURN_IF_ERROR(expect_present(op, 0));
  MINT_RETURN_IF_ERROR(expect_constant(op, 1));
  Status st;
  const auto* o = options_as<plan::TransposedConv2DOptions>(op, &st);
  if (!o) return st;
  MINT_RETURN_IF_ERROR(expect_activation(o->activation()));
  const Conv2DParams p = conv2d_params(*o);
  MINT_RETURN_IF_ERROR(check_conv2d_params(p, true));
  const TensorDesc& x = *op.inputs[0];
  const TensorDesc& w = *op.inputs[1];
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
  size_t panel_bytes = 0;
  if (w.layout == plan::Layout::gemm_f32) {
    MINT_RETURN_IF_ERROR(expect_dtype(w, "input", 1, DType::f32));
  } else if (w.layout == plan::Layout::gemm_f16) {
    MINT_RETURN_IF_ERROR(expect_dtype(w, "input", 1, DType::f16));
  } else if (qs8) {
    MINT_RETURN_IF_ERROR(expect_dtype(w, "input", 1, DType::i8));
  } else {
    return Status::invalid_plan(tensor_ref("input", 1, w) + " has layout " + layout_name(w.layout) +
                                ", want gemm_f32, gemm_f16 or gemm_qs8");
  }
  const int64_t taps = p.kernel_h * p.kernel_w;  // each < 2^31
  if (w.shape.rank != 2 || w.shape[1] != x.shape[3] || w.shape[0] < 1 || w.shape[0] % taps != 0) {
    return Status::invalid_plan(tensor_ref("input", 1, w) + " has shape " + w.shape.to_string() +
                                ", want [" + std::to_string(p.kernel_h) + "*" +
                                std::to_string(p.kernel_w) + "*cout, " +
                                std::to_string(x.shape[3]) + "] (kh*kw*cout, cin)");
  }
  const int64_t cout = w.shape[0] / taps;
  const size_t k = static_cast<size_t>(w.shape[1]);
  panel_bytes = w.layout == plan::Layout::gemm_f32 ? f32_gemm_panel_bytes(k)
                : qs8                               ? qs8_gemm_panel_bytes(k)
                                                    : f16w_gemm_panel_bytes(k);
  const size_t want_bytes = gemm_panel_count(static_cast<size_t>(w.shape[0])) * panel_bytes;
  if (w.byte_size != want_bytes) {
    return Status::invalid_plan(tensor_ref("input", 1, w) + " has " + std::to_string(w.byte_size) +
                                " bytes, want " + std::to_string(want_bytes) + " for packed " +
                                w.shape.to_string());
  }
  if (op.inputs.size() > 2 && op.inputs[2] != nullptr) {
    const TensorDesc& bias = *op.inputs[2];
    MINT_RETURN_IF_ERROR(expect_plain(bias, "input", 2, DType::f32));
    Shape want;
    want.rank = 1;
    want[0] = cout;
    MINT_RETURN_IF_ERROR(expect_same_shape(bias, "input", 2, want));
  }
  Result<Shape> out = transposed_conv2d_output_shape(x.shape, cout, p);
  if (!out.is_ok()) return about("input", 0, x, out.status());
  if (!qs8) MINT_RETURN_IF_ERROR(expect_plain(*op.outputs[0], "output", 0, DType::f32));
  MINT_RETURN_IF_ERROR(expect_output_shape(op, out.value()));
  return expect_disjoint(op, false);
}

Conv2DGeometry transposed_geometry(const OpView& op, const plan::TransposedConv2DOptions& o) {
  return nhwc_conv_geometry(op, o, 1);
}

class TransposedConvNode final : public Node {
 public:
  TransposedConvNode(const OpView& op, GemmSelection<F32GemmFn> kernels, size_t panel_bytes,
                     const Col2ImKernel* col2im)
      : kernels_(kernels),
        col2im_(col2im->f32),
        col2im_name_(std::string("col2im_") + col2im->name),
        panel_bytes_(panel_bytes),
        x_(op.input_ids[0]),
        w_(op.input_ids[1]),
        bias_(op.input_ids.size() > 2 ? op.input_ids[2] : -1),
        y_(op.output_ids[0]) {
    const auto* o = op.op->options_as_TransposedConv2DOptions();
    g_ = transposed_geometry(op, *o);
    clamp_ = activation_clamp(o->activation());
    n_ = g_.kernel_h * g_.kernel_w * g_.out_c;
    pixels_ = g_.in_h * g_.in_w;
    const size_t image_bytes = pixels_ * n_ * sizeof(float);
    images_per_chunk_ =
        std::min(g_.batch, std::max<size_t>(1, kColsBudget / std::max<size_t>(1, image_bytes)));
  }

  size_t scratch_bytes() const override {
    return round_up(images_per_chunk_ * pixels_ * n_ * sizeof(float), 64);
  }

  Status run(const ExecContext& ctx) const override {
    const float* x = data_as<const float>(ctx, x_);
    const uint8_t* w = ctx.tensor_data[w_];
    const float* bias = bias_ >= 0 ? data_as<const float>(ctx, bias_) : nullptr;
    float* y = data_as<float>(ctx, y_);
    float* cols = reinterpret_cast<float*>(ctx.scratch);
    const F32MinMaxParams none{-INFINITY, INFINITY};
    const size_t out_row = g_.out_w * g_.out_c;
    for (size_t b0 = 0; b0 < g_.batch; b0 += images_per_chunk_) {
      const size_t images = std::min(images_per_chunk_, g_.batch - b0);
      run_f32_gemm(ctx.pool, kernels_, images * pixels_, n_, g_.in_c, x + b0 * pixels_ * g_.in_c,
                   g_.in_c, w, panel_bytes_, cols, n_, none);
      const size_t rows = images * g_.out_h;
      parallel_tiles(ctx.pool, rows, 1, rows * out_row * 4, [&](size_t start, size_t count) {
        for (size_t r = start; r < start + count; ++r) {
          const size_t img = r / g_.out_h, oh = r % g_.out_h;
          col2im_(&g_, oh, cols + img * pixels_ * n_, bias,
                  y + ((b0 + img) * g_.out_h + oh) * out_row, &clamp_);
        }
      });
    }
    return Status::ok();
  }
  std::string kernel_name() const override {
    return std::string(kernels_.gemm->name) + " + " + col2im_name_;
  }

 private:
  GemmSelection<F32GemmFn> kernels_;
  F32Col2ImRowFn col2im_;
  std::string col2im_name_;
  size_t panel_bytes_;
  int32_t x_, w_, bias_, y_;
  Conv2DGeometry g_{};
  F32MinMaxParams clamp_{};
  size_t n_ = 0, pixels_ = 0, images_per_chunk_ = 1;
};

// Static int8: qs8 GEMM dequantizing into f32 columns, then col2im (to f32 or, quantizing, i8).
class Qs8TransposedConvNode final : public Node {
 public:
  Qs8TransposedConvNode(const OpView& op, GemmSelection<Qs8GemmFn> kernels,
                        const Col2ImKernel* col2im)
      : kernels_(kernels), col2im_(col2im), x_(op.input_ids[0]), w_(op.input_ids[1]),
        bias_(op.input_ids.size() > 2 ? op.input_ids[2] : -1), y_(op.output_ids[0]) {
    const auto* o = op.op->options_as_TransposedConv2DOptions();
    g_ = transposed_geometry(op, *o);
    clamp_ = activation_clamp(o->activation());
    const TensorDesc& x = *op.inputs[0];
    const TensorDesc& y = *op.outputs[0];
    x_quant_ = {x.quant.zero_point(), x.quant.scale()};
    params_.a_quant_stride = 0;
    params_.output = Qs8Output::kF32;
    params_.f32_min = -INFINITY;
    params_.f32_max = INFINITY;
    qs8_out_ = y.dtype == DType::i8;
    if (qs8_out_) {
      out_scale_ = y.quant.scale();
      out_zero_point_ = y.quant.zero_point();
    }
    n_ = g_.kernel_h * g_.kernel_w * g_.out_c;
    pixels_ = g_.in_h * g_.in_w;
    k_stride_ = round_up(g_.in_c, kQs8KR);
    copy_rows_ = k_stride_ != g_.in_c;
    const size_t image_bytes = pixels_ * (n_ * sizeof(float) + (copy_rows_ ? k_stride_ : 0));
    images_per_chunk_ =
        std::min(g_.batch, std::max<size_t>(1, kColsBudget / std::max<size_t>(1, image_bytes)));
    serial_ = g_.batch * pixels_ * n_ * g_.in_c < kMinParallelQs8TransposedMacs;
  }

  size_t cols_bytes() const { return round_up(images_per_chunk_ * pixels_ * n_ * sizeof(float), 64); }
  // f32 sums of the output rows of a chunk, before quantization (int8 output only).
  size_t acc_bytes() const {
    return qs8_out_ ? round_up(images_per_chunk_ * g_.out_h * g_.out_w * g_.out_c * sizeof(float), 64)
                    : 0;
  }
  size_t scratch_bytes() const override {
    return cols_bytes() + acc_bytes() +
           (copy_rows_ ? round_up(images_per_chunk_ * pixels_ * k_stride_, 64) : 0);
  }

  Status run(const ExecContext& ctx) const override {
    const int8_t* x = data_as<const int8_t>(ctx, x_);
    const uint8_t* w = ctx.tensor_data[w_];
    const float* bias = bias_ >= 0 ? data_as<const float>(ctx, bias_) : nullptr;
    float* cols = reinterpret_cast<float*>(ctx.scratch);
    float* acc = reinterpret_cast<float*>(ctx.scratch + cols_bytes());
    int8_t* rows_copy = reinterpret_cast<int8_t*>(ctx.scratch + cols_bytes() + acc_bytes());
    Qs8GemmParams params = params_;
    params.a_quant = &x_quant_;
    pthreadpool_t pool = serial_ ? nullptr : ctx.pool;
    const size_t out_row = g_.out_w * g_.out_c;
    for (size_t b0 = 0; b0 < g_.batch; b0 += images_per_chunk_) {
      const size_t images = std::min(images_per_chunk_, g_.batch - b0);
      const size_t m = images * pixels_;
      const int8_t* a = x + b0 * pixels_ * g_.in_c;
      if (copy_rows_) {
        for (size_t i = 0; i < m; ++i) {
          std::copy(a + i * g_.in_c, a + (i + 1) * g_.in_c, rows_copy + i * k_stride_);
          std::fill(rows_copy + i * k_stride_ + g_.in_c, rows_copy + (i + 1) * k_stride_,
                    int8_t{0});
        }
        a = rows_copy;
      }
      run_qs8_gemm(pool, kernels_, m, n_, g_.in_c, a, k_stride_, w, cols, n_ * sizeof(float),
                   params);
      const size_t rows = images * g_.out_h;
      parallel_tiles(pool, rows, 1, rows * out_row * 4, [&](size_t start, size_t count) {
        for (size_t r = start; r < start + count; ++r) {
          const size_t img = r / g_.out_h, oh = r % g_.out_h;
          const size_t out_offset = ((b0 + img) * g_.out_h + oh) * out_row;
          const float* img_cols = cols + img * pixels_ * n_;
          if (qs8_out_) {
            col2im_->qs8(&g_, oh, img_cols, bias, acc + r * out_row,
                                  data_as<int8_t>(ctx, y_) + out_offset, &clamp_, out_scale_,
                                  out_zero_point_);
          } else {
            col2im_->f32(&g_, oh, img_cols, bias, data_as<float>(ctx, y_) + out_offset,
                                  &clamp_);
          }
        }
      });
    }
    return Status::ok();
  }
  std::string kernel_name() const override {
    return std::string((pixels_ * g_.batch == 1 ? kernels_.gemv : kernels_.gemm)->name) +
           " + col2im_" + col2im_->name;
  }

 private:
  GemmSelection<Qs8GemmFn> kernels_;
  const Col2ImKernel* col2im_;
  int32_t x_, w_, bias_, y_;
  Conv2DGeometry g_{};
  F32MinMaxParams clamp_{};
  Qs8RowQuant x_quant_{0, 1.0f};
  Qs8GemmParams params_{};
  bool qs8_out_ = false, copy_rows_ = false, serial_ = false;
  float out_scale_ = 1.0f;
  int32_t out_zero_point_ = 0;
  size_t n_ = 0, pixels_ = 0, k_stride_ = 0, images_per_chunk_ = 1;
};

Result<std::unique_ptr<Node>> prepare_transposed_conv2d(const OpView& op,
                                                        const PrepareContext& ctx) {
  MINT_ASSIGN_OR_RETURN(std::unique_ptr<Node> xnnpack, maybe_xnnpack_conv(op, ctx, true));
  if (xnnpack) return xnnpack;
  const TensorDesc& w = *op.inputs[1];
  const size_t k = static_cast<size_t>(w.shape[1]);
  if (w.layout == plan::Layout::gemm_qs8) {
    return std::unique_ptr<Node>(
        new Qs8TransposedConvNode(op, select_qs8_gemm(ctx.isa), select_col2im(ctx.isa)));
  }
  if (w.layout == plan::Layout::gemm_f16) {
    return std::unique_ptr<Node>(new TransposedConvNode(
        op, select_f16w_gemm(ctx.isa), f16w_gemm_panel_bytes(k), select_col2im(ctx.isa)));
  }
  return std::unique_ptr<Node>(new TransposedConvNode(
      op, select_f32_gemm(ctx.isa), f32_gemm_panel_bytes(k), select_col2im(ctx.isa)));
}

}  // namespace

extern const OpDefinition kTransposedConv2DOp{plan::OpCode::transposed_conv2d, "transposed_conv2d",
                                              validate_transposed_conv2d,
                                              prepare_transposed_conv2d};

}  // namespace mint
