#include "evaluation/image_io.h"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <iterator>

#include "evaluation/deflate.h"

namespace mint::eval {
namespace {

void put_be32(std::vector<uint8_t>* out, uint32_t v) {
  for (int s = 24; s >= 0; s -= 8) out->push_back(uint8_t(v >> s));
}

void chunk(std::vector<uint8_t>* out, const char type[4], const std::vector<uint8_t>& data) {
  put_be32(out, uint32_t(data.size()));
  const size_t start = out->size();
  out->insert(out->end(), type, type + 4);
  out->insert(out->end(), data.begin(), data.end());
  put_be32(out, crc32(out->data() + start, out->size() - start));
}

}  // namespace

Result<IdxArray> parse_idx(const uint8_t* bytes, size_t size) {
  std::vector<uint8_t> inflated;
  if (size >= 2 && bytes[0] == 0x1f && bytes[1] == 0x8b) {
    MINT_ASSIGN_OR_RETURN(inflated, gunzip(bytes, size));
    bytes = inflated.data();
    size = inflated.size();
  }
  if (size < 4 || bytes[0] != 0 || bytes[1] != 0)
    return Status::invalid_argument("not an IDX file (bad magic)");
  if (bytes[2] != 0x08) {
    return Status::unsupported("IDX element type 0x" + std::to_string(bytes[2]) +
                               " is not unsigned byte (0x08)");
  }
  const size_t rank = bytes[3];
  if (rank == 0 || size < 4 + 4 * rank) return Status::invalid_argument("IDX header truncated");
  IdxArray a;
  size_t count = 1;
  for (size_t i = 0; i < rank; ++i) {
    const uint8_t* p = bytes + 4 + 4 * i;
    const uint32_t d =
        (uint32_t(p[0]) << 24) | (uint32_t(p[1]) << 16) | (uint32_t(p[2]) << 8) | p[3];
    a.dims.push_back(d);
    if (d != 0 && count > (size_t(1) << 40) / d)
      return Status::invalid_argument("IDX dimensions too large");
    count *= d;
  }
  const size_t header = 4 + 4 * rank;
  if (size - header != count) {
    return Status::invalid_argument("IDX data holds " + std::to_string(size - header) +
                                    " bytes, dimensions want " + std::to_string(count));
  }
  a.data.assign(bytes + header, bytes + size);
  return a;
}

Result<IdxArray> read_idx(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::io_error("cannot open '" + path + "'");
  std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)),
                             std::istreambuf_iterator<char>());
  auto a = parse_idx(bytes.data(), bytes.size());
  if (!a.is_ok()) return a.status().with_context(path);
  return a;
}

std::vector<uint8_t> encode_png(const GrayImage& image) {
  std::vector<uint8_t> out = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
  std::vector<uint8_t> ihdr;
  put_be32(&ihdr, uint32_t(image.width));
  put_be32(&ihdr, uint32_t(image.height));
  ihdr.insert(ihdr.end(), {8, 0, 0, 0, 0});  // depth 8, grayscale, deflate, filter 0, no interlace
  chunk(&out, "IHDR", ihdr);
  std::vector<uint8_t> raw;
  raw.reserve(image.height * (image.width + 1));
  for (size_t r = 0; r < image.height; ++r) {
    raw.push_back(0);  // filter type None
    raw.insert(raw.end(), image.pixels.begin() + r * image.width,
               image.pixels.begin() + (r + 1) * image.width);
  }
  chunk(&out, "IDAT", zlib_store(raw.data(), raw.size()));
  chunk(&out, "IEND", {});
  return out;
}

Status write_png(const std::string& path, const GrayImage& image) {
  if (image.width == 0 || image.height == 0 || image.pixels.size() != image.width * image.height) {
    return Status::invalid_argument("png: image of " + std::to_string(image.width) + "x" +
                                    std::to_string(image.height) + " with " +
                                    std::to_string(image.pixels.size()) + " pixels");
  }
  const std::vector<uint8_t> bytes = encode_png(image);
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(bytes.data()), std::streamsize(bytes.size()));
  if (!out) return Status::io_error("cannot write '" + path + "'");
  return Status::ok();
}

Result<GrayImage> image_grid(const std::vector<float>& images, size_t n, size_t h, size_t w,
                             size_t cols, size_t pad) {
  if (n == 0 || h == 0 || w == 0 || images.size() != n * h * w) {
    return Status::invalid_argument("image grid: " + std::to_string(images.size()) +
                                    " values for " + std::to_string(n) + " images of " +
                                    std::to_string(h) + "x" + std::to_string(w));
  }
  if (cols == 0) cols = size_t(std::ceil(std::sqrt(double(n))));
  const size_t rows = (n + cols - 1) / cols;
  GrayImage g;
  g.width = cols * (w + pad) + pad;
  g.height = rows * (h + pad) + pad;
  g.pixels.assign(g.width * g.height, 0);
  for (size_t i = 0; i < n; ++i) {
    const size_t y0 = pad + (i / cols) * (h + pad), x0 = pad + (i % cols) * (w + pad);
    for (size_t y = 0; y < h; ++y) {
      for (size_t x = 0; x < w; ++x) {
        float v = images[(i * h + y) * w + x];
        v = std::isfinite(v) ? std::min(1.0f, std::max(0.0f, v)) : 0.0f;
        g.pixels[(y0 + y) * g.width + x0 + x] = uint8_t(std::lround(v * 255.0f));
      }
    }
  }
  return g;
}

}  // namespace mint::eval
