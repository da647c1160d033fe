// The vector type the kernels of one instruction set use (GCC/Clang vector extensions), shared by gemm.inc.cc and
// elementwise.inc.cc: VW floats per vector (16 with AVX-512, 8 with AVX2, 4 otherwise), MR rows per product tile.
#pragma once

#if defined(__AVX512F__)
#define POLYAK_VW 16
#define POLYAK_MR 12
#elif defined(__AVX2__)
#define POLYAK_VW 8
#define POLYAK_MR 6
#else
#define POLYAK_VW 4
#define POLYAK_MR 6
#endif

namespace polyak {
namespace POLYAK_ISA {

constexpr int VW = POLYAK_VW;

typedef float V __attribute__((vector_size(VW * 4), aligned(4)));

static inline V load(const float* p) { return *reinterpret_cast<const V*>(p); }
static inline void store(float* p, V v) { *reinterpret_cast<V*>(p) = v; }
static inline V splat(float x) { return V{} + x; }

}  // namespace POLYAK_ISA
}  // namespace polyak
