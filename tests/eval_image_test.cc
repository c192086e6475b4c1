// Image metrics and image I/O of the evaluation library: SSIM (closed forms and a
// scipy.ndimage reference), MSE, CRC-32 / Adler-32, inflate of zlib and gzip streams made by
// Python's zlib (stored, fixed and dynamic Huffman blocks) and malformed ones, the IDX reader
// on the Fashion-MNIST test files, and the PNG writer (decoded again here, by Python's zlib
// and by matplotlib.image.imread).
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <random>

#include "evaluation/deflate.h"
#include "evaluation/image_eval.h"
#include "evaluation/image_io.h"
#include "evaluation/image_metrics.h"
#include "tests/eval_test_util.h"

namespace mint::eval {
namespace {

using namespace eval_test;

std::vector<float> smooth_image(std::mt19937& rng, size_t h, size_t w) {
  std::uniform_real_distribution<float> u(0.0f, 1.0f);
  const float fx = u(rng) * 0.5f, fy = u(rng) * 0.5f;
  std::vector<float> img(h * w);
  for (size_t y = 0; y < h; ++y) {
    for (size_t x = 0; x < w; ++x) {
      img[y * w + x] =
          0.5f + 0.3f * std::sin(fx * float(x) + fy * float(y)) + 0.1f * (u(rng) - 0.5f);
    }
  }
  return img;
}

TEST(EvalImage, SsimOfIdenticalImagesIsOne) {
  std::mt19937 rng(1);
  auto a = smooth_image(rng, 28, 28);
  auto s = ssim(a.data(), a.data(), 28, 28);
  ASSERT_TRUE(s.is_ok());
  EXPECT_NEAR(s.value(), 1.0, 1e-12);
}

TEST(EvalImage, SsimOfConstantImagesHasClosedForm) {
  // No variance: SSIM = (2ab + C1) / (a^2 + b^2 + C1) everywhere.
  const float a = 0.2f, b = 0.7f;
  std::vector<float> x(20 * 24, a), y(20 * 24, b);
  auto s = ssim(x.data(), y.data(), 20, 24);
  ASSERT_TRUE(s.is_ok());
  const double c1 = 1e-4, da = a, db = b;
  EXPECT_NEAR(s.value(), (2 * da * db + c1) / (da * da + db * db + c1), 1e-9);
}

TEST(EvalImage, SsimMatchesScipyGaussianReference) {
  MINT_SKIP_IF_NO_PYTHON();
  TempDir dir;
  std::mt19937 rng(2);
  for (auto [h, w] : {std::pair<size_t, size_t>{28, 28}, {11, 11}, {17, 30}}) {
    auto a = smooth_image(rng, h, w);
    auto b = a;
    std::normal_distribution<float> noise(0.0f, 0.1f);
    for (float& v : b) v += noise(rng);
    auto s = ssim(a.data(), b.data(), h, w);
    ASSERT_TRUE(s.is_ok());
    write_raw(dir.file("a.f32"), a);
    write_raw(dir.file("b.f32"), b);
    auto ref = reference("ssim " + dir.file("a.f32") + " " + dir.file("b.f32") + " " +
                         std::to_string(h) + " " + std::to_string(w));
    EXPECT_NEAR(s.value(), as_double(ref, "ssim"), 1e-10) << h << "x" << w;
    EXPECT_LT(s.value(), 1.0);
  }
}

TEST(EvalImage, SsimAndMseRejectBadInput) {
  std::vector<float> a(10 * 10, 0.5f);
  EXPECT_FALSE(ssim(a.data(), a.data(), 10, 10).is_ok());  // smaller than the window
  std::vector<float> b(11 * 11, 0.5f);
  b[3] = INFINITY;
  EXPECT_FALSE(ssim(b.data(), b.data(), 11, 11).is_ok());
  EXPECT_FALSE(mse(b.data(), b.data(), b.size()).is_ok());
  EXPECT_FALSE(mse(a.data(), a.data(), 0).is_ok());
  std::vector<float> c = {0, 1, 2}, d = {1, 1, 0};
  auto m = mse(c.data(), d.data(), 3);
  ASSERT_TRUE(m.is_ok());
  EXPECT_DOUBLE_EQ(m.value(), 5.0 / 3.0);
}

TEST(EvalImage, ChecksumsMatchKnownValues) {
  const char* s = "123456789";
  EXPECT_EQ(crc32(reinterpret_cast<const uint8_t*>(s), 9), 0xCBF43926u);
  const char* w = "Wikipedia";
  EXPECT_EQ(adler32(reinterpret_cast<const uint8_t*>(w), 9), 0x11E60398u);
  // Continuing a checksum equals one pass.
  EXPECT_EQ(crc32(reinterpret_cast<const uint8_t*>(s) + 4, 5,
                  crc32(reinterpret_cast<const uint8_t*>(s), 4)),
            0xCBF43926u);
}

TEST(EvalImage, InflatesPythonZlibAndGzipStreams) {
  MINT_SKIP_IF_NO_PYTHON();
  TempDir dir;
  auto ref = reference("compress " + dir.path());
  ASSERT_EQ(ref["cases"], "3");
  for (const char* name : {"text", "noise", "empty"}) {
    const auto raw = read_bytes(dir.file(std::string(name) + ".raw"));
    for (const char* ext : {"z9", "z0", "zfixed"}) {
      const auto z = read_bytes(dir.file(std::string(name) + "." + ext));
      auto out = zlib_decompress(z.data(), z.size());
      ASSERT_TRUE(out.is_ok()) << name << "." << ext << ": " << out.status().message();
      EXPECT_EQ(out.value(), raw) << name << "." << ext;
    }
    const auto gz = read_bytes(dir.file(std::string(name) + ".gz"));
    auto out = gunzip(gz.data(), gz.size());
    ASSERT_TRUE(out.is_ok()) << name << ".gz: " << out.status().message();
    EXPECT_EQ(out.value(), raw) << name << ".gz";
  }
  // Malformed streams: every truncation and a corrupted checksum fail cleanly.
  const auto gz = read_bytes(dir.file("text.gz"));
  for (size_t cut = 0; cut < gz.size(); cut += 97) {
    EXPECT_FALSE(gunzip(gz.data(), cut).is_ok()) << "cut at " << cut;
  }
  auto bad = gz;
  bad[bad.size() - 6] ^= 0x40;  // CRC-32
  EXPECT_FALSE(gunzip(bad.data(), bad.size()).is_ok());
  bad = gz;
  bad[bad.size() / 2] ^= 0x5a;  // inside the deflate data
  EXPECT_FALSE(gunzip(bad.data(), bad.size()).is_ok());
  const auto raw = read_bytes(dir.file("text.raw"));
  EXPECT_FALSE(gunzip(gz.data(), gz.size(), raw.size() - 1).is_ok());  // output limit
}

TEST(EvalImage, ZlibStoreRoundTrips) {
  std::mt19937 rng(3);
  for (size_t n : {0, 1, 65535, 65536, 200000}) {
    std::vector<uint8_t> data(n);
    for (auto& b : data) b = uint8_t(rng());
    const auto z = zlib_store(data.data(), data.size());
    auto out = zlib_decompress(z.data(), z.size());
    ASSERT_TRUE(out.is_ok()) << n << ": " << out.status().message();
    EXPECT_EQ(out.value(), data);
  }
}

TEST(EvalImage, InflateSurvivesRandomAndMutatedStreams) {
  // Whatever the bytes, inflate returns a value or an error and stays inside its buffers (the
  // debug preset runs this under AddressSanitizer).
  std::mt19937 rng(9);
  std::vector<uint8_t> text;
  for (int i = 0; i < 3000; ++i) text.push_back(uint8_t("mint plan arena "[rng() % 16]));
  const auto stored = zlib_store(text.data(), text.size());
  for (int trial = 0; trial < 3000; ++trial) {
    std::vector<uint8_t> buf(2 + rng() % 300);
    for (auto& b : buf) b = uint8_t(rng());
    buf[0] = 0x78;
    buf[1] = 0x9c;  // a valid zlib header, then noise
    (void)zlib_decompress(buf.data(), buf.size(), 1 << 20);
    size_t pos = 0;
    (void)inflate_raw(buf.data() + 2, buf.size() - 2, &pos, 1 << 20);
    // A stored stream with flipped bits: the Adler-32, LEN/NLEN or header check rejects it.
    auto m = stored;
    for (int k = 0; k < 3; ++k) m[rng() % m.size()] ^= uint8_t(1u << (rng() % 8));
    if (m != stored) EXPECT_FALSE(zlib_decompress(m.data(), m.size(), 1 << 20).is_ok()) << "trial " << trial;
  }
}

TEST(EvalImage, ReadsFashionMnistTestImages) {
  const std::string dir = kDefaultFmnistDir;
  auto images = read_idx(dir + "/t10k-images-idx3-ubyte.gz");
  ASSERT_TRUE(images.is_ok()) << images.status().message() << " (scripts/install-deps.sh installs "
                              << "dataset-fashion-mnist)";
  EXPECT_EQ(images.value().dims, (std::vector<uint32_t>{10000, 28, 28}));
  auto set = load_fmnist_test(dir, 5, true);
  ASSERT_TRUE(set.is_ok()) << set.status().message();
  EXPECT_EQ(set.value().count, 5u);
  EXPECT_EQ(set.value().labels, (std::vector<uint8_t>{9, 2, 1, 1, 6}));
  EXPECT_EQ(set.value().pixels.size(), 5u * 784);
  MINT_SKIP_IF_NO_PYTHON();
  auto ref = reference("idx " + dir + "/t10k-images-idx3-ubyte.gz");
  uint64_t sum = 0;
  for (uint8_t b : images.value().data) sum += b;
  EXPECT_EQ(std::to_string(sum), ref["sum"]);
  EXPECT_EQ(ref["dims"], "10000x28x28");
}

TEST(EvalImage, IdxRejectsMalformedFiles) {
  std::vector<uint8_t> ok = {0, 0, 8, 2, 0, 0, 0, 2, 0, 0, 0, 3, 1, 2, 3, 4, 5, 6};
  auto a = parse_idx(ok.data(), ok.size());
  ASSERT_TRUE(a.is_ok());
  EXPECT_EQ(a.value().dims, (std::vector<uint32_t>{2, 3}));
  auto short_data = ok;
  short_data.pop_back();
  EXPECT_FALSE(parse_idx(short_data.data(), short_data.size()).is_ok());
  auto wrong_type = ok;
  wrong_type[2] = 0x0d;  // float
  EXPECT_FALSE(parse_idx(wrong_type.data(), wrong_type.size()).is_ok());
  EXPECT_FALSE(parse_idx(ok.data(), 6).is_ok());
  EXPECT_FALSE(read_idx("/nonexistent/file.gz").is_ok());
}

// Decodes our own PNG: chunk CRCs, IHDR, the zlib stream, filter bytes.
bool decode_png(const std::vector<uint8_t>& png, GrayImage* img) {
  static const uint8_t sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
  if (png.size() < 8 || std::memcmp(png.data(), sig, 8) != 0) return false;
  std::vector<uint8_t> idat;
  size_t pos = 8;
  auto be32 = [&](size_t p) {
    return (uint32_t(png[p]) << 24) | (uint32_t(png[p + 1]) << 16) | (uint32_t(png[p + 2]) << 8) |
           png[p + 3];
  };
  bool end = false;
  while (pos + 12 <= png.size() && !end) {
    const uint32_t n = be32(pos);
    if (pos + 12 + n > png.size()) return false;
    if (crc32(&png[pos + 4], 4 + n) != be32(pos + 8 + n)) return false;
    const std::string type(reinterpret_cast<const char*>(&png[pos + 4]), 4);
    if (type == "IHDR") {
      img->width = be32(pos + 8);
      img->height = be32(pos + 12);
      if (png[pos + 16] != 8 || png[pos + 17] != 0) return false;
    } else if (type == "IDAT") {
      idat.insert(idat.end(), png.begin() + long(pos + 8), png.begin() + long(pos + 8 + n));
    } else if (type == "IEND") {
      end = true;
    }
    pos += 12 + n;
  }
  auto raw = zlib_decompress(idat.data(), idat.size());
  if (!end || !raw.is_ok() || raw.value().size() != img->height * (img->width + 1)) return false;
  img->pixels.clear();
  for (size_t r = 0; r < img->height; ++r) {
    const uint8_t* row = &raw.value()[r * (img->width + 1)];
    if (row[0] != 0) return false;
    img->pixels.insert(img->pixels.end(), row + 1, row + 1 + img->width);
  }
  return true;
}

TEST(EvalImage, PngGridRoundTrips) {
  std::mt19937 rng(4);
  std::uniform_real_distribution<float> u(-0.2f, 1.2f);  // out-of-range values are clamped
  const size_t n = 10;
  std::vector<float> images(n * 784);
  for (float& v : images) v = u(rng);
  auto grid = image_grid(images, n, 28, 28);
  ASSERT_TRUE(grid.is_ok());
  const GrayImage& g = grid.value();
  EXPECT_EQ(g.width, 4u * 30 + 2);   // ceil(sqrt(10)) = 4 columns, pad 2
  EXPECT_EQ(g.height, 3u * 30 + 2);  // 3 rows
  // Tile 5 (row 1, column 1), pixel (3, 7).
  const float v = images[5 * 784 + 3 * 28 + 7];
  const uint8_t want = uint8_t(std::lround(std::min(1.0f, std::max(0.0f, v)) * 255.0f));
  EXPECT_EQ(g.pixels[(2 + 30 + 3) * g.width + 2 + 30 + 7], want);
  GrayImage back;
  ASSERT_TRUE(decode_png(encode_png(g), &back));
  EXPECT_EQ(back.width, g.width);
  EXPECT_EQ(back.height, g.height);
  EXPECT_EQ(back.pixels, g.pixels);

  MINT_SKIP_IF_NO_PYTHON();
  TempDir dir;
  ASSERT_TRUE(write_png(dir.file("grid.png"), g).is_ok());
  auto ref = reference("png " + dir.file("grid.png"));
  uint64_t sum = 0;
  for (uint8_t p : g.pixels) sum += p;
  EXPECT_EQ(ref["width"], std::to_string(g.width));
  EXPECT_EQ(ref["height"], std::to_string(g.height));
  EXPECT_EQ(ref["zlib_sum"], std::to_string(sum));
  EXPECT_EQ(ref["imread_shape"], std::to_string(g.height) + "x" + std::to_string(g.width));
  EXPECT_EQ(ref["imread_sum"], std::to_string(sum));
}

TEST(EvalImage, PngAndGridRejectBadInput) {
  GrayImage empty;
  EXPECT_FALSE(write_png("/tmp/never.png", empty).is_ok());
  EXPECT_FALSE(image_grid(std::vector<float>(10), 1, 28, 28).is_ok());
}

}  // namespace
}  // namespace mint::eval
