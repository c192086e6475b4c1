// A loaded, verified and validated plan.
//
// Model::load maps (or borrows) the plan bytes, runs the FlatBuffers verifier, then validates
// everything a session will trust (runtime/plan_loader.cc): the file layout and segments,
// every tensor (dtype, shape, byte size, data range and alignment, quantization), the graph
// inputs and outputs, the memory plan, and every op through its OpDefinition::validate. Any
// failure is an invalid_plan (or unsupported) Status naming the tensor or op, and nothing is
// kept. After load, the Model is immutable and may be shared by threads and sessions.
//
// A plan may carry a tokenizer (Plan.tokenizer): load builds it from its buffer
// (runtime/tokenizer/from_plan.h), so a malformed tokenizer fails the load with an invalid_plan
// naming it; tokenizer() is then non-null (null for plans without one), and
// tokenizer_add_bos() says whether prompts start with its bos id by default.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "kernels/isa.h"
#include "runtime/ops/op.h"
#include "runtime/status.h"
#include "runtime/tensor.h"

namespace mint {

namespace tokenizer {
class Tokenizer;
}

class MappedFile;

// A segment of a plan (schema/plan.fbs, Segment): ops [first_op, first_op + op_count) with
// its own inputs and outputs (tensor indices). A plan without segments has none here.
struct SegmentDesc {
  std::string name;
  size_t first_op = 0, op_count = 0;
  std::vector<int32_t> inputs, outputs;
};

struct LoadOptions {
  const char* max_isa = nullptr;  // as in mint_model_options
};

class Model {
 public:
  ~Model();
  static Result<std::unique_ptr<Model>> load_file(const std::string& path, const LoadOptions& options);
  // `data` must be 64-byte aligned and outlive the model.
  static Result<std::unique_ptr<Model>> load_memory(const void* data, size_t size,
                                                    const LoadOptions& options);

  const std::vector<TensorDesc>& tensors() const { return tensors_; }
  const std::vector<OpView>& ops() const { return ops_; }
  const std::vector<const OpDefinition*>& op_definitions() const { return op_defs_; }
  const std::vector<int32_t>& inputs() const { return inputs_; }
  const std::vector<int32_t>& outputs() const { return outputs_; }
  const std::vector<SegmentDesc>& segments() const { return segments_; }
  // Index of the segment called `name`, or -1.
  int segment_index(const std::string& name) const;
  size_t arena_size() const { return arena_size_; }
  size_t state_size() const { return state_size_; }
  IsaMask isa_mask() const { return isa_mask_; }
  size_t file_size() const { return size_; }
  // Metadata value for "producer", "model_family" or an entry key; null if absent.
  const char* metadata(const std::string& key) const;
  const plan::Plan* plan() const { return plan_; }
  const tokenizer::Tokenizer* tokenizer() const { return tokenizer_.get(); }
  bool tokenizer_add_bos() const { return tokenizer_add_bos_; }

 private:
  Model() = default;
  Status validate(const LoadOptions& options);
  Status validate_segments();

  std::unique_ptr<MappedFile> file_;
  const uint8_t* data_ = nullptr;
  size_t size_ = 0;
  const plan::Plan* plan_ = nullptr;
  std::vector<TensorDesc> tensors_;
  std::vector<OpView> ops_;
  std::vector<const OpDefinition*> op_defs_;
  std::vector<int32_t> inputs_, outputs_;
  std::vector<SegmentDesc> segments_;
  size_t arena_size_ = 0, state_size_ = 0;
  IsaMask isa_mask_ = 0;
  std::unique_ptr<tokenizer::Tokenizer> tokenizer_;
  bool tokenizer_add_bos_ = false;
};

}  // namespace mint
