// Per-image quality metrics on single-channel float images (row-major, h x w).
//
//   ssim   the structural similarity of Wang et al. 2004 with a Gaussian window: sigma 1.5,
//          truncated at 3.5 sigma (11 x 11 taps, separable, normalized to sum 1), K1 = 0.01,
//          K2 = 0.03, data range L (1 for images in [0, 1]), C1 = (K1 L)^2, C2 = (K2 L)^2,
//          local statistics without the sample-covariance correction (Wang's form), and the
//          mean taken over the pixels whose whole window lies inside the image (a border of 5
//          is cropped). This equals scikit-image's
//            structural_similarity(a, b, gaussian_weights=True, sigma=1.5,
//                                  use_sample_covariance=False, data_range=L)
//          (skimage crops the same border, so its reflect padding never enters the mean).
//          Images must be at least 11 x 11.
//   mse    the mean of (a - b)^2.
//
// Both return invalid_argument on size mismatches or non-finite pixels.
#pragma once

#include <cstddef>
#include <vector>

#include "runtime/status.h"

namespace mint::eval {

Result<double> ssim(const float* a, const float* b, size_t h, size_t w, double data_range = 1.0);
Result<double> mse(const float* a, const float* b, size_t count);

}  // namespace mint::eval
