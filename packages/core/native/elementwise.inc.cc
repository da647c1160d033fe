// Element-wise kernels (sums, bias + activation, activation gradients, Adam, Polyak averaging), compiled once per
// instruction set like gemm.inc.cc but with -ffp-contract=off: these loops must round like the separate tfjs ops they
// replace (no fused multiply-add), while the products keep it. A separate file rather than a per-function
// `optimize` attribute, which in GCC also drops the instruction set and so the vectorisation.

#include <cmath>
#include <cstddef>

#ifndef POLYAK_ISA
#error "POLYAK_ISA must name the instruction set (avx512, avx2, sse2)"
#endif

#include "simd.h"

namespace polyak {
namespace POLYAK_ISA {

// Sums of a rows × cols row-major matrix: over the rows (out[j] = Σ_i x[i, j], leading axes reduced) or over the
// columns (out[i] = Σ_j x[i, j], trailing axes reduced). Float32 accumulation in a fixed order (deterministic).
void sumAxis(const float* x, float* out, std::size_t rows, std::size_t cols, bool overRows) {
  if (overRows) {
    for (std::size_t j = 0; j < cols; ++j) out[j] = 0.0f;
    for (std::size_t i = 0; i < rows; ++i) {
      const float* row = x + i * cols;
      std::size_t j = 0;
      for (; j + VW <= cols; j += VW) store(out + j, load(out + j) + load(row + j));
      for (; j < cols; ++j) out[j] += row[j];
    }
    return;
  }
  for (std::size_t i = 0; i < rows; ++i) {
    const float* row = x + i * cols;
    V acc = V{};
    std::size_t j = 0;
    for (; j + VW <= cols; j += VW) acc += load(row + j);
    float sum = 0.0f;
    for (int l = 0; l < VW; ++l) sum += acc[l];
    for (; j < cols; ++j) sum += row[j];
    out[i] = sum;
  }
}

// y[i] = x[i] + bias[i % n], then the activation (0 linear, 1 relu, 2 tanh), in place over rows × n.
void biasActivation(float* y, const float* bias, int rows, int n, int activation) {
  for (int r = 0; r < rows; ++r) {
    float* row = y + static_cast<std::size_t>(r) * n;
    if (bias != nullptr)
      for (int j = 0; j < n; ++j) row[j] += bias[j];
    if (activation == 1)
      for (int j = 0; j < n; ++j) row[j] = row[j] > 0.0f ? row[j] : 0.0f;
    else if (activation == 2)
      for (int j = 0; j < n; ++j) row[j] = std::tanh(row[j]);
  }
}

// dz = dy · activation'(z) written with the layer's output y (0 linear, 1 relu, 2 tanh), the float32 operations of
// core's activationGradient in the same order: dy · step(y) and dy · (1 − y²).
void activationGradient(const float* __restrict dy, const float* __restrict y, float* __restrict dz, std::size_t n,
                        int activation) {
  if (activation == 1) {
    for (std::size_t i = 0; i < n; ++i) dz[i] = dy[i] * (y[i] > 0.0f ? 1.0f : 0.0f);
  } else if (activation == 2) {
    for (std::size_t i = 0; i < n; ++i) dz[i] = dy[i] * (1.0f - y[i] * y[i]);
  } else {
    for (std::size_t i = 0; i < n; ++i) dz[i] = dy[i];
  }
}

// One Adam step over a flat parameter block, PyTorch's rule in the same float32 operations, in the same order, as
// Adam.ts does them with tfjs ops (so both give the same bits): m ← β1·m + (1 − β1)·g, v ← β2·v + (1 − β2)·g²,
// θ ← θ − (m / (√v / √(1 − β2^t) + ε)) · lr / (1 − β1^t), with g scaled by gScale first (global-norm clipping).
// The constants come from JavaScript already rounded to float32, as tfjs rounds its scalars. Writes new arrays.
// The output arrays never overlap the inputs (the kernel writes new tensors): `__restrict` lets the loop vectorise.
void adam(const float* __restrict theta, const float* __restrict g, const float* __restrict m,
          const float* __restrict v, float* __restrict thetaOut, float* __restrict mOut, float* __restrict vOut,
          std::size_t n, const float* k) {
  const float stepSize = k[0], beta1 = k[1], oneMinusBeta1 = k[2], beta2 = k[3], oneMinusBeta2 = k[4],
              sqrtBias2 = k[5], eps = k[6], gScale = k[7];
  // two copies of one loop, so that neither branches per element (and both vectorise)
  const auto step = [&](std::size_t i, float gi) {
    const float mi = m[i] * beta1 + gi * oneMinusBeta1;
    const float vi = v[i] * beta2 + (gi * gi) * oneMinusBeta2;
    const float denom = std::sqrt(vi) / sqrtBias2 + eps;
    mOut[i] = mi;
    vOut[i] = vi;
    thetaOut[i] = theta[i] - (mi / denom) * stepSize;
  };
  if (gScale == 1.0f) {
    for (std::size_t i = 0; i < n; ++i) step(i, g[i]);
  } else {
    for (std::size_t i = 0; i < n; ++i) step(i, g[i] * gScale);
  }
}

// θ' ← θ' + (θ − θ')·τ, into a new array (the order of polyakUpdate's tfjs ops).
void polyak(const float* __restrict online, const float* __restrict target, float* __restrict out, std::size_t n,
            float tau) {
  for (std::size_t i = 0; i < n; ++i) out[i] = target[i] + (online[i] - target[i]) * tau;
}

// Σ x², in double.
double sumSquares(const float* x, std::size_t n) {
  double s = 0.0;
  for (std::size_t i = 0; i < n; ++i) s += static_cast<double>(x[i]) * x[i];
  return s;
}

}  // namespace POLYAK_ISA
}  // namespace polyak
