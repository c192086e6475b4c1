// Helpers shared by the tests: aligned plan buffers, RAII wrappers over the C ABI, and small
// graphs.
#pragma once

#include <gtest/gtest.h>

#include <cstdlib>
#include <cstring>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "compiler/compile.h"
#include "compiler/graph.h"
#include "mint/mint.h"
#include "runtime/hardware.h"

namespace mint::testing_util {

// A 64-byte aligned copy of a plan (mint_model_load_memory requires the alignment).
class AlignedPlan {
 public:
  explicit AlignedPlan(const std::vector<uint8_t>& bytes) : size_(bytes.size()) {
    data_ = static_cast<uint8_t*>(std::aligned_alloc(64, (bytes.size() + 63) / 64 * 64 + 64));
    if (!bytes.empty()) std::memcpy(data_, bytes.data(), bytes.size());
  }
  ~AlignedPlan() { std::free(data_); }
  AlignedPlan(const AlignedPlan&) = delete;
  AlignedPlan& operator=(const AlignedPlan&) = delete;
  uint8_t* data() { return data_; }
  size_t size() const { return size_; }

 private:
  uint8_t* data_;
  size_t size_;
};

struct ModelDeleter {
  void operator()(mint_model* m) const { mint_model_free(m); }
};
struct SessionDeleter {
  void operator()(mint_session* s) const { mint_session_free(s); }
};
using ModelPtr = std::unique_ptr<mint_model, ModelDeleter>;
using SessionPtr = std::unique_ptr<mint_session, SessionDeleter>;

inline std::vector<float> random_floats(std::mt19937& rng, size_t n, float lo = -1.0f, float hi = 1.0f) {
  std::uniform_real_distribution<float> dist(lo, hi);
  std::vector<float> v(n);
  for (float& x : v) x = dist(rng);
  return v;
}

inline std::vector<uint8_t> compile_or_die(compiler::GraphBuilder& b,
                                           compiler::CompileOptions options = {}) {
  auto graph = b.finish();
  EXPECT_TRUE(graph.is_ok()) << graph.status().message();
  if (!graph.is_ok()) return {};
  auto bytes = compiler::compile(std::move(graph).value(), options);
  EXPECT_TRUE(bytes.is_ok()) << bytes.status().message();
  return bytes.is_ok() ? std::move(bytes).value() : std::vector<uint8_t>{};
}

// Loads `plan`, runs it once with `inputs` (f32) on a session with the given options, and
// returns output 0 as floats. Fails the test on any error.
inline std::vector<float> run_f32(AlignedPlan& plan, const std::vector<std::vector<float>>& inputs,
                                  size_t threads = 1, const char* max_isa = nullptr) {
  mint_model_t model = nullptr;
  EXPECT_EQ(mint_model_load_memory(plan.data(), plan.size(), nullptr, &model), mint_status_success)
      << mint_last_error();
  ModelPtr model_ptr(model);
  if (!model) return {};
  mint_session_options options;
  mint_session_options_init(&options);
  options.num_threads = threads;
  options.max_isa = max_isa;
  mint_session_t session = nullptr;
  EXPECT_EQ(mint_session_create(model, &options, &session), mint_status_success) << mint_last_error();
  SessionPtr session_ptr(session);
  if (!session) return {};
  for (size_t i = 0; i < inputs.size(); ++i) {
    EXPECT_EQ(mint_session_set_input(session, i, inputs[i].data(), inputs[i].size() * 4),
              mint_status_success)
        << mint_last_error();
  }
  EXPECT_EQ(mint_session_run(session), mint_status_success) << mint_last_error();
  mint_tensor_info info{};
  info.size = sizeof(info);
  EXPECT_EQ(mint_model_output_info(model, 0, &info), mint_status_success);
  std::vector<float> out(info.byte_size / 4);
  EXPECT_EQ(mint_session_get_output(session, 0, out.data(), info.byte_size), mint_status_success)
      << mint_last_error();
  return out;
}

// The ISA levels this machine runs, lowest first ("scalar", then e.g. "avx2", "avx512", ...).
inline std::vector<std::string> available_isas() {
  std::vector<std::string> names;
  const IsaMask mask = hardware_isa_mask();
  for (uint32_t i = 0; i < static_cast<uint32_t>(Isa::kCount); ++i) {
    if (mask & (IsaMask{1} << i)) names.push_back(isa_name(static_cast<Isa>(i)));
  }
  return names;
}

}  // namespace mint::testing_util
