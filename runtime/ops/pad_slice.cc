// pad (f32; constant, reflect or edge) and slice (any plain dtype of 1, 2 or 4 bytes; strided,
// negative steps) for tensors of any rank; output rows tiled over the pool. Kernels:
// kernels/image.h. Shape rules: pad_output_shape, slice_output_shape.
#include "kernels/image.h"
#include "runtime/ops/op_util.h"
#include "runtime/ops/shapes.h"

namespace mint {
namespace {

static_assert(kImageMaxRank == kMaxRank, "kernels/image.h and runtime/tensor.h disagree");

Status validate_pad(const OpView& op) {
  MINT_RETURN_IF_ERROR(expect_io_counts(op, 1, 1, 1));
  MINT_RETURN_IF_ERROR(expect_all_plain_f32(op));
  Status st;
  const auto* o = options_as<plan::PadOptions>(op, &st);
  if (!o) return st;
  if (o->pads() == nullptr) return Status::invalid_plan("options have no pads");
  MINT_RETURN_IF_ERROR(expect_aligned(o->pads(), "pads"));
  Result<Shape> out = pad_output_shape(op.inputs[0]->shape, o->pads()->data(), o->pads()->size(),
                                       o->mode());
  if (!out.is_ok()) return about("input", 0, *op.inputs[0], out.status());
  MINT_RETURN_IF_ERROR(expect_output_shape(op, out.value()));
  return expect_disjoint(op, false);
}

// Rows of the last dimension of `s` (1 for rank 0).
size_t rows_of(const Shape& s) {
  return s.rank == 0 ? 1 : static_cast<size_t>(s.product(0, s.rank - 1));
}

class PadNode final : public Node {
 public:
  explicit PadNode(const OpView& op) : x_(op.input_ids[0]), y_(op.output_ids[0]) {
    const auto* o = op.op->options_as_PadOptions();
    const Shape& x = op.inputs[0]->shape;
    p_.rank = x.rank;
    for (size_t i = 0; i < x.rank; ++i) {
      p_.in_dims[i] = static_cast<size_t>(x[i]);
      p_.out_dims[i] = static_cast<size_t>(op.outputs[0]->shape[i]);
      p_.begin[i] = static_cast<size_t>(o->pads()->Get(static_cast<flatbuffers::uoffset_t>(i)));
    }
    p_.mode = static_cast<int>(o->mode());
    p_.value = o->value();
    rows_ = rows_of(op.outputs[0]->shape);
    elements_ = static_cast<size_t>(op.outputs[0]->shape.elements());
  }

  Status run(const ExecContext& ctx) const override {
    if (elements_ == 0) return Status::ok();
    const float* x = data_as<const float>(ctx, x_);
    float* y = data_as<float>(ctx, y_);
    const size_t tile = std::max<size_t>(1, rows_ / 64);
    parallel_tiles(ctx.pool, rows_, tile, elements_, [&](size_t start, size_t count) {
      f32_pad_scalar(p_, x, y, start, start + count);
    });
    return Status::ok();
  }
  std::string kernel_name() const override { return "f32_pad_scalar"; }

 private:
  int32_t x_, y_;
  PadKernelParams p_{};
  size_t rows_ = 0, elements_ = 0;
};

Result<std::unique_ptr<Node>> prepare_pad(const OpView& op, const PrepareContext&) {
  return std::unique_ptr<Node>(new PadNode(op));
}

// ---- slice -----------------------------------------------------------------------------------

Status validate_slice(const OpView& op) {
  MINT_RETURN_IF_ERROR(expect_io_counts(op, 1, 1, 1));
  MINT_RETURN_IF_ERROR(expect_present(op, 0));
  Status st;
  const auto* o = options_as<plan::SliceOptions>(op, &st);
  if (!o) return st;
  if (o->starts() == nullptr || o->ends() == nullptr || o->steps() == nullptr) {
    return Status::invalid_plan("options need starts, ends and steps");
  }
  MINT_RETURN_IF_ERROR(expect_aligned(o->starts(), "starts"));
  MINT_RETURN_IF_ERROR(expect_aligned(o->ends(), "ends"));
  MINT_RETURN_IF_ERROR(expect_aligned(o->steps(), "steps"));
  const TensorDesc& x = *op.inputs[0];
  const TensorDesc& y = *op.outputs[0];
  for (const TensorDesc* t : {&x, &y}) {
    const char* role = t == &x ? "input" : "output";
    MINT_RETURN_IF_ERROR(expect_layout(*t, role, 0, plan::Layout::plain));
    if (!is_byte_addressable(t->dtype)) {
      return Status::invalid_plan(tensor_ref(role, 0, *t) + " has dtype " + dtype_name(t->dtype) +
                                  ", want one of f32, f16, bf16, i8, u8, i32");
    }
  }
  MINT_RETURN_IF_ERROR(expect_same_encoding(y, "output", 0, x));
  const size_t n = o->starts()->size();
  if (o->ends()->size() != n || o->steps()->size() != n) {
    return Status::invalid_plan("starts, ends and steps have " + std::to_string(n) + ", " +
                                std::to_string(o->ends()->size()) + " and " +
                                std::to_string(o->steps()->size()) + " values");
  }
  if (x.shape.rank == 0) return Status::invalid_plan("input 0 has rank 0");
  Result<Shape> out = slice_output_shape(x.shape, o->starts()->data(), o->ends()->data(),
                                         o->steps()->data(), n);
  if (!out.is_ok()) return about("input", 0, x, out.status());
  MINT_RETURN_IF_ERROR(expect_output_shape(op, out.value()));
  return expect_disjoint(op, false);
}

class SliceNode final : public Node {
 public:
  explicit SliceNode(const OpView& op) : x_(op.input_ids[0]), y_(op.output_ids[0]) {
    const auto* o = op.op->options_as_SliceOptions();
    const Shape& x = op.inputs[0]->shape;
    p_.rank = x.rank;
    for (size_t i = 0; i < x.rank; ++i) {
      const auto k = static_cast<flatbuffers::uoffset_t>(i);
      p_.in_dims[i] = static_cast<size_t>(x[i]);
      p_.out_dims[i] = static_cast<size_t>(op.outputs[0]->shape[i]);
      p_.start[i] = o->starts()->Get(k);
      p_.step[i] = o->steps()->Get(k);
    }
    p_.elem_size = dtype_size(op.inputs[0]->dtype);
    rows_ = rows_of(op.outputs[0]->shape);
    elements_ = static_cast<size_t>(op.outputs[0]->shape.elements());
  }

  Status run(const ExecContext& ctx) const override {
    const uint8_t* x = ctx.tensor_data[x_];
    uint8_t* y = ctx.tensor_data[y_];
    const size_t tile = std::max<size_t>(1, rows_ / 64);
    parallel_tiles(ctx.pool, rows_, tile, elements_, [&](size_t start, size_t count) {
      slice_scalar(p_, x, y, start, start + count);
    });
    return Status::ok();
  }
  std::string kernel_name() const override { return "slice_scalar"; }

 private:
  int32_t x_, y_;
  SliceKernelParams p_{};
  size_t rows_ = 0, elements_ = 0;
};

Result<std::unique_ptr<Node>> prepare_slice(const OpView& op, const PrepareContext&) {
  return std::unique_ptr<Node>(new SliceNode(op));
}

}  // namespace

extern const OpDefinition kPadOp{plan::OpCode::pad, "pad", validate_pad, prepare_pad};
extern const OpDefinition kSliceOp{plan::OpCode::slice, "slice", validate_slice, prepare_slice};

}  // namespace mint
