// Malformed plans: every one must be rejected with an error status and a message, never a
// crash (this suite also runs under AddressSanitizer + UBSan, the `debug` preset). Plans that
// survive a random corruption and still load must also create a session and run safely.
#include <gtest/gtest.h>

#include <functional>

#include "compiler/plan_writer.h"
#include "schema/plan_generated.h"
#include "tests/test_util.h"

namespace mint {
namespace {

using compiler::GraphBuilder;
using compiler::ValueId;
using namespace testing_util;

std::vector<uint8_t> valid_plan(compiler::WeightPrecision precision = compiler::WeightPrecision::kF32) {
  std::mt19937 rng(11);
  GraphBuilder b;
  const ValueId x = b.input("x", DType::f32, {3, 20});
  const ValueId h = b.fully_connected(x, b.constant_f32("w1", {17, 20}, random_floats(rng, 340)),
                                      b.constant_f32("b1", {17}, random_floats(rng, 17)),
                                      plan::Activation::relu, "fc1");
  b.output(b.fully_connected(h, b.constant_f32("w2", {5, 17}, random_floats(rng, 85)),
                             compiler::kInvalidValue, plan::Activation::none, "fc2"));
  compiler::CompileOptions options;
  options.weights = precision;
  return compile_or_die(b, options);
}

struct LoadResult {
  mint_status status;
  std::string message;
};

// Loads bytes from aligned memory; if the load succeeds, also creates a session and runs it
// (with zero inputs), returning the first failure, if any.
LoadResult load_and_run(const std::vector<uint8_t>& bytes) {
  AlignedPlan plan(bytes);
  mint_model_t model = nullptr;
  mint_status st = mint_model_load_memory(plan.data(), plan.size(), nullptr, &model);
  if (st != mint_status_success) {
    EXPECT_EQ(model, nullptr);
    return {st, mint_last_error()};
  }
  ModelPtr owner(model);
  mint_session_t session = nullptr;
  st = mint_session_create(model, nullptr, &session);
  if (st != mint_status_success) return {st, mint_last_error()};
  SessionPtr s(session);
  size_t inputs = 0;
  mint_model_input_count(model, &inputs);
  for (size_t i = 0; i < inputs; ++i) {
    mint_tensor_info info{};
    info.size = sizeof(info);
    mint_model_input_info(model, i, &info);
    std::vector<uint8_t> zeros(info.byte_size);
    mint_session_set_input(session, i, zeros.data(), zeros.size());
  }
  st = mint_session_run(session);
  return {st, st == mint_status_success ? "" : mint_last_error()};
}

// Rewrites a plan through the FlatBuffers object API: `mutate` edits the table tree, the
// constant segments are carried over and segment_base recomputed (unless `keep_base`).
std::vector<uint8_t> mutate_plan(const std::vector<uint8_t>& bytes,
                                 const std::function<void(plan::PlanT&)>& mutate) {
  const plan::Plan* p = plan::GetSizePrefixedPlan(bytes.data());
  std::unique_ptr<plan::PlanT> tree(p->UnPack());
  const uint64_t old_base = tree->segment_base;
  mutate(*tree);
  const bool base_changed = tree->segment_base != old_base;
  std::vector<uint8_t> fb;
  uint64_t base = tree->segment_base;
  for (int i = 0; i < 4; ++i) {
    flatbuffers::FlatBufferBuilder fbb;
    plan::FinishSizePrefixedPlanBuffer(fbb, plan::Plan::Pack(fbb, tree.get()));
    fb.assign(fbb.GetBufferPointer(), fbb.GetBufferPointer() + fbb.GetSize());
    if (base_changed) break;
    const uint64_t want = (fb.size() + 63) / 64 * 64;
    if (want == tree->segment_base) break;
    tree->segment_base = want;
    base = want;
  }
  // A mutated segment_base is written as it is; the segments follow the FlatBuffer.
  const uint64_t data_start = base_changed ? (fb.size() + 63) / 64 * 64 : base;
  std::vector<uint8_t> out(data_start, 0);
  std::memcpy(out.data(), fb.data(), fb.size());
  out.insert(out.end(), bytes.begin() + static_cast<long>(old_base), bytes.end());
  return out;
}

void expect_rejected(const std::vector<uint8_t>& bytes, mint_status want, const std::string& needle) {
  const LoadResult r = load_and_run(bytes);
  EXPECT_EQ(r.status, want) << r.message;
  EXPECT_NE(r.message.find(needle), std::string::npos) << "message: " << r.message;
}

TEST(PlanRobustness, ValidPlanLoadsAndRuns) {
  const LoadResult r = load_and_run(valid_plan());
  EXPECT_EQ(r.status, mint_status_success) << r.message;
  // The object-API rewrite with no change keeps the plan valid (the mutation tests rely on it).
  const LoadResult r2 = load_and_run(mutate_plan(valid_plan(), [](plan::PlanT&) {}));
  EXPECT_EQ(r2.status, mint_status_success) << r2.message;
}

TEST(PlanRobustness, EveryTruncationIsRejected) {
  const std::vector<uint8_t> bytes = valid_plan();
  for (size_t len = 0; len < bytes.size(); ++len) {
    const std::vector<uint8_t> cut(bytes.begin(), bytes.begin() + static_cast<long>(len));
    const LoadResult r = load_and_run(cut);
    ASSERT_NE(r.status, mint_status_success) << "truncated to " << len << " bytes";
    ASSERT_FALSE(r.message.empty());
  }
}

TEST(PlanRobustness, RandomByteFlipsNeverCrash) {
  for (auto precision : {compiler::WeightPrecision::kF32, compiler::WeightPrecision::kInt8}) {
    const std::vector<uint8_t> bytes = valid_plan(precision);
    // Flip bytes of the FlatBuffer part mostly: that is where structure lives.
    const plan::Plan* p = plan::GetSizePrefixedPlan(bytes.data());
    const size_t fb_end = static_cast<size_t>(p->segment_base());
    std::mt19937 rng(2024);
    size_t rejected = 0;
    const int kTrials = 3000;
    for (int trial = 0; trial < kTrials; ++trial) {
      std::vector<uint8_t> copy = bytes;
      const int flips = 1 + static_cast<int>(rng() % 4);
      for (int f = 0; f < flips; ++f) {
        const size_t pos = rng() % (trial % 4 == 0 ? copy.size() : fb_end);
        copy[pos] ^= static_cast<uint8_t>(1u << (rng() % 8));
      }
      const LoadResult r = load_and_run(copy);
      if (r.status != mint_status_success) {
        ++rejected;
        ASSERT_FALSE(r.message.empty()) << "trial " << trial;
      }
    }
    // Most corruptions of the structure are caught; the rest only changed values.
    EXPECT_GT(rejected, size_t{kTrials / 10});
  }
}

TEST(PlanRobustness, WrongIdentifier) {
  std::vector<uint8_t> bytes = valid_plan();
  std::memcpy(bytes.data() + 8, "NOPE", 4);  // [u32 size][u32 root offset]["MINT"]
  expect_rejected(bytes, mint_status_invalid_plan, "wrong file identifier");
}

TEST(PlanRobustness, WrongFormatVersion) {
  expect_rejected(mutate_plan(valid_plan(), [](plan::PlanT& p) { p.format_version = 99; }),
                  mint_status_unsupported, "format version 99");
}

TEST(PlanRobustness, OutOfRangeIndicesAndOffsets) {
  const auto bytes = valid_plan();
  expect_rejected(mutate_plan(bytes, [](plan::PlanT& p) { p.ops[0]->inputs[0] = 999; }),
                  mint_status_invalid_plan, "op 0 (fully_connected): input 0 is tensor 999");
  expect_rejected(mutate_plan(bytes, [](plan::PlanT& p) { p.ops[1]->outputs[0] = -1; }),
                  mint_status_invalid_plan, "op 1 (fully_connected): output 0 is tensor -1");
  expect_rejected(mutate_plan(bytes, [](plan::PlanT& p) { p.outputs[0] = 1000; }),
                  mint_status_invalid_plan, "graph output 0 is tensor 1000");
  expect_rejected(mutate_plan(bytes,
                              [](plan::PlanT& p) {
                                for (auto& t : p.tensors) {
                                  if (t->storage == plan::Storage::constant) t->buffer = 77;
                                }
                              }),
                  mint_status_invalid_plan, "buffer index 77");
  expect_rejected(mutate_plan(bytes,
                              [](plan::PlanT& p) {
                                for (auto& t : p.tensors) {
                                  if (t->storage == plan::Storage::constant) t->offset = 1ull << 62;
                                }
                              }),
                  mint_status_invalid_plan, "is outside buffer");
  expect_rejected(mutate_plan(bytes,
                              [](plan::PlanT& p) {
                                for (auto& t : p.tensors) {
                                  if (t->storage == plan::Storage::input) t->offset = 1ull << 20;
                                }
                              }),
                  mint_status_invalid_plan, "outside the");
  expect_rejected(mutate_plan(bytes, [](plan::PlanT& p) { p.buffers[0]->size = 1ull << 40; }),
                  mint_status_invalid_plan, "buffer 0");
  expect_rejected(mutate_plan(bytes, [](plan::PlanT& p) { p.segment_base = 1ull << 40; }),
                  mint_status_invalid_plan, "segment base");
  expect_rejected(mutate_plan(bytes, [](plan::PlanT& p) { p.memory->arena_size = 64; }),
                  mint_status_invalid_plan, "outside the 64-byte arena");
  expect_rejected(mutate_plan(bytes, [](plan::PlanT& p) { p.ops[0]->opcode = static_cast<plan::OpCode>(4000); }),
                  mint_status_unsupported, "opcode 4000");
}

TEST(PlanRobustness, MisalignedData) {
  const auto bytes = valid_plan();
  // A caller buffer that is not 64-byte aligned.
  std::vector<uint8_t> storage(bytes.size() + 128);
  uint8_t* aligned = reinterpret_cast<uint8_t*>((reinterpret_cast<uintptr_t>(storage.data()) + 63) / 64 * 64);
  std::memcpy(aligned + 4, bytes.data(), bytes.size());
  mint_model_t model = nullptr;
  EXPECT_EQ(mint_model_load_memory(aligned + 4, bytes.size(), nullptr, &model), mint_status_invalid_argument);
  EXPECT_NE(std::string(mint_last_error()).find("not 64-byte aligned"), std::string::npos);
  // Constant data at an offset that is not a multiple of 64.
  expect_rejected(mutate_plan(bytes,
                              [](plan::PlanT& p) {
                                for (auto& t : p.tensors) {
                                  if (t->storage == plan::Storage::constant) t->offset = 4;
                                }
                              }),
                  mint_status_invalid_plan, "");
  expect_rejected(mutate_plan(bytes, [](plan::PlanT& p) { p.buffers[0]->offset = 8; }),
                  mint_status_invalid_plan, "misaligned");
}

TEST(PlanRobustness, OversizedShapesAndWrongSizes) {
  const auto bytes = valid_plan();
  expect_rejected(mutate_plan(bytes, [](plan::PlanT& p) { p.tensors[0]->shape = {1ll << 31, 1ll << 31, 1ll << 31}; }),
                  mint_status_invalid_plan, "more than 2^40 elements");
  expect_rejected(mutate_plan(bytes, [](plan::PlanT& p) { p.tensors[0]->shape = {-3, 20}; }),
                  mint_status_invalid_plan, "negative");
  expect_rejected(mutate_plan(bytes, [](plan::PlanT& p) { p.tensors[0]->shape = {1, 1, 1, 1, 1, 1, 1, 1, 1}; }),
                  mint_status_invalid_plan, "rank 9");
  expect_rejected(mutate_plan(bytes, [](plan::PlanT& p) { p.tensors[0]->byte_size += 4; }),
                  mint_status_invalid_plan, "byte size");
  expect_rejected(mutate_plan(bytes, [](plan::PlanT& p) { p.tensors[0]->shape = {3, 21}; p.tensors[0]->byte_size = 252; }),
                  mint_status_invalid_plan, "want last dimension 20");
  expect_rejected(mutate_plan(bytes, [](plan::PlanT& p) { p.memory->arena_size = 1ull << 50; }),
                  mint_status_invalid_plan, "sanity limit");
  expect_rejected(mutate_plan(bytes, [](plan::PlanT& p) { p.memory->arena_size = 1ull << 30; }),
                  mint_status_invalid_plan, "more than its tensors need");
  expect_rejected(mutate_plan(bytes, [](plan::PlanT& p) { p.tensors[0]->dtype = static_cast<plan::DType>(42); }),
                  mint_status_invalid_plan, "unknown dtype 42");
}

TEST(PlanRobustness, BadQuantizationAndOptions) {
  const auto bytes = valid_plan(compiler::WeightPrecision::kInt8);
  expect_rejected(mutate_plan(bytes,
                              [](plan::PlanT& p) {
                                for (auto& t : p.tensors) {
                                  if (t->quantization) t->quantization->scales[0] = -1.0f;
                                }
                              }),
                  mint_status_invalid_plan, "quantization scale 0 is");
  expect_rejected(mutate_plan(bytes,
                              [](plan::PlanT& p) {
                                for (auto& t : p.tensors) {
                                  if (t->quantization) t->quantization->scales.pop_back();
                                }
                              }),
                  mint_status_invalid_plan, "quantization scales, want");
  expect_rejected(mutate_plan(bytes, [](plan::PlanT& p) { p.ops[0]->options.Reset(); }),
                  mint_status_invalid_plan, "options must be FullyConnectedOptions");
}

// A fully_connected with int4 weights (k = 64, group size 32) whose weight tensor is broken.
TEST(PlanRobustness, BadInt4Weights) {
  std::mt19937 rng(12);
  GraphBuilder b;
  const ValueId x = b.input("x", DType::f32, {2, 64});
  b.output(b.fully_connected(x, b.constant_f32("w", {24, 64}, random_floats(rng, 24 * 64)),
                             compiler::kInvalidValue, plan::Activation::none, "fc"));
  compiler::CompileOptions options;
  options.weights = compiler::WeightPrecision::kInt4;
  const auto bytes = compile_or_die(b, options);
  EXPECT_EQ(load_and_run(bytes).status, mint_status_success);
  const auto edit_weights = [&](const std::function<void(plan::TensorT&)>& edit) {
    return mutate_plan(bytes, [&](plan::PlanT& p) {
      for (auto& t : p.tensors) {
        if (t->layout == plan::Layout::gemm_qs4) edit(*t);
      }
    });
  };
  expect_rejected(edit_weights([](plan::TensorT& t) { t.quantization.reset(); }),
                  mint_status_invalid_plan, "needs per_group quantization");
  expect_rejected(edit_weights([](plan::TensorT& t) { t.dtype = plan::DType::i8; }),
                  mint_status_invalid_plan, "dtype");
  expect_rejected(edit_weights([](plan::TensorT& t) {
                    t.quantization->group_size = 16;
                    t.quantization->scales.resize(t.quantization->scales.size() * 2, 1.0f);
                  }),
                  mint_status_invalid_plan, "group size 32, 64 or 128");
  expect_rejected(edit_weights([](plan::TensorT& t) { t.quantization->scales.pop_back(); }),
                  mint_status_invalid_plan, "quantization scales, want");
}

TEST(PlanRobustness, FilesThatAreNotPlans) {
  mint_model_t model = nullptr;
  EXPECT_EQ(mint_model_load_file("/", nullptr, &model), mint_status_io_error);
  EXPECT_EQ(mint_model_load_file("/dev/null", nullptr, &model), mint_status_io_error);
  const std::vector<uint8_t> text = {'h', 'e', 'l', 'l', 'o', ' ', 'w', 'o', 'r', 'l', 'd', '\n'};
  expect_rejected(text, mint_status_invalid_plan, "exceeds the file size");
  expect_rejected({}, mint_status_invalid_plan, "too short");
}

}  // namespace
}  // namespace mint
