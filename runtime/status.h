// Status and Result<T>: how everything inside mint reports failure.
//
// Nothing in mint throws or aborts on input a caller or a model file controls. Functions that
// can fail return Status (or Result<T>, a value or a Status); callers propagate with
// MINT_RETURN_IF_ERROR / MINT_ASSIGN_OR_RETURN. The C ABI turns a Status into a mint_status
// code plus the thread's last-error message. Codes are the C ABI's (include/mint/mint.h),
// grouped by range: 1-99 caller arguments, 100-199 model file, 200-299 runtime.
//
// Messages say what is wrong and where, outermost context first, e.g.
//   "plan: op 17 (conv2d): input 1 'w' has rank 3, want 4".
// Status::with_context("op 17 (conv2d)") prefixes one level of context.
#pragma once

#include <memory>
#include <string>
#include <utility>

#include "mint/mint.h"

namespace mint {

class [[nodiscard]] Status {
 public:
  Status() = default;  // success
  Status(mint_status code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status ok() { return Status(); }
  static Status invalid_argument(std::string m) { return {mint_status_invalid_argument, std::move(m)}; }
  static Status invalid_state(std::string m) { return {mint_status_invalid_state, std::move(m)}; }
  static Status io_error(std::string m) { return {mint_status_io_error, std::move(m)}; }
  static Status invalid_plan(std::string m) { return {mint_status_invalid_plan, std::move(m)}; }
  static Status unsupported(std::string m) { return {mint_status_unsupported, std::move(m)}; }
  static Status out_of_memory(std::string m) { return {mint_status_out_of_memory, std::move(m)}; }
  static Status internal(std::string m) { return {mint_status_internal, std::move(m)}; }

  bool is_ok() const { return code_ == mint_status_success; }
  mint_status code() const { return code_; }
  const std::string& message() const { return message_; }

  // "context: message" (no-op on success).
  Status with_context(const std::string& context) const {
    if (is_ok()) return *this;
    return Status(code_, context + ": " + message_);
  }

 private:
  mint_status code_ = mint_status_success;
  std::string message_;
};

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : value_(std::move(value)) {}                      // NOLINT: implicit
  Result(Status status) : status_(std::move(status)) {}              // NOLINT: implicit
  bool is_ok() const { return status_.is_ok(); }
  const Status& status() const { return status_; }
  T& value() & { return value_; }
  const T& value() const& { return value_; }
  T&& value() && { return std::move(value_); }

 private:
  Status status_;
  T value_{};
};

#define MINT_STATUS_CONCAT_INNER(a, b) a##b
#define MINT_STATUS_CONCAT(a, b) MINT_STATUS_CONCAT_INNER(a, b)

#define MINT_RETURN_IF_ERROR(expr)          \
  do {                                      \
    ::mint::Status mint_status_ = (expr);   \
    if (!mint_status_.is_ok()) return mint_status_; \
  } while (0)

#define MINT_ASSIGN_OR_RETURN(lhs, expr)                                        \
  auto MINT_STATUS_CONCAT(mint_result_, __LINE__) = (expr);                     \
  if (!MINT_STATUS_CONCAT(mint_result_, __LINE__).is_ok())                      \
    return MINT_STATUS_CONCAT(mint_result_, __LINE__).status();                 \
  lhs = std::move(MINT_STATUS_CONCAT(mint_result_, __LINE__)).value()

}  // namespace mint
