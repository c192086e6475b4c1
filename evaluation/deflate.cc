#include "evaluation/deflate.h"

#include <algorithm>
#include <array>
#include <string>

namespace mint::eval {
namespace {

const std::array<uint32_t, 256>& crc_table() {
  static const std::array<uint32_t, 256> table = [] {
    std::array<uint32_t, 256> t{};
    for (uint32_t n = 0; n < 256; ++n) {
      uint32_t c = n;
      for (int k = 0; k < 8; ++k) c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
      t[n] = c;
    }
    return t;
  }();
  return table;
}

constexpr int kMaxBits = 15;

// A canonical Huffman code: count[len] codes of each length, symbols ordered by code.
struct Huffman {
  uint16_t count[kMaxBits + 1] = {};
  std::vector<uint16_t> symbol;
};

class Inflater {
 public:
  Inflater(const uint8_t* data, size_t size, size_t pos, size_t max_output)
      : data_(data), size_(size), pos_(pos), max_output_(max_output) {}

  Status run() {
    int last = 0;
    do {
      uint32_t v = 0;
      MINT_RETURN_IF_ERROR(bits(1, &v));
      last = int(v);
      MINT_RETURN_IF_ERROR(bits(2, &v));
      if (v == 0) {
        MINT_RETURN_IF_ERROR(stored());
      } else if (v == 1) {
        MINT_RETURN_IF_ERROR(fixed());
      } else if (v == 2) {
        MINT_RETURN_IF_ERROR(dynamic());
      } else {
        return error("block type 3 is invalid");
      }
    } while (!last);
    return Status::ok();
  }
  size_t pos() const { return pos_; }  // past the last byte read (partial bits discarded)
  std::vector<uint8_t>& out() { return out_; }

 private:
  Status error(const std::string& what) const {
    return Status::invalid_argument("deflate data at byte " + std::to_string(pos_) + ": " + what);
  }
  Status bits(int need, uint32_t* v) {
    while (bit_count_ < need) {
      if (pos_ >= size_) return error("truncated");
      bit_buf_ |= uint32_t(data_[pos_++]) << bit_count_;
      bit_count_ += 8;
    }
    *v = bit_buf_ & ((1u << need) - 1u);
    bit_buf_ >>= need;
    bit_count_ -= need;
    return Status::ok();
  }
  Status put(uint8_t b) {
    if (out_.size() >= max_output_)
      return error("output exceeds " + std::to_string(max_output_) + " bytes");
    out_.push_back(b);
    return Status::ok();
  }

  Status stored() {
    bit_buf_ = 0;
    bit_count_ = 0;
    if (size_ - pos_ < 4) return error("truncated stored block header");
    const uint32_t len = data_[pos_] | (uint32_t(data_[pos_ + 1]) << 8);
    const uint32_t nlen = data_[pos_ + 2] | (uint32_t(data_[pos_ + 3]) << 8);
    if ((len ^ 0xFFFFu) != nlen) return error("stored block length check fails");
    pos_ += 4;
    if (size_ - pos_ < len) return error("truncated stored block");
    if (max_output_ - out_.size() < len) return error("output exceeds the limit");
    out_.insert(out_.end(), data_ + pos_, data_ + pos_ + len);
    pos_ += len;
    return Status::ok();
  }

  // Builds a code from n lengths; rejects over-subscribed sets (incomplete ones are allowed:
  // a code that is never used cannot be decoded, which decode() reports).
  Status build(const uint8_t* lengths, size_t n, Huffman* h) {
    for (int& c : offs_) c = 0;
    for (uint16_t& c : h->count) c = 0;
    for (size_t i = 0; i < n; ++i) h->count[lengths[i]]++;
    int left = 1;
    for (int len = 1; len <= kMaxBits; ++len) {
      left = left * 2 - h->count[len];
      if (left < 0) return error("over-subscribed Huffman code");
    }
    offs_[1] = 0;
    for (int len = 1; len < kMaxBits; ++len) offs_[len + 1] = offs_[len] + h->count[len];
    h->symbol.assign(n, 0);
    for (size_t i = 0; i < n; ++i) {
      if (lengths[i] != 0) h->symbol[size_t(offs_[lengths[i]]++)] = uint16_t(i);
    }
    return Status::ok();
  }

  Status decode(const Huffman& h, int* sym) {
    int code = 0, first = 0, index = 0;
    for (int len = 1; len <= kMaxBits; ++len) {
      uint32_t b = 0;
      MINT_RETURN_IF_ERROR(bits(1, &b));
      code |= int(b);
      const int count = h.count[len];
      if (code - count < first) {
        *sym = h.symbol[size_t(index + (code - first))];
        return Status::ok();
      }
      index += count;
      first += count;
      first <<= 1;
      code <<= 1;
    }
    return error("invalid Huffman code");
  }

  Status codes(const Huffman& lit, const Huffman& dist) {
    static const uint16_t kLenBase[29] = {3,  4,  5,  6,   7,   8,   9,   10,  11, 13,
                                          15, 17, 19, 23,  27,  31,  35,  43,  51, 59,
                                          67, 83, 99, 115, 131, 163, 195, 227, 258};
    static const uint8_t kLenExtra[29] = {0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2,
                                          2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0};
    static const uint16_t kDistBase[30] = {
        1,   2,   3,   4,   5,   7,    9,    13,   17,   25,   33,   49,   65,    97,    129,
        193, 257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577};
    static const uint8_t kDistExtra[30] = {0, 0, 0, 0, 1, 1, 2, 2,  3,  3,  4,  4,  5,  5,  6,
                                           6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13};
    for (;;) {
      int sym = 0;
      MINT_RETURN_IF_ERROR(decode(lit, &sym));
      if (sym < 256) {
        MINT_RETURN_IF_ERROR(put(uint8_t(sym)));
      } else if (sym == 256) {
        return Status::ok();
      } else {
        sym -= 257;
        if (sym >= 29) return error("invalid length symbol");
        uint32_t extra = 0;
        MINT_RETURN_IF_ERROR(bits(kLenExtra[sym], &extra));
        const size_t len = kLenBase[sym] + extra;
        int dsym = 0;
        MINT_RETURN_IF_ERROR(decode(dist, &dsym));
        if (dsym >= 30) return error("invalid distance symbol");
        MINT_RETURN_IF_ERROR(bits(kDistExtra[dsym], &extra));
        const size_t d = kDistBase[dsym] + extra;
        if (d > out_.size()) return error("distance reaches before the start of the output");
        if (max_output_ - out_.size() < len) return error("output exceeds the limit");
        for (size_t i = 0; i < len; ++i) out_.push_back(out_[out_.size() - d]);
      }
    }
  }

  Status fixed() {
    if (!fixed_built_) {
      uint8_t lengths[288];
      for (int i = 0; i < 144; ++i) lengths[i] = 8;
      for (int i = 144; i < 256; ++i) lengths[i] = 9;
      for (int i = 256; i < 280; ++i) lengths[i] = 7;
      for (int i = 280; i < 288; ++i) lengths[i] = 8;
      MINT_RETURN_IF_ERROR(build(lengths, 288, &fixed_lit_));
      for (int i = 0; i < 30; ++i) lengths[i] = 5;
      MINT_RETURN_IF_ERROR(build(lengths, 30, &fixed_dist_));
      fixed_built_ = true;
    }
    return codes(fixed_lit_, fixed_dist_);
  }

  Status dynamic() {
    static const uint8_t kOrder[19] = {16, 17, 18, 0, 8,  7, 9,  6, 10, 5,
                                       11, 4,  12, 3, 13, 2, 14, 1, 15};
    uint32_t hlit = 0, hdist = 0, hclen = 0;
    MINT_RETURN_IF_ERROR(bits(5, &hlit));
    MINT_RETURN_IF_ERROR(bits(5, &hdist));
    MINT_RETURN_IF_ERROR(bits(4, &hclen));
    hlit += 257;
    hdist += 1;
    hclen += 4;
    if (hlit > 286 || hdist > 30) return error("too many length or distance codes");
    uint8_t lengths[320] = {};
    for (uint32_t i = 0; i < hclen; ++i) {
      uint32_t v = 0;
      MINT_RETURN_IF_ERROR(bits(3, &v));
      lengths[kOrder[i]] = uint8_t(v);
    }
    Huffman lencode;
    MINT_RETURN_IF_ERROR(build(lengths, 19, &lencode));
    uint32_t index = 0;
    while (index < hlit + hdist) {
      int sym = 0;
      MINT_RETURN_IF_ERROR(decode(lencode, &sym));
      if (sym < 16) {
        lengths[index++] = uint8_t(sym);
        continue;
      }
      uint8_t value = 0;
      uint32_t repeat = 0;
      if (sym == 16) {
        if (index == 0) return error("repeat of a code length with no previous one");
        value = lengths[index - 1];
        MINT_RETURN_IF_ERROR(bits(2, &repeat));
        repeat += 3;
      } else if (sym == 17) {
        MINT_RETURN_IF_ERROR(bits(3, &repeat));
        repeat += 3;
      } else {
        MINT_RETURN_IF_ERROR(bits(7, &repeat));
        repeat += 11;
      }
      if (index + repeat > hlit + hdist) return error("code lengths overrun");
      while (repeat--) lengths[index++] = value;
    }
    if (lengths[256] == 0) return error("no end-of-block code");
    Huffman lit, dist;
    MINT_RETURN_IF_ERROR(build(lengths, hlit, &lit));
    MINT_RETURN_IF_ERROR(build(lengths + hlit, hdist, &dist));
    return codes(lit, dist);
  }

  const uint8_t* data_;
  size_t size_;
  size_t pos_;
  size_t max_output_;
  uint32_t bit_buf_ = 0;
  int bit_count_ = 0;
  int offs_[kMaxBits + 1] = {};
  bool fixed_built_ = false;
  Huffman fixed_lit_, fixed_dist_;
  std::vector<uint8_t> out_;
};

uint32_t read_le32(const uint8_t* p) {
  return p[0] | (uint32_t(p[1]) << 8) | (uint32_t(p[2]) << 16) | (uint32_t(p[3]) << 24);
}

}  // namespace

uint32_t crc32(const uint8_t* data, size_t size, uint32_t crc) {
  const auto& t = crc_table();
  uint32_t c = crc ^ 0xFFFFFFFFu;
  for (size_t i = 0; i < size; ++i) c = t[(c ^ data[i]) & 0xFFu] ^ (c >> 8);
  return c ^ 0xFFFFFFFFu;
}

uint32_t adler32(const uint8_t* data, size_t size, uint32_t adler) {
  uint32_t a = adler & 0xFFFFu, b = adler >> 16;
  for (size_t i = 0; i < size; ++i) {
    a = (a + data[i]) % 65521u;
    b = (b + a) % 65521u;
  }
  return (b << 16) | a;
}

Result<std::vector<uint8_t>> inflate_raw(const uint8_t* data, size_t size, size_t* pos,
                                         size_t max_output) {
  if (*pos > size) return Status::invalid_argument("deflate data: start past the end");
  Inflater inf(data, size, *pos, max_output);
  MINT_RETURN_IF_ERROR(inf.run());
  *pos = inf.pos();
  return std::move(inf.out());
}

Result<std::vector<uint8_t>> gunzip(const uint8_t* data, size_t size, size_t max_output) {
  if (size < 18 || data[0] != 0x1f || data[1] != 0x8b) {
    return Status::invalid_argument("not a gzip stream (bad magic or too short)");
  }
  if (data[2] != 8) return Status::invalid_argument("gzip: compression method is not deflate");
  const uint8_t flags = data[3];
  if (flags & 0xE0) return Status::invalid_argument("gzip: reserved flag bits set");
  size_t pos = 10;
  if (flags & 4) {  // FEXTRA
    if (size - pos < 2) return Status::invalid_argument("gzip: truncated extra field");
    const size_t xlen = data[pos] | (size_t(data[pos + 1]) << 8);
    pos += 2;
    if (size - pos < xlen) return Status::invalid_argument("gzip: truncated extra field");
    pos += xlen;
  }
  for (uint8_t flag : {uint8_t(8), uint8_t(16)}) {  // FNAME, FCOMMENT: zero-terminated
    if (!(flags & flag)) continue;
    while (pos < size && data[pos] != 0) ++pos;
    if (pos >= size) return Status::invalid_argument("gzip: unterminated file name or comment");
    ++pos;
  }
  if (flags & 2) pos += 2;  // FHCRC
  if (pos > size) return Status::invalid_argument("gzip: truncated header");
  MINT_ASSIGN_OR_RETURN(std::vector<uint8_t> out, inflate_raw(data, size, &pos, max_output));
  if (size - pos < 8) return Status::invalid_argument("gzip: truncated trailer");
  if (read_le32(data + pos) != crc32(out.data(), out.size())) {
    return Status::invalid_argument("gzip: CRC-32 mismatch");
  }
  if (read_le32(data + pos + 4) != uint32_t(out.size())) {
    return Status::invalid_argument("gzip: length mismatch");
  }
  return out;
}

Result<std::vector<uint8_t>> zlib_decompress(const uint8_t* data, size_t size, size_t max_output) {
  if (size < 6) return Status::invalid_argument("zlib stream too short");
  if ((data[0] & 0x0F) != 8 || (data[0] >> 4) > 7 || ((data[0] << 8) | data[1]) % 31 != 0) {
    return Status::invalid_argument("zlib: bad header");
  }
  if (data[1] & 0x20)
    return Status::invalid_argument("zlib: preset dictionaries are not supported");
  size_t pos = 2;
  MINT_ASSIGN_OR_RETURN(std::vector<uint8_t> out, inflate_raw(data, size, &pos, max_output));
  if (size - pos < 4) return Status::invalid_argument("zlib: truncated Adler-32");
  const uint32_t want = (uint32_t(data[pos]) << 24) | (uint32_t(data[pos + 1]) << 16) |
                        (uint32_t(data[pos + 2]) << 8) | data[pos + 3];
  if (want != adler32(out.data(), out.size()))
    return Status::invalid_argument("zlib: Adler-32 mismatch");
  return out;
}

std::vector<uint8_t> zlib_store(const uint8_t* data, size_t size) {
  std::vector<uint8_t> z = {0x78, 0x01};  // deflate, 32 KiB window, fastest; (0x7801 % 31 == 0)
  size_t pos = 0;
  do {
    const size_t len = std::min<size_t>(size - pos, 65535);
    const bool last = pos + len == size;
    z.push_back(last ? 1 : 0);
    z.push_back(uint8_t(len));
    z.push_back(uint8_t(len >> 8));
    z.push_back(uint8_t(~len));
    z.push_back(uint8_t(~len >> 8));
    z.insert(z.end(), data + pos, data + pos + len);
    pos += len;
  } while (pos < size);
  const uint32_t a = adler32(data, size);
  for (int s = 24; s >= 0; s -= 8) z.push_back(uint8_t(a >> s));
  return z;
}

}  // namespace mint::eval
