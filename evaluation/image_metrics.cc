#include "evaluation/image_metrics.h"

#include <cmath>
#include <string>

namespace mint::eval {
namespace {

constexpr int kRadius = 5;  // int(3.5 * 1.5 + 0.5), scipy.ndimage's truncation
constexpr double kSigma = 1.5;

struct Window {
  double taps[2 * kRadius + 1];
  Window() {
    double sum = 0.0;
    for (int i = -kRadius; i <= kRadius; ++i) {
      sum += taps[i + kRadius] = std::exp(-0.5 * double(i * i) / (kSigma * kSigma));
    }
    for (double& t : taps) t /= sum;
  }
};

bool finite(const float* v, size_t n) {
  for (size_t i = 0; i < n; ++i) {
    if (!std::isfinite(v[i])) return false;
  }
  return true;
}

}  // namespace

Result<double> ssim(const float* a, const float* b, size_t h, size_t w, double data_range) {
  const size_t win = 2 * kRadius + 1;
  if (h < win || w < win) {
    return Status::invalid_argument("ssim: image " + std::to_string(h) + "x" + std::to_string(w) +
                                    " is smaller than the 11x11 window");
  }
  if (!finite(a, h * w) || !finite(b, h * w)) {
    return Status::invalid_argument("ssim: image holds a non-finite pixel");
  }
  if (!(data_range > 0.0)) return Status::invalid_argument("ssim: data range must be positive");
  static const Window window;
  const double c1 = (0.01 * data_range) * (0.01 * data_range);
  const double c2 = (0.03 * data_range) * (0.03 * data_range);
  const size_t oh = h - 2 * kRadius, ow = w - 2 * kRadius;
  // Horizontal pass of the five maps (x, y, xx, yy, xy) for the rows the crop needs.
  std::vector<double> rows(5 * h * ow, 0.0);
  for (size_t r = 0; r < h; ++r) {
    for (size_t c = 0; c < ow; ++c) {
      double s[5] = {0, 0, 0, 0, 0};
      for (size_t k = 0; k < win; ++k) {
        const double x = a[r * w + c + k], y = b[r * w + c + k], t = window.taps[k];
        s[0] += t * x;
        s[1] += t * y;
        s[2] += t * x * x;
        s[3] += t * y * y;
        s[4] += t * x * y;
      }
      for (int m = 0; m < 5; ++m) rows[(size_t(m) * h + r) * ow + c] = s[m];
    }
  }
  double total = 0.0;
  for (size_t r = 0; r < oh; ++r) {
    for (size_t c = 0; c < ow; ++c) {
      double s[5] = {0, 0, 0, 0, 0};
      for (size_t k = 0; k < win; ++k) {
        for (int m = 0; m < 5; ++m) s[m] += window.taps[k] * rows[(size_t(m) * h + r + k) * ow + c];
      }
      const double ux = s[0], uy = s[1];
      const double vx = s[2] - ux * ux, vy = s[3] - uy * uy, vxy = s[4] - ux * uy;
      total += ((2 * ux * uy + c1) * (2 * vxy + c2)) / ((ux * ux + uy * uy + c1) * (vx + vy + c2));
    }
  }
  return total / double(oh * ow);
}

Result<double> mse(const float* a, const float* b, size_t count) {
  if (count == 0) return Status::invalid_argument("mse: empty images");
  if (!finite(a, count) || !finite(b, count)) {
    return Status::invalid_argument("mse: image holds a non-finite pixel");
  }
  double s = 0.0;
  for (size_t i = 0; i < count; ++i) s += (double(a[i]) - b[i]) * (double(a[i]) - b[i]);
  return s / double(count);
}

}  // namespace mint::eval
