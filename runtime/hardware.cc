#include "runtime/hardware.h"

#include <cpuinfo.h>

#include <cstdlib>
#include <mutex>
#include <string>

#if defined(__aarch64__) && defined(__linux__)
#include <sys/auxv.h>
#ifndef HWCAP_ASIMDDP
#define HWCAP_ASIMDDP (1 << 20)
#endif
#ifndef HWCAP_FPHP
#define HWCAP_FPHP (1 << 9)
#endif
#ifndef HWCAP_ASIMDHP
#define HWCAP_ASIMDHP (1 << 10)
#endif
#ifndef HWCAP2_I8MM
#define HWCAP2_I8MM (1 << 13)
#endif
#endif

namespace mint {
namespace {

IsaMask detect() {
  IsaMask mask = isa_bit(Isa::kScalar);
#if defined(__x86_64__)
  if (!cpuinfo_initialize()) return mask;
  if (cpuinfo_has_x86_avx2() && cpuinfo_has_x86_fma3() && cpuinfo_has_x86_f16c()) {
    mask |= isa_bit(Isa::kAvx2);
    if (cpuinfo_has_x86_avx512f() && cpuinfo_has_x86_avx512bw() && cpuinfo_has_x86_avx512vl() &&
        cpuinfo_has_x86_avx512dq()) {
      mask |= isa_bit(Isa::kAvx512);
      if (cpuinfo_has_x86_avx512vnni()) mask |= isa_bit(Isa::kAvx512Vnni);
    }
  }
#elif defined(__aarch64__)
  // AArch64 always has Advanced SIMD. cpuinfo reports dotprod and fp16 arithmetic; i8mm is
  // newer than Debian's cpuinfo, so it comes from the kernel's HWCAP2 directly. If cpuinfo
  // cannot initialize (e.g. no /sys under some emulators), fall back to HWCAP alone.
  mask |= isa_bit(Isa::kNeon);
  bool dot = false, fp16 = false, i8mm = false;
#if defined(__linux__)
  const unsigned long hwcap = getauxval(AT_HWCAP);
  const unsigned long hwcap2 = getauxval(AT_HWCAP2);
  dot = (hwcap & HWCAP_ASIMDDP) != 0;
  fp16 = (hwcap & HWCAP_ASIMDHP) != 0 && (hwcap & HWCAP_FPHP) != 0;
  i8mm = (hwcap2 & HWCAP2_I8MM) != 0;
#endif
  if (cpuinfo_initialize()) {
    dot = dot || cpuinfo_has_arm_neon_dot();
    fp16 = fp16 || cpuinfo_has_arm_neon_fp16_arith();
  }
  if (dot) mask |= isa_bit(Isa::kNeonDot);
  if (fp16) mask |= isa_bit(Isa::kNeonFp16);
  if (i8mm && dot) mask |= isa_bit(Isa::kNeonI8mm);
#endif
  return mask;
}

}  // namespace

IsaMask hardware_isa_mask() {
  static std::once_flag once;
  static IsaMask mask = 0;
  std::call_once(once, [] { mask = detect(); });
  return mask;
}

Isa best_isa(IsaMask mask) {
  Isa best = Isa::kScalar;
  for (uint32_t i = 0; i < static_cast<uint32_t>(Isa::kCount); ++i) {
    if (mask & (IsaMask{1} << i)) best = static_cast<Isa>(i);
  }
  return best;
}

Result<IsaMask> allowed_isa_mask(const char* max_isa) {
  IsaMask mask = hardware_isa_mask();
  const char* env = std::getenv("MINT_ISA");
  for (const char* limit : {env, max_isa}) {
    if (limit == nullptr || *limit == '\0') continue;
    Isa level;
    if (!parse_isa(limit, &level)) {
      return Status::invalid_argument(std::string("unknown ISA '") + limit + "'" +
                                      (limit == env ? " in MINT_ISA" : " in max_isa") +
                                      " (want scalar, avx2, avx512, avx512vnni, neon, neondot, "
                                      "neonfp16 or neoni8mm)");
    }
    mask &= isa_mask_up_to(level);
  }
  return mask;
}

}  // namespace mint
