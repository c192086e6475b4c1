// resize: nearest or bilinear resizing of NHWC f32 tensors (ONNX Resize / Upsample over H and
// W); output rows tiled over the pool. Kernel: kernels/image.h. Shape rule: resize_output_shape.
#include "kernels/image.h"
#include "runtime/ops/op_util.h"
#include "runtime/ops/shapes.h"

namespace mint {
namespace {

Status validate_resize(const OpView& op) {
  MINT_RETURN_IF_ERROR(expect_io_counts(op, 1, 1, 1));
  MINT_RETURN_IF_ERROR(expect_all_plain_f32(op));
  Status st;
  const auto* o = options_as<plan::ResizeOptions>(op, &st);
  if (!o) return st;
  if (o->mode() != plan::ResizeMode::nearest && o->mode() != plan::ResizeMode::linear) {
    return Status::invalid_plan("mode " + std::to_string(static_cast<int>(o->mode())) +
                                " is not valid");
  }
  if (static_cast<int>(o->coordinates()) < 0 || static_cast<int>(o->coordinates()) > 4) {
    return Status::invalid_plan("coordinates " + std::to_string(static_cast<int>(o->coordinates())) +
                                " is not valid");
  }
  if (static_cast<int>(o->nearest_mode()) < 0 || static_cast<int>(o->nearest_mode()) > 3) {
    return Status::invalid_plan("nearest_mode " +
                                std::to_string(static_cast<int>(o->nearest_mode())) + " is not valid");
  }
  Result<Shape> out = resize_output_shape(op.inputs[0]->shape, o->out_h(), o->out_w(),
                                          o->scale_h(), o->scale_w());
  if (!out.is_ok()) return about("input", 0, *op.inputs[0], out.status());
  MINT_RETURN_IF_ERROR(expect_output_shape(op, out.value()));
  return expect_disjoint(op, false);
}

class ResizeNode final : public Node {
 public:
  explicit ResizeNode(const OpView& op) : x_(op.input_ids[0]), y_(op.output_ids[0]) {
    const auto* o = op.op->options_as_ResizeOptions();
    const Shape& x = op.inputs[0]->shape;
    const auto u = [](int64_t v) { return static_cast<size_t>(v); };
    p_ = {u(x[0]), u(x[1]), u(x[2]), u(x[3]), u(o->out_h()), u(o->out_w()),
          static_cast<int>(o->mode()), static_cast<int>(o->coordinates()),
          static_cast<int>(o->nearest_mode()), o->scale_h(), o->scale_w()};
  }

  Status run(const ExecContext& ctx) const override {
    const float* x = data_as<const float>(ctx, x_);
    float* y = data_as<float>(ctx, y_);
    const size_t rows = p_.n * p_.oh;
    parallel_tiles(ctx.pool, rows, 1, rows * p_.ow * p_.c * 4,
                   [&](size_t start, size_t count) {
                     f32_resize_scalar(p_, x, y, start, start + count);
                   });
    return Status::ok();
  }
  std::string kernel_name() const override { return "f32_resize_scalar"; }

 private:
  int32_t x_, y_;
  ResizeKernelParams p_{};
};

Result<std::unique_ptr<Node>> prepare_resize(const OpView& op, const PrepareContext&) {
  return std::unique_ptr<Node>(new ResizeNode(op));
}

}  // namespace

extern const OpDefinition kResizeOp{plan::OpCode::resize, "resize", validate_resize,
                                    prepare_resize};

}  // namespace mint
