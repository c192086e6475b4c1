// PlanRunner: one plan, one session, through the C ABI (include/mint/mint.h), for the
// evaluation tools. Inputs and outputs are f32 tensors addressed by index or name.
//
//   open(path, threads, isa)   loads and validates the plan, creates a session
//   batch(i)                   dim 0 of input i (1 for rank 0)
//   set_input(i, data, count)  count must equal the input's element count
//   run()                      one run
//   output(name)               the named output's values after the last run
//
// Every failure is a Status carrying mint's own message (mint_last_error), prefixed with the
// plan path. Non-f32 inputs or outputs are rejected when used.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "mint/mint.h"
#include "runtime/status.h"

namespace mint::eval {

struct TensorInfo {
  std::string name;
  mint_dtype dtype = mint_dtype_f32;
  std::vector<int64_t> shape;
  size_t elements = 0;
};

class PlanRunner {
 public:
  PlanRunner() = default;
  ~PlanRunner();
  PlanRunner(const PlanRunner&) = delete;
  PlanRunner& operator=(const PlanRunner&) = delete;

  Status open(const std::string& path, size_t threads = 1, const std::string& isa = "");
  const std::vector<TensorInfo>& inputs() const { return inputs_; }
  const std::vector<TensorInfo>& outputs() const { return outputs_; }
  // Index of the output called `name`, or an error listing the outputs.
  Result<size_t> output_index(const std::string& name) const;
  size_t batch(size_t input) const;
  Status set_input(size_t index, const float* data, size_t count);
  Status run();
  Result<std::vector<float>> output(size_t index) const;
  const std::string& isa() const { return isa_; }
  const std::string& path() const { return path_; }

 private:
  Status fail(mint_status st, const std::string& what) const;
  std::string path_;
  std::string isa_;
  mint_model_t model_ = nullptr;
  mint_session_t session_ = nullptr;
  std::vector<TensorInfo> inputs_, outputs_;
};

}  // namespace mint::eval
