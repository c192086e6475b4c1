// A bounds-checked reader of Hugging Face safetensors checkpoints.
//
// File format (https://github.com/huggingface/safetensors): an 8-byte little-endian header
// length N, N bytes of JSON (an object: tensor name -> {"dtype", "shape", "data_offsets":
// [begin, end]}, plus an optional "__metadata__" object of strings), then the data; offsets
// are relative to the first byte after the header.
//
// SafetensorsFile::open maps the file read-only and checks, naming the file and tensor on any
// failure (invalid_argument): N <= file size - 8 and <= 100 MB; the header is a JSON object;
// each entry has a known dtype (F64 F32 F16 BF16 I64 I32 I16 I8 U8 BOOL), a shape of
// non-negative dimensions, 0 <= begin <= end <= data size, end - begin = elements x dtype
// size (overflow-checked). Only F32, F16 and BF16 convert to f32 (to_f32); others are listed
// and readable as bytes only.
//
// Checkpoint::open(dir) reads model.safetensors, or the shards named by
// model.safetensors.index.json ("weight_map": tensor -> file; file names may not leave the
// directory), and finds tensors by name across them; a name in two shards is an error.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "runtime/status.h"

namespace mint::compiler::hf {

enum class StDType : uint8_t { kF64, kF32, kF16, kBF16, kI64, kI32, kI16, kI8, kU8, kBool };
const char* st_dtype_name(StDType t);

struct StTensor {
  std::string name;
  StDType dtype = StDType::kF32;
  std::vector<int64_t> shape;
  const uint8_t* data = nullptr;  // inside the mapping
  size_t size = 0;                 // bytes
  std::string file;                // for messages
  int64_t elements() const;
};

class SafetensorsFile {
 public:
  ~SafetensorsFile();
  static Result<std::unique_ptr<SafetensorsFile>> open(const std::string& path);
  const std::map<std::string, StTensor>& tensors() const { return tensors_; }
  const std::string& path() const { return path_; }

 private:
  SafetensorsFile() = default;
  Status parse();
  std::string path_;
  const uint8_t* data_ = nullptr;
  size_t size_ = 0;
  std::map<std::string, StTensor> tensors_;
};

class Checkpoint {
 public:
  static Result<Checkpoint> open(const std::string& dir);
  // The tensor, or null.
  const StTensor* find(const std::string& name) const;
  // The tensor as f32 values; invalid_argument naming it if absent, of another shape than
  // `shape`, or of a non-float dtype.
  Result<std::vector<float>> to_f32(const std::string& name, const std::vector<int64_t>& shape) const;
  const std::vector<std::string>& files() const { return files_; }
  size_t tensor_count() const { return index_.size(); }

 private:
  std::vector<std::shared_ptr<SafetensorsFile>> shards_;
  std::map<std::string, const StTensor*> index_;
  std::vector<std::string> files_;
  std::string dir_;
};

// Reads a whole (small) text file; io_error naming it on failure; at most `max_bytes`.
Result<std::string> read_text_file(const std::string& path, size_t max_bytes);

}  // namespace mint::compiler::hf
