// f32 activation kernels (kernels/elementwise.h, list kernels/activation.inc): tanh, sigmoid,
// gelu (erf form), gelu_tanh and silu, each ISA variant against the same run's scalar reference,
// and sigmoid also against Debian's XNNPACK (xnn_create_sigmoid_nc_f32, the only one of these
// five it has in f32), all on one thread (the kernels are single-threaded; the ops tile them).
// Sizes: one decode row of GPT-2 Small's MLP (3072) and a 128-token prefill of it (393216).
// Inputs uniform in [-6, 6]. Each figure is the median over repetitions of the mean call time.
//
//   build/release/benchmarks/activation_bench [REPETITIONS]
#include <xnnpack.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <vector>

#include "kernels/elementwise.h"
#include "runtime/hardware.h"

namespace {

using namespace mint;

// Median over `repetitions` of the mean time of one call (us), calls repeated to ~20 ms.
template <typename F>
double median_us(int repetitions, F&& f) {
  f();  // warm-up
  int calls = 1;
  for (;;) {
    const auto t0 = std::chrono::steady_clock::now();
    for (int i = 0; i < calls; ++i) f();
    const double ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
    if (ms > 20.0 || calls > (1 << 20)) break;
    calls *= 2;
  }
  std::vector<double> times;
  for (int r = 0; r < repetitions; ++r) {
    const auto t0 = std::chrono::steady_clock::now();
    for (int i = 0; i < calls; ++i) f();
    times.push_back(
        std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t0).count() /
        calls);
  }
  std::sort(times.begin(), times.end());
  return times[times.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  const int repetitions = argc > 1 ? std::max(1, std::atoi(argv[1])) : 5;
  if (xnn_initialize(nullptr) != xnn_status_success) {
    std::fprintf(stderr, "activation_bench: xnn_initialize failed\n");
    return 1;
  }
  size_t count = 0;
  const F32ActivationKernel* kernels = f32_activation_kernels(&count);
  const char* names[] = {"tanh", "sigmoid", "gelu", "gelu_tanh", "silu"};
  std::mt19937 rng(7);
  std::uniform_real_distribution<float> dist(-6.0f, 6.0f);
  std::printf("%-10s %8s  %-8s %10s %14s %15s\n", "function", "n", "variant", "us",
              "scalar/variant", "XNNPACK/variant");
  for (size_t n : {size_t{3072}, size_t{393216}}) {
    std::vector<float> x(n), y(n);
    for (float& v : x) v = dist(rng);
    double xnn_sigmoid_us = 0;
    xnn_operator_t op = nullptr;
    if (xnn_create_sigmoid_nc_f32(3072, 3072, 3072, 0, &op) == xnn_status_success &&
        xnn_setup_sigmoid_nc_f32(op, n / 3072, x.data(), y.data(), nullptr) == xnn_status_success) {
      xnn_sigmoid_us = median_us(repetitions, [&] { xnn_run_operator(op, nullptr); });
    }
    if (op != nullptr) xnn_delete_operator(op);
    for (int f = 0; f < 5; ++f) {
      double scalar_us = 0;
      for (size_t ki = 0; ki < count; ++ki) {
        const F32ActivationKernel& k = kernels[ki];
        if (k.isa != Isa::kScalar && (hardware_isa_mask() & isa_bit(k.isa)) == 0) continue;
        const F32UnaryFn fns[] = {k.tanh, k.sigmoid, k.gelu, k.gelu_tanh, k.silu};
        const double us = median_us(repetitions, [&] { fns[f](n, x.data(), y.data(), nullptr); });
        if (ki == 0) scalar_us = us;
        std::printf("%-10s %8zu  %-8s %10.1f %14.2f", names[f], n, k.name, us, scalar_us / us);
        if (f == 1 && xnn_sigmoid_us > 0) {
          std::printf(" %15.2f", xnn_sigmoid_us / us);
        }
        std::printf("\n");
      }
      if (f == 1) std::printf("%-10s %8zu  %-8s %10.1f\n", names[f], n, "XNNPACK", xnn_sigmoid_us);
    }
  }
  return 0;
}
