#include "runtime/ops/text_shapes.h"

#include <cmath>

namespace mint {
namespace {

Status bad(const std::string& m) { return Status::invalid_plan(m); }
std::string num(int64_t v) { return std::to_string(v); }

Status want_vector(const Shape& s, int64_t n, const char* what) {
  if (s.rank == 1 && s[0] == n) return Status::ok();
  return bad(std::string(what) + " has shape " + s.to_string() + ", want [" + num(n) + "]");
}

Status want_rows(const Shape& s, int64_t rows, int64_t cols, const char* what) {
  if (s.rank == 2 && s[0] == rows && s[1] == cols) return Status::ok();
  return bad(std::string(what) + " has shape " + s.to_string() + ", want [" + num(rows) + "," +
             num(cols) + "]");
}

bool product_ok(int64_t a, int64_t b, int64_t* out) {
  return !__builtin_mul_overflow(a, b, out) && *out <= (int64_t{1} << 40);
}

}  // namespace

Result<Shape> rope_output_shape(const Shape& x, const Shape& positions, const RopeParams& p) {
  if (p.heads < 1 || p.head_dim < 1) {
    return bad("num_heads " + num(p.heads) + " and head_dim " + num(p.head_dim) + " must be >= 1");
  }
  if (p.rotary_dim < 2 || p.rotary_dim % 2 != 0 || p.rotary_dim > p.head_dim) {
    return bad("rotary_dim " + num(p.rotary_dim) + " must be even and in [2, head_dim " +
               num(p.head_dim) + "]");
  }
  if (!std::isfinite(p.theta) || !(p.theta > 1.0f)) {
    return bad("theta " + std::to_string(p.theta) + " must be finite and > 1");
  }
  int64_t width;
  if (!product_ok(p.heads, p.head_dim, &width)) return bad("num_heads * head_dim is too large");
  if (x.rank != 2 || x[0] < 1) return bad("x has shape " + x.to_string() + ", want [T >= 1, " + num(width) + "]");
  MINT_RETURN_IF_ERROR(want_rows(x, x[0], width, "x"));
  MINT_RETURN_IF_ERROR(want_vector(positions, x[0], "positions"));
  return x;
}

Result<Shape> attention_output_shape(const Shape& q, const Shape& k, const Shape& v,
                                     const Shape& k_cache, const Shape& v_cache,
                                     const Shape& positions, const Shape& count,
                                     const AttentionParams& p) {
  if (p.heads < 1 || p.kv_heads < 1 || p.head_dim < 1 || p.heads % p.kv_heads != 0) {
    return bad("num_heads " + num(p.heads) + ", num_kv_heads " + num(p.kv_heads) + ", head_dim " +
               num(p.head_dim) + ": want all >= 1 and num_heads a multiple of num_kv_heads");
  }
  if (!std::isfinite(p.scale) || !(p.scale > 0.0f)) {
    return bad("scale " + std::to_string(p.scale) + " must be finite and > 0");
  }
  int64_t qw, kw;
  if (!product_ok(p.heads, p.head_dim, &qw) || !product_ok(p.kv_heads, p.head_dim, &kw)) {
    return bad("heads * head_dim is too large");
  }
  if (q.rank != 2 || q[0] < 1) return bad("q has shape " + q.to_string() + ", want [T >= 1, " + num(qw) + "]");
  const int64_t t = q[0];
  MINT_RETURN_IF_ERROR(want_rows(q, t, qw, "q"));
  MINT_RETURN_IF_ERROR(want_rows(k, t, kw, "k"));
  MINT_RETURN_IF_ERROR(want_rows(v, t, kw, "v"));
  if (k_cache.rank != 2 || k_cache[0] < 1) {
    return bad("k_cache has shape " + k_cache.to_string() + ", want [C >= 1, " + num(kw) + "]");
  }
  MINT_RETURN_IF_ERROR(want_rows(k_cache, k_cache[0], kw, "k_cache"));
  MINT_RETURN_IF_ERROR(want_rows(v_cache, k_cache[0], kw, "v_cache"));
  MINT_RETURN_IF_ERROR(want_vector(positions, t, "positions"));
  MINT_RETURN_IF_ERROR(want_vector(count, 1, "count"));
  return q;
}

Status check_kv_scale_shape(const Shape& scale, const Shape& cache, const AttentionParams& p) {
  return want_rows(scale, cache.rank == 2 ? cache[0] : 0, p.kv_heads, "cache scale");
}

Result<Shape> gather_last_output_shape(const Shape& x, const Shape& count) {
  if (x.rank != 2 || x[0] < 1) return bad("x has shape " + x.to_string() + ", want [T >= 1, d]");
  MINT_RETURN_IF_ERROR(want_vector(count, 1, "count"));
  Shape y = x;
  y[0] = 1;
  return y;
}

}  // namespace mint
