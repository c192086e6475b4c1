// Compressed-data helpers for the evaluation tools: checksums, a small bounds-checked inflate
// (RFC 1951) with the gzip (RFC 1952) and zlib (RFC 1950) wrappers, and a zlib stream of stored
// (uncompressed) blocks for writing PNG files.
//
//   crc32        the CRC-32 of gzip and PNG (reflected polynomial 0xEDB88320, init and final
//                xor 0xFFFFFFFF); `crc` continues an earlier value (0 to start).
//   adler32      the Adler-32 of zlib; `adler` continues an earlier value (1 to start).
//   inflate_raw  decodes one raw deflate stream (stored, fixed and dynamic Huffman blocks)
//                starting at data[*pos]; on success *pos is just past the final block (rounded
//                up to a byte). The output may not exceed max_output bytes.
//   gunzip       one gzip member: header (FEXTRA, FNAME, FCOMMENT, FHCRC skipped), deflate data,
//                then CRC-32 and ISIZE, both checked. Bytes after the member are ignored.
//   zlib_decompress  a zlib stream (no preset dictionary), Adler-32 checked.
//   zlib_store   a valid zlib stream holding `data` in stored blocks of at most 65535 bytes.
//
// Malformed input (truncated, bad header, invalid code lengths, distances before the start,
// checksum mismatch, output over the limit) returns invalid_argument naming the problem;
// nothing reads outside `data`.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "runtime/status.h"

namespace mint::eval {

uint32_t crc32(const uint8_t* data, size_t size, uint32_t crc = 0);
uint32_t adler32(const uint8_t* data, size_t size, uint32_t adler = 1);

constexpr size_t kDefaultMaxInflate = size_t(1) << 30;

Result<std::vector<uint8_t>> inflate_raw(const uint8_t* data, size_t size, size_t* pos,
                                         size_t max_output = kDefaultMaxInflate);
Result<std::vector<uint8_t>> gunzip(const uint8_t* data, size_t size,
                                    size_t max_output = kDefaultMaxInflate);
Result<std::vector<uint8_t>> zlib_decompress(const uint8_t* data, size_t size,
                                             size_t max_output = kDefaultMaxInflate);
std::vector<uint8_t> zlib_store(const uint8_t* data, size_t size);

}  // namespace mint::eval
