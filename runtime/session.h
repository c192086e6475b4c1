// A session: the per-run state of one model on one thread at a time.
//
// Session::create binds one arena (the plan's arena_size bytes, 64-byte aligned, zeroed), the
// persistent state region, one scratch block (the largest any node needs), a pthreadpool of
// the requested size, and prepares every op into a Node with its kernels chosen for the
// session's ISA mask. run() is then a flat loop over the nodes, with no allocation.
#pragma once

#include <pthreadpool.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "runtime/hardware.h"
#include "runtime/model.h"

namespace mint {

struct SessionOptions {
  size_t num_threads = 1;
  const char* max_isa = nullptr;
};

class Session {
 public:
  ~Session();
  static Result<std::unique_ptr<Session>> create(const Model& model, const SessionOptions& options);

  Status set_input(size_t index, const void* data, size_t byte_size);
  // Runs every op, or, for a plan with segments, segment 0.
  Status run();
  // Runs segment `index` of a plan with segments (hf-import; runtime/model.h SegmentDesc).
  // Segments' arena tensors, inputs included, may share bytes: set a segment's inputs after
  // running any other segment and before running it.
  Status run_segment(size_t index);
  // Output `index` of the last run (for a plan with segments: an output of the segment that
  // ran last; others are invalid_state, their bytes may have been overwritten).
  Result<const uint8_t*> output(size_t index, size_t* byte_size) const;
  // Per-node timing (`mint bench --profile`, `mint decode-bench --profile`): while `seconds` is non-null,
  // every run adds the wall time of node i to (*seconds)[i] (resized to the node count);
  // null (the default) turns it off. Not thread-safe, like run().
  void set_profile(std::vector<double>* seconds);

  Isa isa() const { return best_isa(isa_mask_); }
  const Model& model() const { return model_; }
  const std::vector<std::unique_ptr<Node>>& nodes() const { return nodes_; }

 private:
  explicit Session(const Model& model) : model_(model) {}
  // A zero-filled, page-aligned block from an anonymous mapping: pages are committed only
  // when touched, so a large arena costs nothing until used and allocation fails cleanly.
  class Block {
   public:
    Block() = default;
    ~Block();
    Block(Block&& o) noexcept : data_(o.data_), size_(o.size_) { o.data_ = nullptr; o.size_ = 0; }
    Block& operator=(Block&& o) noexcept;
    uint8_t* get() const { return data_; }

   private:
    friend class Session;
    uint8_t* data_ = nullptr;
    size_t size_ = 0;
  };
  static Result<Block> allocate(size_t bytes, const char* what);

  const Model& model_;
  IsaMask isa_mask_ = 0;
  Block arena_, state_, scratch_;
  std::vector<uint8_t*> tensor_data_;
  std::vector<std::unique_ptr<Node>> nodes_;
  pthreadpool_t pool_ = nullptr;
  bool has_run_ = false;
  int last_segment_ = -1;
  std::vector<double>* profile_ = nullptr;
  Status run_ops(size_t first, size_t count);
};

}  // namespace mint
