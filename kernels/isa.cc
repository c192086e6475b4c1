#include "kernels/isa.h"

#include <cstring>

namespace mint {
namespace {
constexpr const char* kIsaNames[] = {"scalar",  "avx2",    "avx512",   "avx512vnni",
                                     "neon",    "neondot", "neonfp16", "neoni8mm"};
static_assert(sizeof(kIsaNames) / sizeof(kIsaNames[0]) == static_cast<size_t>(Isa::kCount));
}  // namespace

const char* isa_name(Isa isa) {
  const auto i = static_cast<size_t>(isa);
  return i < static_cast<size_t>(Isa::kCount) ? kIsaNames[i] : "unknown";
}

bool parse_isa(const char* name, Isa* out) {
  if (name == nullptr) return false;
  for (size_t i = 0; i < static_cast<size_t>(Isa::kCount); ++i) {
    if (std::strcmp(name, kIsaNames[i]) == 0) {
      *out = static_cast<Isa>(i);
      return true;
    }
  }
  return false;
}

IsaMask isa_mask_up_to(Isa level) {
  IsaMask mask = isa_bit(Isa::kScalar);
  switch (level) {
    case Isa::kAvx512Vnni: mask |= isa_bit(Isa::kAvx512Vnni); [[fallthrough]];
    case Isa::kAvx512: mask |= isa_bit(Isa::kAvx512); [[fallthrough]];
    case Isa::kAvx2: mask |= isa_bit(Isa::kAvx2); break;
    case Isa::kNeonI8mm: mask |= isa_bit(Isa::kNeonI8mm); [[fallthrough]];
    case Isa::kNeonFp16: mask |= isa_bit(Isa::kNeonFp16); [[fallthrough]];
    case Isa::kNeonDot: mask |= isa_bit(Isa::kNeonDot); [[fallthrough]];
    case Isa::kNeon: mask |= isa_bit(Isa::kNeon); break;
    default: break;
  }
  return mask;
}

}  // namespace mint
