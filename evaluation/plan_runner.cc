#include "evaluation/plan_runner.h"

namespace mint::eval {
namespace {

TensorInfo to_info(const mint_tensor_info& i) {
  TensorInfo t;
  t.name = i.name ? i.name : "";
  t.dtype = i.dtype;
  t.shape.assign(i.shape, i.shape + i.rank);
  t.elements = 1;
  for (int64_t d : t.shape) t.elements *= size_t(d);
  return t;
}

}  // namespace

PlanRunner::~PlanRunner() {
  mint_session_free(session_);
  mint_model_free(model_);
}

Status PlanRunner::fail(mint_status st, const std::string& what) const {
  return Status(st, path_ + ": " + what + ": " + mint_last_error());
}

Status PlanRunner::open(const std::string& path, size_t threads, const std::string& isa) {
  path_ = path;
  mint_status st = mint_model_load_file(path.c_str(), nullptr, &model_);
  if (st != mint_status_success) return fail(st, "load");
  mint_session_options options;
  mint_session_options_init(&options);
  options.num_threads = threads;
  options.max_isa = isa.empty() ? nullptr : isa.c_str();
  st = mint_session_create(model_, &options, &session_);
  if (st != mint_status_success) return fail(st, "session");
  const char* used = "";
  mint_session_isa(session_, &used);
  isa_ = used;
  size_t n_in = 0, n_out = 0;
  mint_model_input_count(model_, &n_in);
  mint_model_output_count(model_, &n_out);
  for (size_t i = 0; i < n_in; ++i) {
    mint_tensor_info info{};
    info.size = sizeof(info);
    mint_model_input_info(model_, i, &info);
    inputs_.push_back(to_info(info));
  }
  for (size_t i = 0; i < n_out; ++i) {
    mint_tensor_info info{};
    info.size = sizeof(info);
    mint_model_output_info(model_, i, &info);
    outputs_.push_back(to_info(info));
  }
  return Status::ok();
}

Result<size_t> PlanRunner::output_index(const std::string& name) const {
  std::string have;
  for (size_t i = 0; i < outputs_.size(); ++i) {
    if (outputs_[i].name == name) return i;
    have += (i ? ", '" : "'") + outputs_[i].name + "'";
  }
  return Status::invalid_argument(path_ + ": no output '" + name + "' (outputs: " + have + ")");
}

size_t PlanRunner::batch(size_t input) const {
  const auto& s = inputs_[input].shape;
  return s.empty() || s[0] <= 0 ? 1 : size_t(s[0]);
}

Status PlanRunner::set_input(size_t index, const float* data, size_t count) {
  if (index >= inputs_.size()) {
    return Status::invalid_argument(path_ + ": no input " + std::to_string(index));
  }
  const TensorInfo& t = inputs_[index];
  if (t.dtype != mint_dtype_f32) {
    return Status::unsupported(path_ + ": input '" + t.name + "' is " + mint_dtype_string(t.dtype) +
                               ", want f32");
  }
  if (count != t.elements) {
    return Status::invalid_argument(path_ + ": input '" + t.name + "' takes " +
                                    std::to_string(t.elements) + " values, given " +
                                    std::to_string(count));
  }
  const mint_status st = mint_session_set_input(session_, index, data, count * sizeof(float));
  if (st != mint_status_success) return fail(st, "set input '" + t.name + "'");
  return Status::ok();
}

Status PlanRunner::run() {
  const mint_status st = mint_session_run(session_);
  if (st != mint_status_success) return fail(st, "run");
  return Status::ok();
}

Result<std::vector<float>> PlanRunner::output(size_t index) const {
  if (index >= outputs_.size())
    return Status::invalid_argument(path_ + ": no output " + std::to_string(index));
  const TensorInfo& t = outputs_[index];
  if (t.dtype != mint_dtype_f32) {
    return Status::unsupported(path_ + ": output '" + t.name + "' is " +
                               mint_dtype_string(t.dtype) + ", want f32");
  }
  std::vector<float> v(t.elements);
  const mint_status st =
      mint_session_get_output(session_, index, v.data(), v.size() * sizeof(float));
  if (st != mint_status_success) return fail(st, "output '" + t.name + "'");
  return v;
}

}  // namespace mint::eval
