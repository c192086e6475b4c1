// The text-model ops (schema/plan.fbs: rope, attention, gather_last; shape rules in
// runtime/ops/text_shapes.h, kernels in kernels/attention.h).
//
//   rope(x, positions) -> y:          RopeOptions; y may be x (in place).
//   attention(q, k, v, k_cache, v_cache, positions, count[, k_scale, v_scale]) -> y:
//     AttentionOptions. The caches are state tensors of one dtype (f32, f16, or i8 with the
//     two f32 scale tensors, one scale per position and KV head). With pos = positions[0] and
//     n = count[0], run() first writes the rows t < n of k and v into the caches at position
//     pos + t, then for each head h (KV head h / (Hq / Hkv)) and row t < n attends q's row over
//     cache positions [0, pos + t]; rows t >= n of y are zero. Caller data, checked by run():
//     1 <= n <= T, pos >= 0, pos + n <= C, positions[t] == pos + t for t < n.
//     The rows kernel (kernels/attention.h: all n rows of a head, several per pass over the
//     cache) is the best ISA variant of ctx.isa, chosen once here (select_attention_head; a
//     mask of only the reference gives the scalar kernels).
//   gather_last(x, count) -> y [1, d] = x[count - 1]; 1 <= count <= T checked by run().
#include <algorithm>
#include <cstring>
#include <string>
#include <utility>
#include <vector>

#include "kernels/attention.h"
#include "runtime/ops/op_util.h"
#include "runtime/ops/text_shapes.h"

namespace mint {
namespace {

// ---- rope -------------------------------------------------------------------------------------

RopeParams rope_params(const plan::RopeOptions& o) {
  return RopeParams{o.num_heads(), o.head_dim(), o.rotary_dim(), o.theta()};
}

Status validate_rope(const OpView& op) {
  MINT_RETURN_IF_ERROR(expect_io_counts(op, 2, 2, 1));
  MINT_RETURN_IF_ERROR(expect_present(op, 0));
  MINT_RETURN_IF_ERROR(expect_present(op, 1));
  Status st;
  const auto* o = options_as<plan::RopeOptions>(op, &st);
  if (!o) return st;
  MINT_RETURN_IF_ERROR(expect_plain(*op.inputs[0], "input", 0, DType::f32));
  MINT_RETURN_IF_ERROR(expect_plain(*op.inputs[1], "input", 1, DType::i32));
  MINT_RETURN_IF_ERROR(expect_plain(*op.outputs[0], "output", 0, DType::f32));
  Result<Shape> y = rope_output_shape(op.inputs[0]->shape, op.inputs[1]->shape, rope_params(*o));
  if (!y.is_ok()) return y.status();
  MINT_RETURN_IF_ERROR(expect_output_shape(op, y.value()));
  return expect_disjoint(op, true);
}

class RopeNode final : public Node {
 public:
  explicit RopeNode(const OpView& op)
      : x_(op.input_ids[0]), positions_(op.input_ids[1]), y_(op.output_ids[0]) {
    const RopeParams p = rope_params(*op.op->options_as_RopeOptions());
    heads_ = static_cast<size_t>(p.heads);
    head_dim_ = static_cast<size_t>(p.head_dim);
    rotary_dim_ = static_cast<size_t>(p.rotary_dim);
    rows_ = static_cast<size_t>(op.inputs[0]->shape[0]);
    inv_freq_.resize(rotary_dim_ / 2);
    rope_inv_freq(rotary_dim_, p.theta, inv_freq_.data());
  }

  Status run(const ExecContext& ctx) const override {
    const int32_t* positions = data_as<const int32_t>(ctx, positions_);
    for (size_t r = 0; r < rows_; ++r) {
      if (positions[r] < 0) {
        return Status::invalid_argument("position " + std::to_string(positions[r]) + " of row " +
                                        std::to_string(r) + " is negative");
      }
    }
    const float* x = data_as<const float>(ctx, x_);
    float* y = data_as<float>(ctx, y_);
    const size_t width = heads_ * head_dim_;
    parallel_tiles(ctx.pool, rows_, 1, rows_ * width, [&](size_t start, size_t count) {
      f32_rope_scalar(count, heads_, head_dim_, rotary_dim_, positions + start, inv_freq_.data(),
                      x + start * width, y + start * width);
    });
    return Status::ok();
  }
  std::string kernel_name() const override { return "f32_rope_scalar"; }

 private:
  int32_t x_, positions_, y_;
  size_t heads_ = 0, head_dim_ = 0, rotary_dim_ = 0, rows_ = 0;
  std::vector<float> inv_freq_;
};

Result<std::unique_ptr<Node>> prepare_rope(const OpView& op, const PrepareContext&) {
  return std::unique_ptr<Node>(new RopeNode(op));
}

// ---- attention --------------------------------------------------------------------------------

AttentionParams attention_params(const plan::AttentionOptions& o) {
  return AttentionParams{o.num_heads(), o.num_kv_heads(), o.head_dim(), o.scale()};
}

Status expect_state(const TensorDesc& t, size_t i) {
  if (t.storage == plan::Storage::state) return Status::ok();
  return Status::invalid_plan(tensor_ref("input", i, t) + " must be session state, is " +
                              storage_name(t.storage));
}

Status validate_attention(const OpView& op) {
  MINT_RETURN_IF_ERROR(expect_io_counts(op, 7, 9, 1));
  for (size_t i = 0; i < 7; ++i) MINT_RETURN_IF_ERROR(expect_present(op, i));
  Status st;
  const auto* o = options_as<plan::AttentionOptions>(op, &st);
  if (!o) return st;
  const AttentionParams p = attention_params(*o);
  for (size_t i = 0; i < 3; ++i) MINT_RETURN_IF_ERROR(expect_plain(*op.inputs[i], "input", i, DType::f32));
  const DType cache = op.inputs[3]->dtype;
  if (cache != DType::f32 && cache != DType::f16 && cache != DType::i8) {
    return Status::invalid_plan(tensor_ref("input", 3, *op.inputs[3]) + " has dtype " +
                                dtype_name(cache) + ", want f32, f16 or i8");
  }
  for (size_t i = 3; i < 5; ++i) {
    MINT_RETURN_IF_ERROR(expect_plain(*op.inputs[i], "input", i, cache));
    MINT_RETURN_IF_ERROR(expect_state(*op.inputs[i], i));
  }
  MINT_RETURN_IF_ERROR(expect_plain(*op.inputs[5], "input", 5, DType::i32));
  MINT_RETURN_IF_ERROR(expect_plain(*op.inputs[6], "input", 6, DType::i32));
  const bool scaled = cache == DType::i8;
  for (size_t i = 7; i < 9; ++i) {
    const bool present = i < op.inputs.size() && op.inputs[i] != nullptr;
    if (present != scaled) {
      return Status::invalid_plan("input " + std::to_string(i) + (scaled ? " (cache scale) is required for an i8 cache"
                                                                         : " must be absent for an f32/f16 cache"));
    }
    if (!present) continue;
    MINT_RETURN_IF_ERROR(expect_plain(*op.inputs[i], "input", i, DType::f32));
    MINT_RETURN_IF_ERROR(expect_state(*op.inputs[i], i));
    Status s = check_kv_scale_shape(op.inputs[i]->shape, op.inputs[3]->shape, p);
    if (!s.is_ok()) return about("input", i, *op.inputs[i], s);
  }
  Result<Shape> y = attention_output_shape(op.inputs[0]->shape, op.inputs[1]->shape,
                                           op.inputs[2]->shape, op.inputs[3]->shape,
                                           op.inputs[4]->shape, op.inputs[5]->shape,
                                           op.inputs[6]->shape, p);
  if (!y.is_ok()) return y.status();
  MINT_RETURN_IF_ERROR(expect_plain(*op.outputs[0], "output", 0, DType::f32));
  MINT_RETURN_IF_ERROR(expect_output_shape(op, y.value()));
  return expect_disjoint(op, false);
}

class AttentionNode final : public Node {
 public:
  AttentionNode(const OpView& op, KvStoreRowFn store, F32AttentionRowsFn rows, size_t elem,
                std::string kernel)
      : store_(store), rows_(rows), elem_(elem), kernel_(std::move(kernel)) {
    for (size_t i = 0; i < 7; ++i) ids_[i] = op.input_ids[i];
    ids_[7] = op.inputs.size() > 7 ? op.input_ids[7] : -1;
    ids_[8] = op.inputs.size() > 8 ? op.input_ids[8] : -1;
    y_ = op.output_ids[0];
    const AttentionParams p = attention_params(*op.op->options_as_AttentionOptions());
    heads_ = static_cast<size_t>(p.heads);
    kv_heads_ = static_cast<size_t>(p.kv_heads);
    d_ = static_cast<size_t>(p.head_dim);
    scale_ = p.scale;
    max_rows_ = static_cast<size_t>(op.inputs[0]->shape[0]);
    capacity_ = static_cast<size_t>(op.inputs[3]->shape[0]);
  }

  // The rows kernel's scratch: 4 * (len0 + rows + 2) floats, len0 + rows - 1 <= capacity.
  size_t scratch_per_head() const { return 4 * (capacity_ + 3); }
  size_t scratch_bytes() const override { return heads_ * scratch_per_head() * sizeof(float); }
  std::string kernel_name() const override { return kernel_; }

  Status run(const ExecContext& ctx) const override {
    const int32_t* positions = data_as<const int32_t>(ctx, ids_[5]);
    const int64_t n = data_as<const int32_t>(ctx, ids_[6])[0];
    if (n < 1 || static_cast<size_t>(n) > max_rows_) {
      return Status::invalid_argument("count " + std::to_string(n) + " is outside [1, " +
                                      std::to_string(max_rows_) + "]");
    }
    const int64_t pos = positions[0];
    if (pos < 0 || static_cast<uint64_t>(pos) + static_cast<uint64_t>(n) > capacity_) {
      return Status::invalid_argument("positions [" + std::to_string(pos) + ", " +
                                      std::to_string(pos + n) + ") are outside the KV cache of " +
                                      std::to_string(capacity_) + " positions");
    }
    for (int64_t t = 1; t < n; ++t) {
      if (positions[t] != pos + t) {
        return Status::invalid_argument("position of row " + std::to_string(t) + " is " +
                                        std::to_string(positions[t]) + ", want " +
                                        std::to_string(pos + t));
      }
    }
    const size_t count = static_cast<size_t>(n), start = static_cast<size_t>(pos);
    const size_t qw = heads_ * d_, kw = kv_heads_ * d_;
    const float* q = data_as<const float>(ctx, ids_[0]);
    const float* k = data_as<const float>(ctx, ids_[1]);
    const float* v = data_as<const float>(ctx, ids_[2]);
    uint8_t* kc = ctx.tensor_data[ids_[3]];
    uint8_t* vc = ctx.tensor_data[ids_[4]];
    float* ks = ids_[7] >= 0 ? data_as<float>(ctx, ids_[7]) : nullptr;
    float* vs = ids_[8] >= 0 ? data_as<float>(ctx, ids_[8]) : nullptr;
    float* y = data_as<float>(ctx, y_);
    for (size_t t = 0; t < count; ++t) {
      const size_t p = start + t;
      for (size_t h = 0; h < kv_heads_; ++h) {
        const size_t e = p * kw + h * d_;
        store_(d_, k + t * kw + h * d_, kc + e * elem_, ks ? ks + p * kv_heads_ + h : nullptr);
        store_(d_, v + t * kw + h * d_, vc + e * elem_, vs ? vs + p * kv_heads_ + h : nullptr);
      }
    }
    const size_t group = heads_ / kv_heads_;
    float* scratch = reinterpret_cast<float*>(ctx.scratch);
    const size_t work = count * (start + count) * qw;
    parallel_tiles(ctx.pool, heads_, 1, work, [&](size_t h0, size_t hn) {
      for (size_t h = h0; h < h0 + hn; ++h) {
        const size_t kvh = h / group;
        rows_(count, start + 1, d_, q + h * d_, qw, kc + kvh * d_ * elem_, vc + kvh * d_ * elem_,
              kw, ks ? ks + kvh : nullptr, vs ? vs + kvh : nullptr, kv_heads_, scale_,
              scratch + h * scratch_per_head(), y + h * d_, qw);
      }
    });
    if (count < max_rows_) std::memset(y + count * qw, 0, (max_rows_ - count) * qw * sizeof(float));
    return Status::ok();
  }

 private:
  KvStoreRowFn store_;
  F32AttentionRowsFn rows_;
  size_t elem_;
  std::string kernel_;
  int32_t ids_[9];
  int32_t y_;
  size_t heads_ = 0, kv_heads_ = 0, d_ = 0, max_rows_ = 0, capacity_ = 0;
  float scale_ = 1.0f;
};

Result<std::unique_ptr<Node>> prepare_attention(const OpView& op, const PrepareContext& ctx) {
  const AttentionHeadKernel* kernels = select_attention_head(ctx.isa);
  const std::string suffix = std::string("kv_") + kernels->name;
  switch (op.inputs[3]->dtype) {
    case DType::f16:
      return std::unique_ptr<Node>(new AttentionNode(op, kv_store_row_f16, kernels->rows_f16kv, 2,
                                                     "f32_attention_rows_f16" + suffix));
    case DType::i8:
      return std::unique_ptr<Node>(new AttentionNode(op, kv_store_row_qs8, kernels->rows_qs8kv, 1,
                                                     "f32_attention_rows_qs8" + suffix));
    default:
      return std::unique_ptr<Node>(new AttentionNode(op, kv_store_row_f32, kernels->rows_f32kv, 4,
                                                     "f32_attention_rows_f32" + suffix));
  }
}

// ---- gather_last ------------------------------------------------------------------------------

Status validate_gather_last(const OpView& op) {
  MINT_RETURN_IF_ERROR(expect_io_counts(op, 2, 2, 1));
  MINT_RETURN_IF_ERROR(expect_present(op, 0));
  MINT_RETURN_IF_ERROR(expect_present(op, 1));
  MINT_RETURN_IF_ERROR(expect_plain(*op.inputs[0], "input", 0, DType::f32));
  MINT_RETURN_IF_ERROR(expect_plain(*op.inputs[1], "input", 1, DType::i32));
  MINT_RETURN_IF_ERROR(expect_plain(*op.outputs[0], "output", 0, DType::f32));
  Result<Shape> y = gather_last_output_shape(op.inputs[0]->shape, op.inputs[1]->shape);
  if (!y.is_ok()) return about("input", 0, *op.inputs[0], y.status());
  MINT_RETURN_IF_ERROR(expect_output_shape(op, y.value()));
  return expect_disjoint(op, false);
}

class GatherLastNode final : public Node {
 public:
  explicit GatherLastNode(const OpView& op)
      : x_(op.input_ids[0]), count_(op.input_ids[1]), y_(op.output_ids[0]),
        rows_(static_cast<size_t>(op.inputs[0]->shape[0])),
        d_(static_cast<size_t>(op.inputs[0]->shape[1])) {}

  Status run(const ExecContext& ctx) const override {
    const int64_t n = data_as<const int32_t>(ctx, count_)[0];
    if (n < 1 || static_cast<size_t>(n) > rows_) {
      return Status::invalid_argument("count " + std::to_string(n) + " is outside [1, " +
                                      std::to_string(rows_) + "]");
    }
    std::memcpy(data_as<float>(ctx, y_), data_as<const float>(ctx, x_) + (n - 1) * d_, d_ * sizeof(float));
    return Status::ok();
  }

 private:
  int32_t x_, count_, y_;
  size_t rows_, d_;
};

Result<std::unique_ptr<Node>> prepare_gather_last(const OpView& op, const PrepareContext&) {
  return std::unique_ptr<Node>(new GatherLastNode(op));
}

}  // namespace

extern const OpDefinition kRopeOp{plan::OpCode::rope, "rope", validate_rope, prepare_rope};
extern const OpDefinition kAttentionOp{plan::OpCode::attention, "attention", validate_attention,
                                       prepare_attention};
extern const OpDefinition kGatherLastOp{plan::OpCode::gather_last, "gather_last",
                                        validate_gather_last, prepare_gather_last};

}  // namespace mint
