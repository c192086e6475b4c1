#include "compiler/hf/safetensors.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <set>

#include "compiler/hf/json.h"
#include "kernels/fp16.h"

namespace mint::compiler::hf {
namespace {

constexpr uint64_t kMaxHeader = 100u << 20;

struct DTypeInfo {
  const char* name;
  StDType dtype;
  size_t size;
};
constexpr DTypeInfo kDTypes[] = {
    {"F64", StDType::kF64, 8}, {"F32", StDType::kF32, 4},  {"F16", StDType::kF16, 2},
    {"BF16", StDType::kBF16, 2}, {"I64", StDType::kI64, 8}, {"I32", StDType::kI32, 4},
    {"I16", StDType::kI16, 2}, {"I8", StDType::kI8, 1},   {"U8", StDType::kU8, 1},
    {"BOOL", StDType::kBool, 1},
};

size_t dtype_bytes(StDType t) {
  for (const auto& d : kDTypes) {
    if (d.dtype == t) return d.size;
  }
  return 1;
}

std::string shape_string(const std::vector<int64_t>& s) {
  std::string out = "[";
  for (size_t i = 0; i < s.size(); ++i) out += (i ? "," : "") + std::to_string(s[i]);
  return out + "]";
}

}  // namespace

const char* st_dtype_name(StDType t) {
  for (const auto& d : kDTypes) {
    if (d.dtype == t) return d.name;
  }
  return "?";
}

int64_t StTensor::elements() const {
  int64_t n = 1;
  for (int64_t d : shape) n *= d;
  return n;
}

Result<std::string> read_text_file(const std::string& path, size_t max_bytes) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::io_error("cannot open '" + path + "'");
  std::string text;
  char buf[65536];
  while (in) {
    in.read(buf, sizeof(buf));
    text.append(buf, static_cast<size_t>(in.gcount()));
    if (text.size() > max_bytes) {
      return Status::invalid_argument("'" + path + "' is larger than " + std::to_string(max_bytes) + " bytes");
    }
  }
  return text;
}

SafetensorsFile::~SafetensorsFile() {
  if (data_ != nullptr) munmap(const_cast<uint8_t*>(data_), size_);
}

Result<std::unique_ptr<SafetensorsFile>> SafetensorsFile::open(const std::string& path) {
  auto file = std::unique_ptr<SafetensorsFile>(new SafetensorsFile());
  file->path_ = path;
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Status::io_error("cannot open '" + path + "': " + std::strerror(errno));
  struct stat st;
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    return Status::io_error("'" + path + "' is not a readable regular file");
  }
  const size_t size = static_cast<size_t>(st.st_size);
  if (size < 8) {
    ::close(fd);
    return Status::invalid_argument("'" + path + "': " + std::to_string(size) +
                                    " bytes, too short for a safetensors header");
  }
  void* p = mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fd, 0);
  const int err = errno;
  ::close(fd);
  if (p == MAP_FAILED) return Status::io_error("cannot map '" + path + "': " + std::strerror(err));
  file->data_ = static_cast<const uint8_t*>(p);
  file->size_ = size;
  MINT_RETURN_IF_ERROR(file->parse());
  return file;
}

Status SafetensorsFile::parse() {
  const std::string where = "'" + path_ + "'";
  uint64_t n = 0;
  for (int i = 0; i < 8; ++i) n |= uint64_t{data_[i]} << (8 * i);
  if (n > size_ - 8 || n > kMaxHeader) {
    return Status::invalid_argument(where + ": header length " + std::to_string(n) +
                                    " exceeds the file (" + std::to_string(size_) + " bytes) or 100 MB");
  }
  const std::string_view text(reinterpret_cast<const char*>(data_ + 8), static_cast<size_t>(n));
  MINT_ASSIGN_OR_RETURN(JsonValue header, parse_json(text, path_ + " header"));
  if (!header.is_object()) return Status::invalid_argument(where + ": header is not a JSON object");
  const uint8_t* base = data_ + 8 + n;
  const uint64_t data_size = size_ - 8 - n;
  for (const auto& [name, entry] : header.object) {
    if (name == "__metadata__") continue;
    const std::string at = where + ": tensor '" + name + "'";
    if (tensors_.count(name)) return Status::invalid_argument(at + " appears twice");
    const JsonValue* dtype = entry.find("dtype");
    const JsonValue* shape = entry.find("shape");
    const JsonValue* offsets = entry.find("data_offsets");
    if (!dtype || !dtype->is_string() || !shape || !shape->is_array() || !offsets ||
        !offsets->is_array() || offsets->array.size() != 2) {
      return Status::invalid_argument(at + ": want {\"dtype\": string, \"shape\": [..], \"data_offsets\": [begin, end]}");
    }
    StTensor t;
    t.name = name;
    t.file = path_;
    bool known = false;
    size_t elem = 1;
    for (const auto& d : kDTypes) {
      if (dtype->string == d.name) {
        t.dtype = d.dtype;
        elem = d.size;
        known = true;
      }
    }
    if (!known) return Status::invalid_argument(at + ": unknown dtype '" + dtype->string + "'");
    uint64_t elements = 1;
    for (const JsonValue& d : shape->array) {
      if (!d.is_number() || !d.is_integer || d.integer < 0 || d.integer > (int64_t{1} << 40)) {
        return Status::invalid_argument(at + ": shape entries must be integers in [0, 2^40]");
      }
      t.shape.push_back(d.integer);
      if (__builtin_mul_overflow(elements, static_cast<uint64_t>(d.integer), &elements) ||
          elements > (uint64_t{1} << 40)) {
        return Status::invalid_argument(at + ": shape " + shape_string(t.shape) + " is too large");
      }
    }
    const JsonValue& b = offsets->array[0];
    const JsonValue& e = offsets->array[1];
    if (!b.is_integer || !e.is_integer || b.integer < 0 || e.integer < b.integer ||
        static_cast<uint64_t>(e.integer) > data_size) {
      return Status::invalid_argument(at + ": data_offsets [" + std::to_string(b.integer) + ", " +
                                      std::to_string(e.integer) + "] are not within the " +
                                      std::to_string(data_size) + " data bytes");
    }
    const uint64_t bytes = static_cast<uint64_t>(e.integer - b.integer);
    if (bytes != elements * elem) {
      return Status::invalid_argument(at + ": " + std::to_string(bytes) + " data bytes, want " +
                                      std::to_string(elements * elem) + " for " + dtype->string + " " +
                                      shape_string(t.shape));
    }
    t.data = base + b.integer;
    t.size = static_cast<size_t>(bytes);
    tensors_.emplace(name, std::move(t));
  }
  return Status::ok();
}

Result<Checkpoint> Checkpoint::open(const std::string& dir) {
  Checkpoint ck;
  ck.dir_ = dir;
  const std::string index_path = dir + "/model.safetensors.index.json";
  std::vector<std::string> names;
  struct stat st;
  if (stat(index_path.c_str(), &st) == 0) {
    MINT_ASSIGN_OR_RETURN(std::string text, read_text_file(index_path, 64u << 20));
    MINT_ASSIGN_OR_RETURN(JsonValue index, parse_json(text, index_path));
    const JsonValue* map = index.find("weight_map");
    if (map == nullptr || !map->is_object()) {
      return Status::invalid_argument("'" + index_path + "': no \"weight_map\" object");
    }
    std::set<std::string> seen;
    for (const auto& [tensor, file] : map->object) {
      if (!file.is_string() || file.string.empty() || file.string.find('/') != std::string::npos ||
          file.string[0] == '.') {
        return Status::invalid_argument("'" + index_path + "': weight_map entry '" + tensor +
                                        "' names no plain file in the directory");
      }
      if (seen.insert(file.string).second) names.push_back(file.string);
    }
    if (names.empty()) return Status::invalid_argument("'" + index_path + "': empty weight_map");
  } else {
    names.push_back("model.safetensors");
  }
  for (const std::string& name : names) {
    MINT_ASSIGN_OR_RETURN(std::unique_ptr<SafetensorsFile> file, SafetensorsFile::open(dir + "/" + name));
    ck.shards_.push_back(std::move(file));
    ck.files_.push_back(name);
  }
  for (const auto& shard : ck.shards_) {
    for (const auto& [name, t] : shard->tensors()) {
      if (ck.index_.count(name)) {
        return Status::invalid_argument("tensor '" + name + "' is in both '" + ck.index_[name]->file +
                                        "' and '" + t.file + "'");
      }
      ck.index_[name] = &t;
    }
  }
  return ck;
}

const StTensor* Checkpoint::find(const std::string& name) const {
  auto it = index_.find(name);
  return it == index_.end() ? nullptr : it->second;
}

Result<std::vector<float>> Checkpoint::to_f32(const std::string& name,
                                              const std::vector<int64_t>& shape) const {
  const StTensor* t = find(name);
  if (t == nullptr) return Status::invalid_argument("checkpoint '" + dir_ + "' has no tensor '" + name + "'");
  if (t->shape != shape) {
    return Status::invalid_argument("tensor '" + name + "' in '" + t->file + "' has shape " +
                                    shape_string(t->shape) + ", want " + shape_string(shape));
  }
  const size_t n = static_cast<size_t>(t->elements());
  std::vector<float> out(n);
  switch (t->dtype) {
    case StDType::kF32:
      if (n) std::memcpy(out.data(), t->data, n * 4);
      break;
    case StDType::kF16:
      for (size_t i = 0; i < n; ++i) {
        uint16_t h;
        std::memcpy(&h, t->data + 2 * i, 2);
        out[i] = f16_to_f32(h);
      }
      break;
    case StDType::kBF16:
      for (size_t i = 0; i < n; ++i) {
        uint16_t h;
        std::memcpy(&h, t->data + 2 * i, 2);
        const uint32_t bits = uint32_t{h} << 16;
        std::memcpy(&out[i], &bits, 4);
      }
      break;
    default:
      return Status::invalid_argument("tensor '" + name + "' in '" + t->file + "' has dtype " +
                                      st_dtype_name(t->dtype) + ", want F32, F16 or BF16");
  }
  (void)dtype_bytes;
  return out;
}

}  // namespace mint::compiler::hf
