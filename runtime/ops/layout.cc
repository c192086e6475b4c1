// Data-movement ops: reshape, transpose, concat. They accept any plain dtype whose elements are
// 1, 2 or 4 bytes (reshape: any plain dtype) and never requantize: int8 inputs and outputs must
// share one per-tensor quantization. Kernels: kernels/layout.h.
#include "kernels/layout.h"

#include <algorithm>
#include <cstring>

#include "runtime/ops/op_util.h"
#include "runtime/ops/shapes.h"

namespace mint {
namespace {

Status expect_movable(const TensorDesc& t, const char* role, size_t i) {
  MINT_RETURN_IF_ERROR(expect_layout(t, role, i, plan::Layout::plain));
  if (!is_byte_addressable(t.dtype)) {
    return Status::invalid_plan(tensor_ref(role, i, t) + " has dtype " + dtype_name(t.dtype) +
                                ", want one of f32, f16, bf16, i8, u8, i32");
  }
  return Status::ok();
}

// ---- reshape ---------------------------------------------------------------------------------

Status validate_reshape(const OpView& op) {
  MINT_RETURN_IF_ERROR(expect_io_counts(op, 1, 1, 1));
  MINT_RETURN_IF_ERROR(expect_present(op, 0));
  Status st;
  const auto* o = options_as<plan::ReshapeOptions>(op, &st);
  if (!o) return st;
  if (o->new_shape() == nullptr) return Status::invalid_plan("options have no new_shape");
  MINT_RETURN_IF_ERROR(expect_aligned(o->new_shape(), "new_shape"));
  const TensorDesc& x = *op.inputs[0];
  const TensorDesc& y = *op.outputs[0];
  MINT_RETURN_IF_ERROR(expect_layout(x, "input", 0, plan::Layout::plain));
  MINT_RETURN_IF_ERROR(expect_layout(y, "output", 0, plan::Layout::plain));
  MINT_RETURN_IF_ERROR(expect_same_encoding(y, "output", 0, x));
  Result<Shape> out = reshape_output_shape(x.shape, o->new_shape()->data(), o->new_shape()->size());
  if (!out.is_ok()) return about("input", 0, x, out.status());
  MINT_RETURN_IF_ERROR(expect_output_shape(op, out.value()));
  return expect_disjoint(op, true);
}

class ReshapeNode final : public Node {
 public:
  explicit ReshapeNode(const OpView& op)
      : x_(op.input_ids[0]), y_(op.output_ids[0]), bytes_(op.inputs[0]->byte_size) {}
  Status run(const ExecContext& ctx) const override {
    const uint8_t* x = ctx.tensor_data[x_];
    uint8_t* y = ctx.tensor_data[y_];
    if (x != y && bytes_ != 0) std::memmove(y, x, bytes_);
    return Status::ok();
  }
  std::string kernel_name() const override { return "memcpy"; }

 private:
  int32_t x_, y_;
  size_t bytes_;
};

Result<std::unique_ptr<Node>> prepare_reshape(const OpView& op, const PrepareContext&) {
  return std::unique_ptr<Node>(new ReshapeNode(op));
}

// ---- transpose -------------------------------------------------------------------------------

Status validate_transpose(const OpView& op) {
  MINT_RETURN_IF_ERROR(expect_io_counts(op, 1, 1, 1));
  MINT_RETURN_IF_ERROR(expect_present(op, 0));
  Status st;
  const auto* o = options_as<plan::TransposeOptions>(op, &st);
  if (!o) return st;
  if (o->perm() == nullptr) return Status::invalid_plan("options have no perm");
  const TensorDesc& x = *op.inputs[0];
  MINT_RETURN_IF_ERROR(expect_movable(x, "input", 0));
  MINT_RETURN_IF_ERROR(expect_movable(*op.outputs[0], "output", 0));
  MINT_RETURN_IF_ERROR(expect_same_encoding(*op.outputs[0], "output", 0, x));
  Result<Shape> out = transpose_output_shape(x.shape, o->perm()->data(), o->perm()->size());
  if (!out.is_ok()) return about("input", 0, x, out.status());
  MINT_RETURN_IF_ERROR(expect_output_shape(op, out.value()));
  return expect_disjoint(op, false);
}

TransposeFn transpose_kernel(size_t elem_size) {
  switch (elem_size) {
    case 1:
      return x8_transpose_scalar;
    case 2:
      return x16_transpose_scalar;
    default:
      return x32_transpose_scalar;
  }
}

class TransposeNode final : public Node {
 public:
  explicit TransposeNode(const OpView& op) : x_(op.input_ids[0]), y_(op.output_ids[0]) {
    const Shape& s = op.inputs[0]->shape;
    elem_ = dtype_size(op.inputs[0]->dtype);
    fn_ = transpose_kernel(elem_);
    elements_ = static_cast<size_t>(s.elements());
    const auto* perm = op.op->options_as_TransposeOptions()->perm();
    size_t in_strides[kMaxRank];
    for (size_t d = s.rank, st = 1; d-- > 0;) {
      in_strides[d] = st;
      st *= static_cast<size_t>(s[d]);
    }
    // Output dimensions with their input strides; size-1 dimensions dropped, output-adjacent
    // dimensions that are also input-adjacent merged.
    for (size_t i = 0; i < s.rank; ++i) {
      const size_t p = static_cast<size_t>(perm->Get(static_cast<flatbuffers::uoffset_t>(i)));
      const size_t size = static_cast<size_t>(s[p]);
      if (size == 1) continue;
      if (rank_ > 0 && strides_[rank_ - 1] == in_strides[p] * size) {
        dims_[rank_ - 1] *= size;
        strides_[rank_ - 1] = in_strides[p];
      } else {
        dims_[rank_] = size;
        strides_[rank_] = in_strides[p];
        ++rank_;
      }
    }
    if (rank_ == 0) {
      dims_[0] = 1;
      strides_[0] = 1;
      rank_ = 1;
    }
  }

  Status run(const ExecContext& ctx) const override {
    if (elements_ == 0) return Status::ok();
    const uint8_t* x = ctx.tensor_data[x_];
    uint8_t* y = ctx.tensor_data[y_];
    if (rank_ == 1) {
      fn_(1, dims_, strides_, x, y);
      return Status::ok();
    }
    const size_t block = elements_ / dims_[0];  // output elements per index of dimension 0
    parallel_tiles(ctx.pool, dims_[0], 1, elements_, [&](size_t start, size_t count) {
      for (size_t i = start; i < start + count; ++i) {
        fn_(rank_ - 1, dims_ + 1, strides_ + 1, x + i * strides_[0] * elem_, y + i * block * elem_);
      }
    });
    return Status::ok();
  }
  std::string kernel_name() const override {
    return elem_ == 1   ? "x8_transpose_scalar"
           : elem_ == 2 ? "x16_transpose_scalar"
                        : "x32_transpose_scalar";
  }

 private:
  int32_t x_, y_;
  TransposeFn fn_;
  size_t elem_ = 4, elements_ = 0, rank_ = 0;
  size_t dims_[kMaxRank] = {};
  size_t strides_[kMaxRank] = {};
};

Result<std::unique_ptr<Node>> prepare_transpose(const OpView& op, const PrepareContext&) {
  return std::unique_ptr<Node>(new TransposeNode(op));
}

// ---- concat ----------------------------------------------------------------------------------

Status validate_concat(const OpView& op) {
  MINT_RETURN_IF_ERROR(expect_io_counts(op, 1, SIZE_MAX, 1));
  Status st;
  const auto* o = options_as<plan::ConcatOptions>(op, &st);
  if (!o) return st;
  const TensorDesc& y = *op.outputs[0];
  MINT_RETURN_IF_ERROR(expect_movable(y, "output", 0));
  std::vector<Shape> shapes;
  for (size_t i = 0; i < op.inputs.size(); ++i) {
    MINT_RETURN_IF_ERROR(expect_present(op, i));
    MINT_RETURN_IF_ERROR(expect_movable(*op.inputs[i], "input", i));
    MINT_RETURN_IF_ERROR(expect_same_encoding(*op.inputs[i], "input", i, y));
    shapes.push_back(op.inputs[i]->shape);
  }
  Result<Shape> out = concat_output_shape(shapes.data(), shapes.size(), o->axis());
  if (!out.is_ok()) return out.status();
  MINT_RETURN_IF_ERROR(expect_output_shape(op, out.value()));
  return expect_disjoint(op, false);
}

class ConcatNode final : public Node {
 public:
  explicit ConcatNode(const OpView& op) : y_(op.output_ids[0]) {
    const Shape& s = op.outputs[0]->shape;
    const size_t axis = normalize_axis(op.op->options_as_ConcatOptions()->axis(), s.rank).value();
    const size_t elem = dtype_size(op.outputs[0]->dtype);
    outer_ = static_cast<size_t>(s.product(0, axis));
    out_row_bytes_ = static_cast<size_t>(s.product(axis, s.rank)) * elem;
    size_t offset = 0;
    for (size_t i = 0; i < op.inputs.size(); ++i) {
      const size_t row = static_cast<size_t>(op.inputs[i]->shape.product(axis, s.rank)) * elem;
      parts_.push_back({op.input_ids[i], row, offset});
      offset += row;
    }
  }

  Status run(const ExecContext& ctx) const override {
    uint8_t* y = ctx.tensor_data[y_];
    for (const Part& part : parts_) {
      if (part.row_bytes == 0) continue;
      const uint8_t* x = ctx.tensor_data[part.id];
      const size_t tile = std::max<size_t>(1, 65536 / part.row_bytes);
      parallel_tiles(
          ctx.pool, outer_, tile, outer_ * part.row_bytes / 4, [&](size_t start, size_t count) {
            copy_rows_scalar(count, part.row_bytes, x + start * part.row_bytes, part.row_bytes,
                             y + start * out_row_bytes_ + part.offset, out_row_bytes_);
          });
    }
    return Status::ok();
  }
  std::string kernel_name() const override { return "copy_rows_scalar"; }

 private:
  struct Part {
    int32_t id;
    size_t row_bytes;  // bytes of one outer row of this input
    size_t offset;     // byte offset of this input inside an output row
  };
  int32_t y_;
  size_t outer_ = 1, out_row_bytes_ = 0;
  std::vector<Part> parts_;
};

Result<std::unique_ptr<Node>> prepare_concat(const OpView& op, const PrepareContext&) {
  return std::unique_ptr<Node>(new ConcatNode(op));
}

}  // namespace

extern const OpDefinition kReshapeOp{plan::OpCode::reshape, "reshape", validate_reshape,
                                     prepare_reshape};
extern const OpDefinition kTransposeOp{plan::OpCode::transpose, "transpose", validate_transpose,
                                       prepare_transpose};
extern const OpDefinition kConcatOp{plan::OpCode::concat, "concat", validate_concat,
                                    prepare_concat};

}  // namespace mint
