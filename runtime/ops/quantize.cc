// quantize (f32 -> int8 with the output's per-tensor scale / zero point) and dequantize (int8
// -> f32 with the input's). Kernels: kernels/elementwise.h.
#include "kernels/elementwise.h"
#include "runtime/ops/op_util.h"

namespace mint {
namespace {

constexpr size_t kTile = 8192;

Status validate_quantize(const OpView& op) {
  MINT_RETURN_IF_ERROR(expect_io_counts(op, 1, 1, 1));
  MINT_RETURN_IF_ERROR(expect_present(op, 0));
  MINT_RETURN_IF_ERROR(expect_plain(*op.inputs[0], "input", 0, DType::f32));
  MINT_RETURN_IF_ERROR(expect_plain(*op.outputs[0], "output", 0, DType::i8));
  MINT_RETURN_IF_ERROR(expect_per_tensor_i8(*op.outputs[0], "output", 0));
  MINT_RETURN_IF_ERROR(expect_output_shape(op, op.inputs[0]->shape));
  return expect_disjoint(op, false);
}

Status validate_dequantize(const OpView& op) {
  MINT_RETURN_IF_ERROR(expect_io_counts(op, 1, 1, 1));
  MINT_RETURN_IF_ERROR(expect_present(op, 0));
  MINT_RETURN_IF_ERROR(expect_plain(*op.inputs[0], "input", 0, DType::i8));
  MINT_RETURN_IF_ERROR(expect_per_tensor_i8(*op.inputs[0], "input", 0));
  MINT_RETURN_IF_ERROR(expect_plain(*op.outputs[0], "output", 0, DType::f32));
  MINT_RETURN_IF_ERROR(expect_output_shape(op, op.inputs[0]->shape));
  return expect_disjoint(op, false);
}

class QuantizeNode final : public Node {
 public:
  QuantizeNode(const OpView& op, const Qs8QuantizeKernel* kernel)
      : fn_(kernel->fn),
        name_(kernel->name),
        x_(op.input_ids[0]),
        y_(op.output_ids[0]),
        n_(static_cast<size_t>(op.inputs[0]->shape.elements())),
        scale_(op.outputs[0]->quant.scale()),
        zero_point_(op.outputs[0]->quant.zero_point()) {}
  Status run(const ExecContext& ctx) const override {
    const float* x = data_as<const float>(ctx, x_);
    int8_t* y = data_as<int8_t>(ctx, y_);
    parallel_tiles(ctx.pool, n_, kTile, n_, [&](size_t start, size_t count) {
      fn_(count, x + start, y + start, scale_, zero_point_);
    });
    return Status::ok();
  }
  std::string kernel_name() const override { return name_; }

 private:
  Qs8QuantizeFn fn_;
  const char* name_;
  int32_t x_, y_;
  size_t n_;
  float scale_;
  int32_t zero_point_;
};

class DequantizeNode final : public Node {
 public:
  DequantizeNode(const OpView& op, Qs8DequantizeFn fn)
      : fn_(fn),
        x_(op.input_ids[0]),
        y_(op.output_ids[0]),
        n_(static_cast<size_t>(op.inputs[0]->shape.elements())),
        scale_(op.inputs[0]->quant.scale()),
        zero_point_(op.inputs[0]->quant.zero_point()) {}
  Status run(const ExecContext& ctx) const override {
    const int8_t* x = data_as<const int8_t>(ctx, x_);
    float* y = data_as<float>(ctx, y_);
    parallel_tiles(ctx.pool, n_, kTile, n_, [&](size_t start, size_t count) {
      fn_(count, x + start, y + start, scale_, zero_point_);
    });
    return Status::ok();
  }
  std::string kernel_name() const override { return "qs8_dequantize_scalar"; }

 private:
  Qs8DequantizeFn fn_;
  int32_t x_, y_;
  size_t n_;
  float scale_;
  int32_t zero_point_;
};

Result<std::unique_ptr<Node>> prepare_quantize(const OpView& op, const PrepareContext& ctx) {
  return std::unique_ptr<Node>(new QuantizeNode(op, select_qs8_quantize(ctx.isa)));
}
Result<std::unique_ptr<Node>> prepare_dequantize(const OpView& op, const PrepareContext&) {
  return std::unique_ptr<Node>(new DequantizeNode(op, qs8_dequantize_scalar));
}

}  // namespace

extern const OpDefinition kQuantizeOp{plan::OpCode::quantize, "quantize", validate_quantize,
                                      prepare_quantize};
extern const OpDefinition kDequantizeOp{plan::OpCode::dequantize, "dequantize", validate_dequantize,
                                        prepare_dequantize};

}  // namespace mint
