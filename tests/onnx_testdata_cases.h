// Part (b) of tests/onnx_import_test.cc: the ONNX backend node tests of Debian's
// libonnx-testdata, run end to end. Included once, at the end of that file.
//
// kSupportedCases: imported, compiled, run (scalar ISA, one thread) and compared with the
// expected outputs within |got - want| <= 1e-6 + 1e-5 * |want|.
// kUnsupportedCases: the import must fail with a message containing `why`.
#pragma once

namespace mint {
namespace {

struct TestdataCase {
  const char* dir;
  int runtime_inputs;  // leading graph inputs fed at run time; the rest bound as constants; -1: all
};

const TestdataCase kSupportedCases[] = {
    {"test_relu", -1}, {"test_tanh", -1}, {"test_tanh_example", -1}, {"test_sigmoid", -1},
    {"test_sigmoid_example", -1}, {"test_leakyrelu", -1}, {"test_leakyrelu_default", -1},
    {"test_leakyrelu_example", -1},
    {"test_softmax_axis_0", -1}, {"test_softmax_axis_1", -1}, {"test_softmax_axis_2", -1},
    {"test_softmax_default_axis", -1}, {"test_softmax_example", -1},
    {"test_softmax_large_number", -1}, {"test_softmax_negative_axis", -1},
    {"test_basic_conv_with_padding", 1}, {"test_basic_conv_without_padding", 1},
    {"test_conv_with_strides_padding", 1}, {"test_conv_with_strides_no_padding", 1},
    {"test_conv_with_strides_and_asymmetric_padding", 1}, {"test_conv_with_autopad_same", 1},
    {"test_convtranspose", 1}, {"test_convtranspose_dilations", 1}, {"test_convtranspose_pad", 1},
    {"test_convtranspose_pads", 1},
    {"test_gemm_all_attributes", 1}, {"test_gemm_alpha", 1}, {"test_gemm_beta", 1},
    {"test_gemm_default_matrix_bias", 1}, {"test_gemm_default_no_bias", 1},
    {"test_gemm_default_scalar_bias", 1}, {"test_gemm_default_single_elem_vector_bias", 1},
    {"test_gemm_default_vector_bias", 1}, {"test_gemm_default_zero_bias", 1},
    {"test_gemm_transposeA", 1}, {"test_gemm_transposeB", 1},
    {"test_matmul_2d", -1}, {"test_matmul_3d", -1}, {"test_matmul_4d", -1},
    {"test_add", -1}, {"test_add_bcast", -1}, {"test_mul", -1}, {"test_mul_bcast", -1},
    {"test_mul_example", -1},
    {"test_transpose_all_permutations_0", -1}, {"test_transpose_all_permutations_1", -1},
    {"test_transpose_all_permutations_2", -1}, {"test_transpose_all_permutations_3", -1},
    {"test_transpose_all_permutations_4", -1}, {"test_transpose_all_permutations_5", -1},
    {"test_transpose_default", -1},
    {"test_concat_1d_axis_0", -1}, {"test_concat_1d_axis_negative_1", -1},
    {"test_concat_2d_axis_0", -1}, {"test_concat_2d_axis_1", -1},
    {"test_concat_2d_axis_negative_1", -1}, {"test_concat_2d_axis_negative_2", -1},
    {"test_concat_3d_axis_0", -1}, {"test_concat_3d_axis_1", -1}, {"test_concat_3d_axis_2", -1},
    {"test_concat_3d_axis_negative_1", -1}, {"test_concat_3d_axis_negative_2", -1},
    {"test_concat_3d_axis_negative_3", -1},
    {"test_reshape_extended_dims", 1}, {"test_reshape_negative_dim", 1},
    {"test_reshape_negative_extended_dims", 1}, {"test_reshape_one_dim", 1},
    {"test_reshape_reduced_dims", 1}, {"test_reshape_reordered_all_dims", 1},
    {"test_reshape_reordered_last_dims", 1}, {"test_reshape_zero_and_negative_dim", 1},
    {"test_reshape_zero_dim", 1},
    {"test_flatten_axis0", -1}, {"test_flatten_axis1", -1}, {"test_flatten_axis2", -1},
    {"test_flatten_axis3", -1}, {"test_flatten_default_axis", -1},
    {"test_flatten_negative_axis1", -1}, {"test_flatten_negative_axis2", -1},
    {"test_flatten_negative_axis3", -1}, {"test_flatten_negative_axis4", -1},
    {"test_batchnorm_epsilon", 1}, {"test_batchnorm_example", 1},
    {"test_identity", -1}, {"test_dropout_default", -1}, {"test_dropout_default_ratio", 1},
    {"test_dropout_default_old", -1},
    {"test_constant", -1},
};

struct UnsupportedCase {
  const char* dir;
  const char* why;  // substring of the import error
};

const UnsupportedCase kUnsupportedCases[] = {
    {"test_add_uint8", "dtype UINT8"},
    {"test_mul_uint8", "dtype UINT8"},
    {"test_convtranspose_1d", "only 2-D convolutions"},
    {"test_convtranspose_3d", "only 2-D convolutions"},
    {"test_convtranspose_autopad_same", "attribute auto_pad=SAME_UPPER is not supported"},
    {"test_convtranspose_output_shape", "attribute output_shape is not supported"},
    {"test_convtranspose_kernel_shape", "attribute output_shape is not supported"},
    {"test_convtranspose_with_kernel", "opset 8 is not supported"},
    {"test_batchnorm_epsilon_training_mode", "training_mode=1 is not supported"},
    {"test_batchnorm_example_training_mode", "training_mode=1 is not supported"},
    {"test_dropout_default_mask", "mask output is not supported"},
    {"test_dropout_default_mask_ratio", "mask output is not supported"},
    {"test_dropout_random_old", "attribute ratio is not supported"},
    {"test_reshape_allowzero_reordered", "allowzero=1"},
    {"test_identity_opt", "dtype UNDEFINED"},
    {"test_identity_sequence", "dtype UNDEFINED"},
    {"test_softmax_axis_0_expanded", "op ReduceMax is not supported"},
    {"test_softmax_axis_1_expanded", "op ReduceMax is not supported"},
    {"test_softmax_axis_2_expanded", "op ReduceMax is not supported"},
    {"test_softmax_default_axis_expanded", "op ReduceMax is not supported"},
    {"test_softmax_example_expanded", "op ReduceMax is not supported"},
    {"test_softmax_large_number_expanded", "op ReduceMax is not supported"},
    {"test_softmax_negative_axis_expanded", "op ReduceMax is not supported"},
};

std::string testdata_root() {
  const char* env = std::getenv("MINT_ONNX_TESTDATA_DIR");
  return env ? env : "/usr/share/libonnx-testdata/data/node";
}

bool is_dir(const std::string& path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

Result<OnnxTensor> load_tensor(const std::string& path) {
  MINT_ASSIGN_OR_RETURN(Bytes b, compiler::read_file_bytes(path));
  return compiler::onnx::decode_onnx_tensor(b.data(), b.size());
}

bool testdata_available() {
  if (is_dir(testdata_root())) return true;
#ifdef MINT_CROSSCOMPILING
  return false;
#else
  ADD_FAILURE() << "libonnx-testdata is missing (" << testdata_root()
                << "): apt-get install libonnx-testdata";
  return false;
#endif
}

// Runs one supported case; returns "" on success, else what went wrong.
std::string run_case(const TestdataCase& c) {
  const std::string dir = testdata_root() + "/" + c.dir;
  Result<Bytes> model_bytes = compiler::read_file_bytes(dir + "/model.onnx");
  if (!model_bytes.is_ok()) return model_bytes.status().message();
  auto model = compiler::onnx::decode_onnx_model(model_bytes.value().data(), model_bytes.value().size());
  if (!model.is_ok()) return model.status().message();
  // Graph inputs that are not initializers, in order.
  std::vector<std::string> inputs;
  for (const auto& in : model.value().graph.inputs) {
    bool init = false;
    for (const auto& t : model.value().graph.initializers) init = init || t.name == in.name;
    if (!init) inputs.push_back(in.name);
  }
  OnnxImportOptions options;
  std::vector<std::vector<float>> feeds;
  for (size_t i = 0; i < inputs.size(); ++i) {
    auto t = load_tensor(dir + "/test_data_set_0/input_" + std::to_string(i) + ".pb");
    if (!t.is_ok()) return t.status().message();
    if (c.runtime_inputs < 0 || static_cast<int>(i) < c.runtime_inputs) {
      if (t.value().host != compiler::onnx::HostType::kF32) return "runtime input is not FLOAT";
      feeds.push_back(t.value().f32);
    } else {
      options.constant_inputs[inputs[i]] = t.value();
    }
  }
  auto graph = compiler::import_onnx_model(model.value(), options);
  if (!graph.is_ok()) return "import: " + graph.status().message();
  const RunOutcome r = compile_and_run(std::move(graph).value(), feeds);
  if (!r.error.empty()) return r.error;
  const size_t n_out = model.value().graph.outputs.size();
  if (r.outputs.size() != n_out) return "output count differs";
  for (size_t o = 0; o < n_out; ++o) {
    auto want = load_tensor(dir + "/test_data_set_0/output_" + std::to_string(o) + ".pb");
    if (!want.is_ok()) return want.status().message();
    const std::vector<float> w = want.value().as_f32();
    if (w.size() != r.outputs[o].size()) {
      return "output " + std::to_string(o) + " has " + std::to_string(r.outputs[o].size()) +
             " values, want " + std::to_string(w.size());
    }
    for (size_t i = 0; i < w.size(); ++i) {
      const double tol = 1e-6 + 1e-5 * std::fabs(w[i]);
      if (!(std::fabs(r.outputs[o][i] - w[i]) <= tol)) {
        return "output " + std::to_string(o) + " at " + std::to_string(i) + ": got " +
               std::to_string(r.outputs[o][i]) + ", want " + std::to_string(w[i]);
      }
    }
  }
  return "";
}

TEST(OnnxTestdata, SupportedCasesMatchExpectedOutputs) {
  if (!testdata_available()) GTEST_SKIP() << "cross build without libonnx-testdata";
  size_t passed = 0;
  for (const TestdataCase& c : kSupportedCases) {
    const std::string err = run_case(c);
    EXPECT_EQ(err, "") << c.dir;
    if (err.empty()) ++passed;
    std::printf("  %-48s %s\n", c.dir, err.empty() ? "ok" : "FAILED");
  }
  const size_t total = sizeof(kSupportedCases) / sizeof(kSupportedCases[0]);
  std::printf("libonnx-testdata: %zu of %zu supported cases match\n", passed, total);
  EXPECT_EQ(passed, total);
}

TEST(OnnxTestdata, UnsupportedCasesFailClearly) {
  if (!testdata_available()) GTEST_SKIP() << "cross build without libonnx-testdata";
  size_t checked = 0;
  for (const UnsupportedCase& c : kUnsupportedCases) {
    const std::string dir = testdata_root() + "/" + c.dir;
    OnnxImportOptions options;
    // Bind every input but the first, as for the supported cases, so that the op itself is judged.
    Result<Bytes> bytes = compiler::read_file_bytes(dir + "/model.onnx");
    ASSERT_TRUE(bytes.is_ok()) << bytes.status().message();
    auto model = compiler::onnx::decode_onnx_model(bytes.value().data(), bytes.value().size());
    ASSERT_TRUE(model.is_ok()) << c.dir << ": " << model.status().message();
    const auto& ins = model.value().graph.inputs;
    for (size_t i = 1; i < ins.size(); ++i) {
      auto t = load_tensor(dir + "/test_data_set_0/input_" + std::to_string(i) + ".pb");
      if (t.is_ok()) options.constant_inputs[ins[i].name] = t.value();
    }
    auto g = compiler::import_onnx_model(model.value(), options);
    if (g.is_ok()) {
      ADD_FAILURE() << c.dir << " imported but is listed as unsupported";
      continue;
    }
    EXPECT_NE(g.status().message().find(c.why), std::string::npos)
        << c.dir << ": " << g.status().message();
    EXPECT_NE(g.status().message().find("onnx"), std::string::npos) << g.status().message();
    std::printf("  %-48s unsupported: %s\n", c.dir, g.status().message().c_str());
    ++checked;
  }
  std::printf("libonnx-testdata: %zu expected-unsupported cases fail with a clear message\n", checked);
}

}  // namespace
}  // namespace mint
