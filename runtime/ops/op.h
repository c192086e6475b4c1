// The operator interface of the runtime.
//
// Every op code of the plan (schema/plan.fbs, OpCode) has one OpDefinition, listed in
// runtime/ops/op_list.inc. Loading a plan goes through two steps per op:
//
//   validate(op)            at model load, once. Checks everything the plan says about this op
//                           against the tensors it names: counts of inputs and outputs, dtypes,
//                           ranks and shapes (including the output shape implied by the
//                           inputs and options), layouts, quantization parameters and packed
//                           byte sizes. Returns a Status whose message names the problem; the
//                           loader prefixes "op <index> (<name>)". After validate succeeds,
//                           prepare and run may trust the plan.
//   prepare(op, ctx)        at session creation. Chooses the kernels for ctx.isa (one function
//                           pointer per kernel, stored in the node), precomputes parameters and
//                           states how much scratch memory the node needs while it runs.
//
// A Node then runs with a flat loop (runtime/session.cc): no dtype switch, no allocation, no
// kernel lookup while running. run() may still fail on data a plan cannot validate (e.g. an
// embedding index out of range); it returns a Status and writes nothing else of consequence.
#pragma once

#include <pthreadpool.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "kernels/isa.h"
#include "runtime/status.h"
#include "runtime/tensor.h"
#include "schema/plan_generated.h"

namespace mint {

// What validate() and prepare() see of one op: the flatbuffer op (for its options) and the
// already validated descriptions of its tensors.
struct OpView {
  size_t index;                              // position in the plan's op list
  const plan::Op* op;                        // never null; options() may be null
  std::vector<const TensorDesc*> inputs;     // nullptr where the plan says -1 (absent)
  std::vector<const TensorDesc*> outputs;
  std::vector<int32_t> input_ids;            // tensor indices, -1 for absent
  std::vector<int32_t> output_ids;
};

struct PrepareContext {
  IsaMask isa;            // kernels of these ISAs may be chosen
  size_t num_threads;     // threads of the session's pool (>= 1)
};

// Where a running node finds its data. tensor_data[i] is the address of tensor i: in the
// mapped plan for constants, in the session's arena or state region otherwise.
struct ExecContext {
  uint8_t* const* tensor_data;
  pthreadpool_t pool;     // null: single-threaded
  uint8_t* scratch;       // at least Node::scratch_bytes(), 64-byte aligned
};

class Node {
 public:
  virtual ~Node() = default;
  virtual Status run(const ExecContext& ctx) const = 0;
  // Bytes of scratch memory run() needs; the session allocates the maximum over all nodes.
  virtual size_t scratch_bytes() const { return 0; }
  // The kernel this node runs, for reports (`mint inspect`, benchmarks); "" if none.
  virtual std::string kernel_name() const { return ""; }
};

struct OpDefinition {
  plan::OpCode code;
  const char* name;   // "fully_connected", "conv2d", ... as in the schema
  Status (*validate)(const OpView& op);
  Result<std::unique_ptr<Node>> (*prepare)(const OpView& op, const PrepareContext& ctx);
};

// The definition of `code`, or null if this build has none.
const OpDefinition* find_op_definition(plan::OpCode code);

// Name of an op code for messages ("conv2d"); "opcode <n>" if unknown.
std::string op_code_name(plan::OpCode code);

// ---- Helpers for validate() ------------------------------------------------------------------
// Each returns invalid_plan with a message naming the op's input or output, e.g.
// "input 1 'w' has rank 3, want 4".

Status expect_io_counts(const OpView& op, size_t min_inputs, size_t max_inputs, size_t outputs);
// Input i must be present.
Status expect_present(const OpView& op, size_t i);
Status expect_dtype(const TensorDesc& t, const char* role, size_t i, DType want);
Status expect_rank(const TensorDesc& t, const char* role, size_t i, size_t want);
Status expect_same_shape(const TensorDesc& t, const char* role, size_t i, const Shape& want);
Status expect_layout(const TensorDesc& t, const char* role, size_t i, plan::Layout want);
// Options table of the expected type; returns null after setting *status if absent/wrong.
template <typename T>
const T* options_as(const OpView& op, Status* status);

}  // namespace mint

#include "runtime/ops/op_inl.h"
