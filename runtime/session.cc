#include "runtime/session.h"

#include <sys/mman.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <cstring>

#include "runtime/hardware.h"

namespace mint {

Session::Block::~Block() {
  if (data_ != nullptr) munmap(data_, size_);
}

Session::Block& Session::Block::operator=(Block&& o) noexcept {
  if (this != &o) {
    if (data_ != nullptr) munmap(data_, size_);
    data_ = o.data_;
    size_ = o.size_;
    o.data_ = nullptr;
    o.size_ = 0;
  }
  return *this;
}

Result<Session::Block> Session::allocate(size_t bytes, const char* what) {
  Block block;
  if (bytes == 0) return block;
  void* p = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (p == MAP_FAILED) {
    return Status::out_of_memory(std::string("cannot allocate ") + std::to_string(bytes) +
                                 " bytes for the " + what);
  }
  block.data_ = static_cast<uint8_t*>(p);
  block.size_ = bytes;
  return block;
}

Session::~Session() {
  if (pool_ != nullptr) pthreadpool_destroy(pool_);
}

Result<std::unique_ptr<Session>> Session::create(const Model& model, const SessionOptions& options) {
  auto session = std::unique_ptr<Session>(new Session(model));
  session->isa_mask_ = model.isa_mask();
  if (options.max_isa != nullptr) {
    MINT_ASSIGN_OR_RETURN(IsaMask allowed, allowed_isa_mask(options.max_isa));
    session->isa_mask_ &= allowed;
  }
  if (options.num_threads > 1024) {
    return Status::invalid_argument("num_threads " + std::to_string(options.num_threads) + " exceeds 1024");
  }
  const size_t threads = options.num_threads == 0 ? 1 : options.num_threads;
  if (threads > 1) {
    session->pool_ = pthreadpool_create(threads);
    if (session->pool_ == nullptr) return Status::out_of_memory("cannot create a thread pool");
  }
  MINT_ASSIGN_OR_RETURN(session->arena_, allocate(model.arena_size(), "arena"));
  MINT_ASSIGN_OR_RETURN(session->state_, allocate(model.state_size(), "state region"));

  const auto& tensors = model.tensors();
  session->tensor_data_.resize(tensors.size());
  for (size_t i = 0; i < tensors.size(); ++i) {
    const TensorDesc& t = tensors[i];
    switch (t.storage) {
      case plan::Storage::constant: session->tensor_data_[i] = const_cast<uint8_t*>(t.data); break;
      case plan::Storage::state: session->tensor_data_[i] = session->state_.get() + t.offset; break;
      default: session->tensor_data_[i] = session->arena_.get() + t.offset; break;
    }
  }
  const PrepareContext ctx{session->isa_mask_, threads};
  size_t scratch = 0;
  for (size_t i = 0; i < model.ops().size(); ++i) {
    const OpView& op = model.ops()[i];
    const OpDefinition* def = model.op_definitions()[i];
    auto node = def->prepare(op, ctx);
    if (!node.is_ok()) {
      return node.status().with_context("op " + std::to_string(i) + " (" + def->name + ")");
    }
    scratch = std::max(scratch, node.value()->scratch_bytes());
    session->nodes_.push_back(std::move(node).value());
  }
  MINT_ASSIGN_OR_RETURN(session->scratch_, allocate(scratch, "scratch"));
  return session;
}

Status Session::set_input(size_t index, const void* data, size_t byte_size) {
  const auto& inputs = model_.inputs();
  if (index >= inputs.size()) {
    return Status::invalid_argument("input index " + std::to_string(index) + " is outside [0, " +
                                    std::to_string(inputs.size()) + ")");
  }
  const TensorDesc& t = model_.tensors()[inputs[index]];
  if (data == nullptr && byte_size != 0) return Status::invalid_argument("input data is null");
  if (byte_size != t.byte_size) {
    return Status::invalid_argument("input " + std::to_string(index) + " '" + t.name + "' takes " +
                                    std::to_string(t.byte_size) + " bytes (" + dtype_name(t.dtype) + " " +
                                    t.shape.to_string() + "), got " + std::to_string(byte_size));
  }
  if (byte_size != 0) std::memcpy(tensor_data_[inputs[index]], data, byte_size);
  return Status::ok();
}

Status Session::run() {
  if (!model_.segments().empty()) return run_segment(0);
  return run_ops(0, nodes_.size());
}

Status Session::run_segment(size_t index) {
  const auto& segments = model_.segments();
  if (index >= segments.size()) {
    return Status::invalid_argument("segment " + std::to_string(index) + " is outside [0, " +
                                    std::to_string(segments.size()) + ")");
  }
  last_segment_ = -1;
  MINT_RETURN_IF_ERROR(run_ops(segments[index].first_op, segments[index].op_count)
                           .with_context("segment '" + segments[index].name + "'"));
  last_segment_ = static_cast<int>(index);
  return Status::ok();
}

void Session::set_profile(std::vector<double>* seconds) {
  profile_ = seconds;
  if (profile_ != nullptr) profile_->resize(nodes_.size(), 0.0);
}

Status Session::run_ops(size_t first, size_t count) {
  const ExecContext ctx{tensor_data_.data(), pool_, scratch_.get()};
  for (size_t i = first; i < first + count; ++i) {
    const auto t0 = profile_ ? std::chrono::steady_clock::now() : std::chrono::steady_clock::time_point();
    Status st = nodes_[i]->run(ctx);
    if (profile_) (*profile_)[i] += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (!st.is_ok()) {
      has_run_ = false;
      return st.with_context("op " + std::to_string(i) + " (" + model_.op_definitions()[i]->name + ")");
    }
  }
  has_run_ = true;
  return Status::ok();
}

Result<const uint8_t*> Session::output(size_t index, size_t* byte_size) const {
  const auto& outputs = model_.outputs();
  if (index >= outputs.size()) {
    return Status::invalid_argument("output index " + std::to_string(index) + " is outside [0, " +
                                    std::to_string(outputs.size()) + ")");
  }
  if (!has_run_) return Status::invalid_state("no successful run yet");
  if (!model_.segments().empty()) {
    const auto& outs = last_segment_ >= 0 ? model_.segments()[last_segment_].outputs : std::vector<int32_t>{};
    if (std::find(outs.begin(), outs.end(), outputs[index]) == outs.end()) {
      return Status::invalid_state("output " + std::to_string(index) +
                                   " is not an output of the segment that ran last");
    }
  }
  *byte_size = model_.tensors()[outputs[index]].byte_size;
  return static_cast<const uint8_t*>(tensor_data_[outputs[index]]);
}

}  // namespace mint
