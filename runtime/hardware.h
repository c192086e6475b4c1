// CPU feature detection, done once per process.
//
// hardware_isa_mask() asks cpuinfo (and, on AArch64, getauxval for what Debian's 2022 cpuinfo
// cannot report, such as i8mm) which kernel ISAs this CPU runs, under std::call_once. It is
// the upper bound of every kernel selection.
//
// allowed_isa_mask(option) narrows it: by the environment variable MINT_ISA (read once, e.g.
// MINT_ISA=avx2 or MINT_ISA=scalar) and by an explicit option (a model or session option);
// the lower of the two wins. Tests use this to run every kernel path on one machine.
#pragma once

#include "kernels/isa.h"
#include "runtime/status.h"

namespace mint {

IsaMask hardware_isa_mask();

// The best ISA in `mask` (the one whose kernels are preferred), for reporting.
Isa best_isa(IsaMask mask);

// hardware_isa_mask() limited by MINT_ISA and by `max_isa` (nullptr or "" for no limit).
// Errors: an unknown name in max_isa or MINT_ISA.
Result<IsaMask> allowed_isa_mask(const char* max_isa);

}  // namespace mint
