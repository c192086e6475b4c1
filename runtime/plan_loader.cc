// Model loading: mapping, FlatBuffers verification and semantic validation of a plan.
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <algorithm>
#include <cstring>
#include <limits>

#include "runtime/hardware.h"
#include "runtime/model.h"
#include "runtime/tokenizer/from_plan.h"
#include "runtime/tokenizer/tokenizer.h"

namespace mint {

constexpr uint32_t kSupportedFormatVersion = 1;
constexpr size_t kPlanAlignment = 64;
// Sanity limits: beyond these a plan is rejected as corrupt rather than attempted.
constexpr uint64_t kMaxElements = uint64_t{1} << 40;
constexpr uint64_t kMaxRegionBytes = uint64_t{1} << 40;

class MappedFile {
 public:
  ~MappedFile() {
    if (data_ != nullptr) munmap(data_, size_);
  }
  static Result<std::unique_ptr<MappedFile>> open(const std::string& path) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return Status::io_error("cannot open '" + path + "': " + std::strerror(errno));
    struct stat st;
    if (fstat(fd, &st) != 0) {
      const int err = errno;
      ::close(fd);
      return Status::io_error("cannot stat '" + path + "': " + std::strerror(err));
    }
    if (!S_ISREG(st.st_mode)) {
      ::close(fd);
      return Status::io_error("'" + path + "' is not a regular file");
    }
    if (st.st_size == 0) {
      ::close(fd);
      return Status::invalid_plan("'" + path + "' is empty");
    }
    void* data = mmap(nullptr, static_cast<size_t>(st.st_size), PROT_READ, MAP_PRIVATE, fd, 0);
    const int err = errno;
    ::close(fd);
    if (data == MAP_FAILED) return Status::io_error("cannot map '" + path + "': " + std::strerror(err));
    auto file = std::unique_ptr<MappedFile>(new MappedFile());
    file->data_ = data;
    file->size_ = static_cast<size_t>(st.st_size);
    return file;
  }
  const uint8_t* data() const { return static_cast<const uint8_t*>(data_); }
  size_t size() const { return size_; }

 private:
  MappedFile() = default;
  void* data_ = nullptr;
  size_t size_ = 0;
};

Model::~Model() = default;

Result<std::unique_ptr<Model>> Model::load_file(const std::string& path, const LoadOptions& options) {
  MINT_ASSIGN_OR_RETURN(std::unique_ptr<MappedFile> file, MappedFile::open(path));
  auto model = std::unique_ptr<Model>(new Model());
  model->data_ = file->data();
  model->size_ = file->size();
  model->file_ = std::move(file);
  MINT_RETURN_IF_ERROR(model->validate(options).with_context("plan '" + path + "'"));
  return model;
}

Result<std::unique_ptr<Model>> Model::load_memory(const void* data, size_t size,
                                                  const LoadOptions& options) {
  if (data == nullptr) return Status::invalid_argument("plan data is null");
  if (reinterpret_cast<uintptr_t>(data) % kPlanAlignment != 0) {
    return Status::invalid_argument("plan data at " + std::to_string(reinterpret_cast<uintptr_t>(data)) +
                                    " is not 64-byte aligned");
  }
  auto model = std::unique_ptr<Model>(new Model());
  model->data_ = static_cast<const uint8_t*>(data);
  model->size_ = size;
  MINT_RETURN_IF_ERROR(model->validate(options).with_context("plan"));
  return model;
}

const char* Model::metadata(const std::string& key) const {
  const plan::Metadata* md = plan_->metadata();
  if (md == nullptr) return nullptr;
  if (key == "producer") return md->producer() ? md->producer()->c_str() : nullptr;
  if (key == "model_family") return md->model_family() ? md->model_family()->c_str() : nullptr;
  if (md->entries() == nullptr) return nullptr;
  for (const plan::KeyValue* kv : *md->entries()) {
    if (kv->key() && kv->key()->str() == key) return kv->value() ? kv->value()->c_str() : "";
  }
  return nullptr;
}

namespace {

bool add_overflows(uint64_t a, uint64_t b, uint64_t limit) { return a > limit || b > limit - a; }

std::string tensor_ref(size_t i, const TensorDesc& t) {
  return "tensor " + std::to_string(i) + " '" + t.name + "'";
}

Status validate_quantization(const plan::Quantization* q, TensorDesc* t) {
  if (q == nullptr || q->kind() == plan::QuantKind::none) return Status::ok();
  const auto kind = q->kind();
  if (static_cast<int>(kind) < 0 || kind > plan::QuantKind::MAX) {
    return Status::invalid_plan("unknown quantization kind " + std::to_string(static_cast<int>(kind)));
  }
  const size_t scales = q->scales() ? q->scales()->size() : 0;
  size_t want = 1;
  if (kind != plan::QuantKind::per_tensor) {
    if (q->axis() < 0 || static_cast<size_t>(q->axis()) >= t->shape.rank) {
      return Status::invalid_plan("quantization axis " + std::to_string(q->axis()) +
                                  " is outside the rank " + std::to_string(t->shape.rank));
    }
    const int64_t dim = t->shape[static_cast<size_t>(q->axis())];
    if (kind == plan::QuantKind::per_channel) {
      want = static_cast<size_t>(dim);
    } else {
      if (q->group_size() <= 0 || dim % q->group_size() != 0) {
        return Status::invalid_plan("quantization group size " + std::to_string(q->group_size()) +
                                    " does not divide dimension " + std::to_string(dim));
      }
      want = static_cast<size_t>(t->shape.elements() / q->group_size());
    }
  }
  if (scales != want) {
    return Status::invalid_plan("has " + std::to_string(scales) + " quantization scales, want " +
                                std::to_string(want));
  }
  for (size_t i = 0; i < scales; ++i) {
    const float s = q->scales()->Get(static_cast<flatbuffers::uoffset_t>(i));
    if (!std::isfinite(s) || s <= 0.0f) {
      return Status::invalid_plan("quantization scale " + std::to_string(i) + " is " +
                                  std::to_string(s) + ", want finite and > 0");
    }
  }
  const size_t zps = q->zero_points() ? q->zero_points()->size() : 0;
  if (zps != 0 && zps != scales) {
    return Status::invalid_plan("has " + std::to_string(zps) + " zero points, want 0 or " +
                                std::to_string(scales));
  }
  for (size_t i = 0; i < zps; ++i) {
    const int32_t zp = q->zero_points()->Get(static_cast<flatbuffers::uoffset_t>(i));
    const bool unsigned8 = t->dtype == DType::u8;
    const int32_t lo = unsigned8 ? 0 : (t->dtype == DType::i4 ? -8 : -128);
    const int32_t hi = unsigned8 ? 255 : (t->dtype == DType::i4 ? 7 : 127);
    if (t->dtype != DType::i32 && (zp < lo || zp > hi)) {
      return Status::invalid_plan("zero point " + std::to_string(zp) + " is outside [" +
                                  std::to_string(lo) + ", " + std::to_string(hi) + "]");
    }
  }
  t->quant.kind = kind;
  t->quant.axis = q->axis();
  t->quant.group_size = q->group_size();
  t->quant.count = scales;
  t->quant.scales = q->scales()->data();
  t->quant.zero_points = zps ? q->zero_points()->data() : nullptr;
  return Status::ok();
}

}  // namespace

Status Model::validate(const LoadOptions& options) {
  // ---- file layout and FlatBuffers verification ----
  if (size_ < 8) return Status::invalid_plan("file has " + std::to_string(size_) + " bytes, too short");
  uint32_t fb_size;
  std::memcpy(&fb_size, data_, sizeof(fb_size));
  if (uint64_t{fb_size} + 4 > size_) {
    return Status::invalid_plan("FlatBuffer length " + std::to_string(fb_size) +
                                " exceeds the file size " + std::to_string(size_));
  }
  if (!plan::SizePrefixedPlanBufferHasIdentifier(data_)) {
    return Status::invalid_plan("wrong file identifier (not a mint plan)");
  }
  flatbuffers::Verifier verifier(data_, uint64_t{fb_size} + 4);
  if (!plan::VerifySizePrefixedPlanBuffer(verifier)) {
    return Status::invalid_plan("the FlatBuffer failed verification (corrupted or truncated)");
  }
  plan_ = plan::GetSizePrefixedPlan(data_);
  if (plan_->format_version() != kSupportedFormatVersion) {
    return Status::unsupported("format version " + std::to_string(plan_->format_version()) +
                               ", this runtime reads version " + std::to_string(kSupportedFormatVersion));
  }
  const uint64_t segment_base = plan_->segment_base();
  if (segment_base % kPlanAlignment != 0 || segment_base < uint64_t{fb_size} + 4 || segment_base > size_) {
    return Status::invalid_plan("segment base " + std::to_string(segment_base) +
                                " is misaligned or outside the file");
  }
  const uint64_t segments_size = size_ - segment_base;
  const size_t buffer_count = plan_->buffers() ? plan_->buffers()->size() : 0;
  for (size_t i = 0; i < buffer_count; ++i) {
    const plan::Buffer* b = plan_->buffers()->Get(static_cast<flatbuffers::uoffset_t>(i));
    if (b->offset() % kPlanAlignment != 0 || add_overflows(b->offset(), b->size(), segments_size)) {
      return Status::invalid_plan("buffer " + std::to_string(i) + " [" + std::to_string(b->offset()) +
                                  ", +" + std::to_string(b->size()) + ") is misaligned or outside the " +
                                  std::to_string(segments_size) + " bytes of segments");
    }
  }

  // ---- memory plan ----
  const plan::MemoryPlan* memory = plan_->memory();
  if (memory != nullptr) {
    arena_size_ = memory->arena_size();
    state_size_ = memory->state_size();
    if (memory->arena_size() > kMaxRegionBytes || memory->state_size() > kMaxRegionBytes) {
      return Status::invalid_plan("memory plan asks for " + std::to_string(memory->arena_size()) +
                                  " arena bytes and " + std::to_string(memory->state_size()) +
                                  " state bytes, beyond the 1 TiB sanity limit");
    }
    if (memory->alignment() < kPlanAlignment || memory->alignment() % kPlanAlignment != 0) {
      return Status::invalid_plan("memory plan alignment " + std::to_string(memory->alignment()) +
                                  " is not a multiple of 64");
    }
  }

  // ---- tensors ----
  const size_t tensor_count = plan_->tensors() ? plan_->tensors()->size() : 0;
  tensors_.resize(tensor_count);
  for (size_t i = 0; i < tensor_count; ++i) {
    const plan::Tensor* ft = plan_->tensors()->Get(static_cast<flatbuffers::uoffset_t>(i));
    TensorDesc& t = tensors_[i];
    t.name = ft->name() ? ft->name()->str() : "t" + std::to_string(i);
    const std::string where = tensor_ref(i, t);
    if (static_cast<int>(ft->dtype()) < 0 || ft->dtype() > DType::MAX) {
      return Status::invalid_plan(where + ": unknown dtype " + std::to_string(static_cast<int>(ft->dtype())));
    }
    if (static_cast<int>(ft->layout()) < 0 || ft->layout() > plan::Layout::MAX) {
      return Status::invalid_plan(where + ": unknown layout " + std::to_string(static_cast<int>(ft->layout())));
    }
    if (static_cast<int>(ft->storage()) < 0 || ft->storage() > plan::Storage::MAX) {
      return Status::invalid_plan(where + ": unknown storage " + std::to_string(static_cast<int>(ft->storage())));
    }
    t.dtype = ft->dtype();
    t.layout = ft->layout();
    t.storage = ft->storage();
    // (the FlatBuffers 2.0 verifier checks only the 4-byte length of an int64 vector)
    if (ft->shape() && ft->shape()->size() > 0 &&
        reinterpret_cast<uintptr_t>(ft->shape()->data()) % alignof(int64_t) != 0) {
      return Status::invalid_plan(where + ": shape is not 8-byte aligned in the plan");
    }
    const size_t rank = ft->shape() ? ft->shape()->size() : 0;
    if (rank > kMaxRank) {
      return Status::invalid_plan(where + ": rank " + std::to_string(rank) + " exceeds " + std::to_string(kMaxRank));
    }
    t.shape.rank = rank;
    uint64_t elements = 1;
    for (size_t d = 0; d < rank; ++d) {
      const int64_t dim = ft->shape()->Get(static_cast<flatbuffers::uoffset_t>(d));
      if (dim < 0) return Status::invalid_plan(where + ": dimension " + std::to_string(d) + " is negative");
      if (dim > 0 && elements > kMaxElements / static_cast<uint64_t>(dim)) {
        return Status::invalid_plan(where + ": shape has more than 2^40 elements");
      }
      t.shape[d] = dim;
      elements *= static_cast<uint64_t>(dim);
    }
    t.byte_size = ft->byte_size();
    if (t.layout == plan::Layout::plain && t.byte_size != plain_byte_size(t.dtype, static_cast<int64_t>(elements))) {
      return Status::invalid_plan(where + ": byte size " + std::to_string(t.byte_size) + ", want " +
                                  std::to_string(plain_byte_size(t.dtype, static_cast<int64_t>(elements))) +
                                  " for " + dtype_name(t.dtype) + " " + t.shape.to_string());
    }
    if (t.layout != plan::Layout::plain && t.storage != plan::Storage::constant) {
      return Status::invalid_plan(where + ": packed layout " + layout_name(t.layout) + " on a non-constant");
    }
    MINT_RETURN_IF_ERROR(validate_quantization(ft->quantization(), &t).with_context(where));
    if (t.storage == plan::Storage::constant) {
      if (ft->buffer() >= buffer_count) {
        return Status::invalid_plan(where + ": buffer index " + std::to_string(ft->buffer()) +
                                    " is outside the " + std::to_string(buffer_count) + " buffers");
      }
      const plan::Buffer* b = plan_->buffers()->Get(ft->buffer());
      if (add_overflows(ft->offset(), t.byte_size, b->size())) {
        return Status::invalid_plan(where + ": data [" + std::to_string(ft->offset()) + ", +" +
                                    std::to_string(t.byte_size) + ") is outside buffer " +
                                    std::to_string(ft->buffer()) + " of " + std::to_string(b->size()) + " bytes");
      }
      const uint64_t file_offset = segment_base + b->offset() + ft->offset();
      if (file_offset % kPlanAlignment != 0) {
        return Status::invalid_plan(where + ": data at file offset " + std::to_string(file_offset) +
                                    " is not 64-byte aligned");
      }
      t.data = data_ + file_offset;
    } else {
      const uint64_t region = t.storage == plan::Storage::state ? state_size_ : arena_size_;
      if (ft->offset() % kPlanAlignment != 0 || add_overflows(ft->offset(), t.byte_size, region)) {
        return Status::invalid_plan(where + ": " + storage_name(t.storage) + " range [" +
                                    std::to_string(ft->offset()) + ", +" + std::to_string(t.byte_size) +
                                    ") is misaligned or outside the " + std::to_string(region) + "-byte " +
                                    (t.storage == plan::Storage::state ? "state region" : "arena"));
      }
      t.offset = ft->offset();
    }
  }

  // A planner never needs more than every tensor in its own slot: larger regions are corrupt.
  uint64_t arena_needed = 0, state_needed = 0;
  for (const TensorDesc& t : tensors_) {
    if (t.storage == plan::Storage::constant) continue;
    uint64_t& needed = t.storage == plan::Storage::state ? state_needed : arena_needed;
    needed += (t.byte_size + kPlanAlignment - 1) / kPlanAlignment * kPlanAlignment;
  }
  if (arena_size_ > arena_needed || state_size_ > state_needed) {
    return Status::invalid_plan("memory plan asks for " + std::to_string(arena_size_) + " arena and " +
                                std::to_string(state_size_) + " state bytes, more than its tensors need (" +
                                std::to_string(arena_needed) + " and " + std::to_string(state_needed) + ")");
  }

  // ---- graph inputs and outputs ----
  auto read_io = [&](const flatbuffers::Vector<int32_t>* ids, plan::Storage want, const char* what,
                     std::vector<int32_t>* out) -> Status {
    if (ids == nullptr) return Status::ok();
    for (size_t i = 0; i < ids->size(); ++i) {
      const int32_t id = ids->Get(static_cast<flatbuffers::uoffset_t>(i));
      if (id < 0 || static_cast<size_t>(id) >= tensor_count) {
        return Status::invalid_plan(std::string(what) + " " + std::to_string(i) + " is tensor " +
                                    std::to_string(id) + ", outside [0, " + std::to_string(tensor_count) + ")");
      }
      if (tensors_[id].storage != want) {
        return Status::invalid_plan(std::string(what) + " " + std::to_string(i) + " " +
                                    tensor_ref(id, tensors_[id]) + " has storage " +
                                    storage_name(tensors_[id].storage) + ", want " + storage_name(want));
      }
      out->push_back(id);
    }
    return Status::ok();
  };
  MINT_RETURN_IF_ERROR(read_io(plan_->inputs(), plan::Storage::input, "graph input", &inputs_));
  MINT_RETURN_IF_ERROR(read_io(plan_->outputs(), plan::Storage::output, "graph output", &outputs_));
  if (outputs_.empty()) return Status::invalid_plan("the plan has no outputs");

  // ---- ops ----
  const size_t op_count = plan_->ops() ? plan_->ops()->size() : 0;
  ops_.resize(op_count);
  op_defs_.resize(op_count);
  for (size_t i = 0; i < op_count; ++i) {
    const plan::Op* fop = plan_->ops()->Get(static_cast<flatbuffers::uoffset_t>(i));
    const std::string where = "op " + std::to_string(i) + " (" + op_code_name(fop->opcode()) + ")";
    const OpDefinition* def = find_op_definition(fop->opcode());
    if (def == nullptr) return Status::unsupported(where + ": this runtime has no such op");
    OpView& view = ops_[i];
    view.index = i;
    view.op = fop;
    auto read_ids = [&](const flatbuffers::Vector<int32_t>* ids, bool allow_absent, const char* role,
                        std::vector<int32_t>* out_ids, std::vector<const TensorDesc*>* out) -> Status {
      if (ids == nullptr) return Status::ok();
      for (size_t j = 0; j < ids->size(); ++j) {
        const int32_t id = ids->Get(static_cast<flatbuffers::uoffset_t>(j));
        if (id == -1 && allow_absent) {
          out_ids->push_back(-1);
          out->push_back(nullptr);
          continue;
        }
        if (id < 0 || static_cast<size_t>(id) >= tensor_count) {
          return Status::invalid_plan(std::string(role) + " " + std::to_string(j) + " is tensor " +
                                      std::to_string(id) + ", outside [0, " + std::to_string(tensor_count) + ")");
        }
        out_ids->push_back(id);
        out->push_back(&tensors_[id]);
      }
      return Status::ok();
    };
    MINT_RETURN_IF_ERROR(read_ids(fop->inputs(), true, "input", &view.input_ids, &view.inputs).with_context(where));
    MINT_RETURN_IF_ERROR(read_ids(fop->outputs(), false, "output", &view.output_ids, &view.outputs).with_context(where));
    for (size_t j = 0; j < view.outputs.size(); ++j) {
      const plan::Storage s = view.outputs[j]->storage;
      if (s == plan::Storage::constant || s == plan::Storage::input) {
        return Status::invalid_plan(where + ": output " + std::to_string(j) + " '" + view.outputs[j]->name +
                                    "' is a " + storage_name(s) + ", which ops may not write");
      }
    }
    MINT_RETURN_IF_ERROR(def->validate(view).with_context(where));
    op_defs_[i] = def;
  }

  MINT_RETURN_IF_ERROR(validate_segments());
  // ---- tokenizer ----
  if (const plan::TokenizerInfo* info = plan_->tokenizer()) {
    const std::string where = std::string("tokenizer (") + tokenizer::tokenizer_kind_name(info->kind()) + ")";
    if (info->buffer() >= buffer_count) {
      return Status::invalid_plan(where + ": buffer index " + std::to_string(info->buffer()) +
                                  " is outside the " + std::to_string(buffer_count) + " buffers");
    }
    const plan::Buffer* b = plan_->buffers()->Get(info->buffer());
    const std::string_view bytes(reinterpret_cast<const char*>(data_ + segment_base + b->offset()),
                                 static_cast<size_t>(b->size()));
    MINT_ASSIGN_OR_RETURN(tokenizer_, tokenizer::tokenizer_from_plan(info->kind(), bytes, info->bos_id(),
                                                                     info->eos_id()));
    tokenizer_add_bos_ = info->add_bos();
    if (tokenizer_add_bos_ && tokenizer_->bos_id() < 0) {
      return Status::invalid_plan(where + ": add_bos is set but the tokenizer has no bos id");
    }
  }

  MINT_ASSIGN_OR_RETURN(isa_mask_, allowed_isa_mask(options.max_isa));
  return Status::ok();
}

int Model::segment_index(const std::string& name) const {
  for (size_t i = 0; i < segments_.size(); ++i) {
    if (segments_[i].name == name) return static_cast<int>(i);
  }
  return -1;
}

// Segments (hf-import): in order, contiguous, covering every op; inputs and outputs among the
// graph's; each op reads only constants, state, its segment's inputs and tensors written
// earlier in its segment (segments' arena tensors may overlap).
Status Model::validate_segments() {
  const auto* segs = plan_->segments();
  if (segs == nullptr || segs->size() == 0) return Status::ok();
  const size_t tensor_count = tensors_.size();
  size_t next_op = 0;
  for (size_t s = 0; s < segs->size(); ++s) {
    const plan::Segment* fs = segs->Get(static_cast<flatbuffers::uoffset_t>(s));
    SegmentDesc seg;
    seg.name = fs->name() ? fs->name()->str() : "";
    const std::string where = "segment " + std::to_string(s) + " '" + seg.name + "'";
    if (seg.name.empty() || segment_index(seg.name) >= 0) {
      return Status::invalid_plan(where + ": name is empty or repeated");
    }
    seg.first_op = fs->first_op();
    seg.op_count = fs->op_count();
    if (seg.first_op != next_op || seg.op_count == 0 || seg.op_count > ops_.size() - next_op) {
      return Status::invalid_plan(where + ": ops [" + std::to_string(seg.first_op) + ", +" +
                                  std::to_string(seg.op_count) + ") do not continue at op " +
                                  std::to_string(next_op) + " within the " +
                                  std::to_string(ops_.size()) + " ops");
    }
    next_op += seg.op_count;
    auto read = [&](const flatbuffers::Vector<int32_t>* ids, const std::vector<int32_t>& graph,
                    const char* what, std::vector<int32_t>* out) -> Status {
      if (ids == nullptr) return Status::ok();
      for (size_t i = 0; i < ids->size(); ++i) {
        const int32_t id = ids->Get(static_cast<flatbuffers::uoffset_t>(i));
        if (std::find(graph.begin(), graph.end(), id) == graph.end()) {
          return Status::invalid_plan(where + ": " + what + " " + std::to_string(i) + " is tensor " +
                                      std::to_string(id) + ", which is not a graph " + what);
        }
        out->push_back(id);
      }
      return Status::ok();
    };
    MINT_RETURN_IF_ERROR(read(fs->inputs(), inputs_, "input", &seg.inputs));
    MINT_RETURN_IF_ERROR(read(fs->outputs(), outputs_, "output", &seg.outputs));
    std::vector<bool> defined(tensor_count, false);
    for (int32_t id : seg.inputs) defined[id] = true;
    for (size_t i = seg.first_op; i < seg.first_op + seg.op_count; ++i) {
      const OpView& op = ops_[i];
      for (size_t j = 0; j < op.inputs.size(); ++j) {
        const TensorDesc* t = op.inputs[j];
        if (t == nullptr || t->storage == plan::Storage::constant || t->storage == plan::Storage::state) continue;
        if (!defined[op.input_ids[j]]) {
          return Status::invalid_plan(where + ": op " + std::to_string(i) + " (" +
                                      op_defs_[i]->name + ") reads tensor " +
                                      std::to_string(op.input_ids[j]) + " '" + t->name +
                                      "', which is neither an input of the segment nor written before in it");
        }
      }
      for (int32_t id : op.output_ids) defined[id] = true;
    }
    for (int32_t id : seg.outputs) {
      if (!defined[id]) {
        return Status::invalid_plan(where + ": output tensor " + std::to_string(id) + " '" +
                                    tensors_[id].name + "' is not written by the segment");
      }
    }
    segments_.push_back(std::move(seg));
  }
  if (next_op != ops_.size()) {
    return Status::invalid_plan("segments cover ops [0, " + std::to_string(next_op) + ") of " +
                                std::to_string(ops_.size()));
  }
  return Status::ok();
}

}  // namespace mint
