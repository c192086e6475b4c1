// Instruction-set levels that mint has kernels for.
//
// Every kernel belongs to exactly one Isa. The hardware layer (runtime/hardware.h) turns the
// CPU's features into an IsaMask once per process; kernel selection then picks, per kernel
// family, the best kernel whose Isa is in the mask. Tests and users can shrink the mask
// (MINT_ISA environment variable, model/session options) to exercise every path on one
// machine.
#pragma once

#include <cstdint>

namespace mint {

enum class Isa : uint8_t {
  kScalar = 0,      // portable C++; always available; the test oracle
  kAvx2 = 1,        // x86-64: AVX2 + FMA + F16C
  kAvx512 = 2,      // x86-64: AVX-512 F/BW/VL/DQ
  kAvx512Vnni = 3,  // x86-64: AVX-512 VNNI (vpdpbusd)
  kNeon = 4,        // AArch64: Advanced SIMD (baseline ARMv8-A)
  kNeonDot = 5,     // AArch64: SDOT/UDOT (ARMv8.2 dotprod)
  kNeonFp16 = 6,    // AArch64: FP16 arithmetic (ARMv8.2 fp16)
  kNeonI8mm = 7,    // AArch64: SMMLA (ARMv8.6 i8mm)
  kCount = 8,
};

using IsaMask = uint32_t;

constexpr IsaMask isa_bit(Isa isa) { return IsaMask{1} << static_cast<uint32_t>(isa); }

// The entry of [first, last) (kernel descriptors with an `isa` member) with the highest ISA in
// `mask`; the scalar level is always allowed. Null only when the range has no usable entry.
template <typename Kernel>
const Kernel* best_kernel_for(const Kernel* first, const Kernel* last, IsaMask mask) {
  mask |= isa_bit(Isa::kScalar);
  const Kernel* best = nullptr;
  for (const Kernel* k = first; k != last; ++k) {
    if ((mask & isa_bit(k->isa)) == 0) continue;
    if (best == nullptr || k->isa > best->isa) best = k;
  }
  return best;
}

// Lower-case name used in kernel names, logs, MINT_ISA and the C ABI ("scalar", "avx2",
// "avx512", "avx512vnni", "neon", "neondot", "neonfp16", "neoni8mm").
const char* isa_name(Isa isa);

// Parses a name as above; returns false if unknown.
bool parse_isa(const char* name, Isa* out);

// The mask that "at most `level`" allows: `level` and the levels it implies on its own
// architecture (avx512vnni -> avx512 -> avx2 -> scalar; neondot -> neon -> scalar, ...).
// Intersect with the hardware mask to obtain the usable set.
IsaMask isa_mask_up_to(Isa level);

}  // namespace mint
