// Depthwise conv2d on the kernels of kernels/dwconv.h (runtime/ops/depthwise.h).
#include "runtime/ops/depthwise.h"

#include <vector>

#include "kernels/dwconv.h"
#include "runtime/ops/op_util.h"

namespace mint {
namespace {

class DepthwiseConvNode final : public Node {
 public:
  DepthwiseConvNode(const OpView& op, const F32DwConvKernel* kernel, const float* weights)
      : kernel_(kernel),
        x_(op.input_ids[0]),
        bias_(op.input_ids.size() > 2 ? op.input_ids[2] : -1),
        y_(op.output_ids[0]) {
    const auto* o = op.op->options_as_Conv2DOptions();
    const Shape& x = op.inputs[0]->shape;
    const Shape& y = op.outputs[0]->shape;
    const auto u = [](int64_t v) { return static_cast<size_t>(v); };
    g_ = {u(x[0]), u(x[1]), u(x[2]), u(x[3]), u(y[1]), u(y[2]), u(y[3]),
          u(o->kernel_h()), u(o->kernel_w()), u(o->stride_h()), u(o->stride_w()),
          u(o->dilation_h()), u(o->dilation_w()), u(o->pad_top()), u(o->pad_left()),
          u(o->groups())};
    clamp_ = activation_clamp(o->activation());
    const size_t taps = g_.kernel_h * g_.kernel_w;
    packed_.resize(taps * g_.in_c);
    f32_dwconv_pack_scalar(g_.in_c, taps, weights, packed_.data());
  }

  Status run(const ExecContext& ctx) const override {
    const float* x = data_as<const float>(ctx, x_);
    const float* bias = bias_ >= 0 ? data_as<const float>(ctx, bias_) : nullptr;
    float* y = data_as<float>(ctx, y_);
    const size_t rows = g_.batch * g_.out_h;
    const size_t row_elems = g_.out_w * g_.out_c;
    const size_t work = rows * row_elems * g_.kernel_h * g_.kernel_w;
    parallel_tiles(ctx.pool, rows, 1, work, [&](size_t start, size_t count) {
      for (size_t r = start; r < start + count; ++r) {
        kernel_->fn(&g_, r / g_.out_h, r % g_.out_h, x, packed_.data(), bias, y + r * row_elems,
                    &clamp_);
      }
    });
    return Status::ok();
  }
  std::string kernel_name() const override { return kernel_->name; }

 private:
  const F32DwConvKernel* kernel_;
  int32_t x_, bias_, y_;
  Conv2DGeometry g_{};
  F32MinMaxParams clamp_{};
  std::vector<float> packed_;  // [kh * kw, C]
};

}  // namespace

bool is_depthwise_conv2d(const OpView& op) {
  const auto* o = op.op->options_as_Conv2DOptions();
  if (o == nullptr || op.inputs.size() < 2 || op.inputs[1] == nullptr) return false;
  const TensorDesc& x = *op.inputs[0];
  const TensorDesc& w = *op.inputs[1];
  return w.layout == plan::Layout::plain && w.storage == plan::Storage::constant && x.shape.rank == 4 &&
         o->groups() > 1 && o->groups() == x.shape[3] && w.shape[0] == x.shape[3] &&
         w.shape[3] == 1;
}

Result<std::unique_ptr<Node>> prepare_depthwise_conv2d(const OpView& op, const PrepareContext& ctx) {
  const float* w = reinterpret_cast<const float*>(op.inputs[1]->data);
  if (w == nullptr) return Status::internal("depthwise conv2d: weights have no data");
  return std::unique_ptr<Node>(new DepthwiseConvNode(op, select_f32_dwconv(ctx.isa), w));
}

}  // namespace mint
