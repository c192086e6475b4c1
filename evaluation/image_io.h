// Image data in and out of the evaluation tools.
//
//   read_idx      an IDX file (the MNIST / Fashion-MNIST format: magic 0x00 0x00, type 0x08 =
//                 unsigned byte, rank, big-endian uint32 dimensions, then the data), plain or
//                 gzip-compressed (recognized by the gzip magic). Only the unsigned-byte type
//                 is supported. The element count must match the file size exactly.
//   write_png     an 8-bit grayscale PNG (color type 0, no interlace), rows with filter 0,
//                 IDAT as a zlib stream of stored blocks; every chunk carries its CRC-32.
//   image_grid    tiles n images of h x w (float, values clamped to [0, 1] and rounded to
//                 round(v * 255)) into a grid of `cols` columns (0: ceil(sqrt(n))) with `pad`
//                 pixels of black between and around the tiles.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "runtime/status.h"

namespace mint::eval {

struct IdxArray {
  std::vector<uint32_t> dims;
  std::vector<uint8_t> data;
};

Result<IdxArray> parse_idx(const uint8_t* bytes, size_t size);
Result<IdxArray> read_idx(const std::string& path);

struct GrayImage {
  size_t width = 0, height = 0;
  std::vector<uint8_t> pixels;  // height x width
};

std::vector<uint8_t> encode_png(const GrayImage& image);
Status write_png(const std::string& path, const GrayImage& image);

// images: n x h x w floats.
Result<GrayImage> image_grid(const std::vector<float>& images, size_t n, size_t h, size_t w,
                             size_t cols = 0, size_t pad = 2);

}  // namespace mint::eval
