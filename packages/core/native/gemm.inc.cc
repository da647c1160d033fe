// Single-precision matrix products (and convolutions by them), compiled once per instruction set: build.mjs compiles
// this file three times on x86-64 (AVX-512, AVX2 + FMA, SSE2; elsewhere once, `generic`) with POLYAK_ISA naming the namespace, and polyak_native.cc
// picks one at load time from what the CPU reports. Plain C++ with GCC/Clang vector extensions: the vector width is
// the only thing that changes between the three builds.
//
// The product C = op(A) · op(B) is blocked the usual way for small matrices (every operand of an MLP update fits in
// L2): op(A) is packed into panels of MR rows and op(B) into panels of NR columns, both K deep, so the transposes
// cost one pass over each operand instead of a slow strided loop; an MR × NR tile of C lives in registers while K
// runs. Operands are addressed through (row, column) strides, which is how transposed and swapped problems share
// one kernel.

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>

#ifndef POLYAK_ISA
#error "POLYAK_ISA must name the instruction set (avx512, avx2, sse2)"
#endif

#include "simd.h"

namespace polyak {
namespace POLYAK_ISA {

constexpr int NR = 2 * VW;
// 1: full panels of an A with a unit stride are read in place (ADR 0018); build with 0 to pack every panel, as before
#ifndef POLYAK_DIRECT_A
#define POLYAK_DIRECT_A 1
#endif
constexpr int MR = POLYAK_MR;

// The rows of one product tile: callers that split a product by rows themselves cut at multiples of it.
int tileRows() { return MR; }

// A strided view of a matrix: element (r, c) is at data[r * rs + c * cs].
struct View {
  const float* data;
  std::ptrdiff_t rs;
  std::ptrdiff_t cs;
};

struct Scratch {
  float* a = nullptr;
  float* b = nullptr;
  float* col = nullptr;
  std::size_t aCap = 0;
  std::size_t bCap = 0;
  std::size_t colCap = 0;
};

static float* grow(float*& buf, std::size_t& cap, std::size_t need) {
  if (need > cap) {
    std::free(buf);
    std::size_t bytes = ((need * sizeof(float)) + 63) / 64 * 64;
    buf = static_cast<float*>(std::aligned_alloc(64, bytes));
    cap = bytes / sizeof(float);
  }
  return buf;
}

static thread_local Scratch scratch;

// Packs rows [0, M) of op(A) (M × K) into ceil(M / MR) panels of K × MR, zero-padded.
static void packA(const View& a, int M, int K, float* out) {
  for (int i0 = 0; i0 < M; i0 += MR) {
    const int rows = M - i0 < MR ? M - i0 : MR;
    float* panel = out + static_cast<std::size_t>(i0) * K;
    if (a.cs == 1) {
      for (int k = 0; k < K; ++k) {
        for (int i = 0; i < rows; ++i) panel[k * MR + i] = a.data[(i0 + i) * a.rs + k];
        for (int i = rows; i < MR; ++i) panel[k * MR + i] = 0.0f;
      }
    } else {
      for (int k = 0; k < K; ++k) {
        const float* src = a.data + k * a.cs + i0 * a.rs;
        for (int i = 0; i < rows; ++i) panel[k * MR + i] = src[i * a.rs];
        for (int i = rows; i < MR; ++i) panel[k * MR + i] = 0.0f;
      }
    }
  }
}

// Packs columns [j0, j0 + NR) of op(B) (K × N) into one K × NR panel, zero-padded.
static void packB(const View& b, int K, int N, int j0, float* panel) {
  const int cols = N - j0 < NR ? N - j0 : NR;
  if (b.cs == 1 && cols == NR) {
    for (int k = 0; k < K; ++k) std::memcpy(panel + k * NR, b.data + k * b.rs + j0, NR * sizeof(float));
    return;
  }
  for (int k = 0; k < K; ++k) {
    const float* src = b.data + k * b.rs + j0 * b.cs;
    for (int j = 0; j < cols; ++j) panel[k * NR + j] = src[j * b.cs];
    for (int j = cols; j < NR; ++j) panel[k * NR + j] = 0.0f;
  }
}

// An MR × NR tile of C in registers: c = A_panel · B_panel over K, where element (i, k) of the A panel is at
// a[i * rs + k * cs] — a packed panel (rs 1, cs MR) or full panels of op(A) read where A is stored (a unit row or
// column stride: packing those would cost a pass over A per product). The same operations in the same order either
// way, so the same bits.
static inline void microKernel(int K, const float* __restrict a, std::ptrdiff_t rs, std::ptrdiff_t cs,
                                     const float* __restrict bp, V (&c)[MR][2]) {
  for (int i = 0; i < MR; ++i) {
    c[i][0] = splat(0.0f);
    c[i][1] = splat(0.0f);
  }
  for (int k = 0; k < K; ++k) {
    const V b0 = load(bp + k * NR);
    const V b1 = load(bp + k * NR + VW);
    const float* ak = a + k * cs;
#pragma GCC unroll 16
    for (int i = 0; i < MR; ++i) {
      const float x = ak[i * rs];
      c[i][0] += b0 * x;
      c[i][1] += b1 * x;
    }
  }
}

// The epilogue of a dense layer's product, applied to a tile while it is still in registers: `bias` per column of C
// (null: none), then activation 0 linear, 1 ReLU — the float32 operations of biasActivation, in its order. Or, in a
// backward pass, `mask` (null: none): the layer's ReLU output h, laid out as C (row stride maskRs), and each element
// becomes x · (h > 0 ? 1 : 0) — activationGradient's operation, so dz of the layer below comes out of the product
// without its dy ever being stored.
struct Epilogue {
  const float* bias;
  int activation;
  const float* mask = nullptr;
  std::ptrdiff_t maskRs = 0;
};

static inline V finish(V x, const float* bias, int activation) {
  if (bias != nullptr) x += load(bias);
  if (activation == 1) x = x > splat(0.0f) ? x : splat(0.0f);
  return x;
}

// C (M × N, element (i, j) at c[i * crs + j * ccs]) = op(A) · op(B), then the epilogue (only with ccs == 1: row-major
// C, the bias running along its rows).
static void gemmStrided(const View& a, const View& b, float* c, std::ptrdiff_t crs, std::ptrdiff_t ccs, int M, int N,
                        int K, Epilogue epilogue = Epilogue{nullptr, 0}) {
  if (M == 0 || N == 0) return;
  if (K == 0) {
    for (int i = 0; i < M; ++i)
      for (int j = 0; j < N; ++j) {
        float y = 0.0f;
        if (epilogue.bias != nullptr) y += epilogue.bias[j];
        if (epilogue.activation == 1) y = y > 0.0f ? y : 0.0f;
        if (epilogue.mask != nullptr) y *= epilogue.mask[i * epilogue.maskRs + j] > 0.0f ? 1.0f : 0.0f;
        c[i * crs + j * ccs] = y;
      }
    return;
  }
  const bool withEpilogue = epilogue.bias != nullptr || epilogue.activation != 0;
  const float* mask = epilogue.mask;
  alignas(64) float biasTile[NR];
  // full panels of A are read where A is stored when one of its strides is 1; only the last, partial panel is packed
  const bool direct = POLYAK_DIRECT_A && (a.cs == 1 || a.rs == 1);
  const int fullRows = direct ? M / MR * MR : 0;
  const int packedRows = M - fullRows;
  const int mPanels = (packedRows + MR - 1) / MR;
  float* ap = grow(scratch.a, scratch.aCap, static_cast<std::size_t>(mPanels > 0 ? mPanels : 1) * MR * K);
  float* bp = grow(scratch.b, scratch.bCap, static_cast<std::size_t>(K) * NR);
  if (packedRows > 0) packA(View{a.data + fullRows * a.rs, a.rs, a.cs}, packedRows, K, ap);
  V acc[MR][2];
  alignas(64) float tile[MR * NR];
  for (int j0 = 0; j0 < N; j0 += NR) {
    packB(b, K, N, j0, bp);
    const int cols = N - j0 < NR ? N - j0 : NR;
    const float* bias = nullptr;
    if (epilogue.bias != nullptr) {
      for (int j = 0; j < NR; ++j) biasTile[j] = j < cols ? epilogue.bias[j0 + j] : 0.0f;
      bias = biasTile;
    }
    for (int i0 = 0; i0 < M; i0 += MR) {
      const int rows = M - i0 < MR ? M - i0 : MR;
      if (i0 < fullRows)
        microKernel(K, a.data + i0 * a.rs, a.rs, a.cs, bp, acc);
      else
        microKernel(K, ap + static_cast<std::size_t>(i0 - fullRows) * K, 1, MR, bp, acc);
      if (withEpilogue) {
        for (int i = 0; i < rows; ++i) {
          acc[i][0] = finish(acc[i][0], bias, epilogue.activation);
          acc[i][1] = finish(acc[i][1], bias == nullptr ? nullptr : bias + VW, epilogue.activation);
        }
      }
      if (ccs == 1 && cols == NR) {
        for (int i = 0; i < rows; ++i) {
          float* row = c + (i0 + i) * crs + j0;
          if (mask != nullptr) {
            const float* h = mask + (i0 + i) * epilogue.maskRs + j0;
            const V zero = splat(0.0f);
            acc[i][0] *= load(h) > zero ? splat(1.0f) : zero;
            acc[i][1] *= load(h + VW) > zero ? splat(1.0f) : zero;
          }
          store(row, acc[i][0]);
          store(row + VW, acc[i][1]);
        }
      } else {
        for (int i = 0; i < MR; ++i) {
          store(tile + i * NR, acc[i][0]);
          store(tile + i * NR + VW, acc[i][1]);
        }
        for (int i = 0; i < rows; ++i)
          for (int j = 0; j < cols; ++j) {
            float x = tile[i * NR + j];
            if (mask != nullptr) x *= mask[(i0 + i) * epilogue.maskRs + j0 + j] > 0.0f ? 1.0f : 0.0f;
            c[(i0 + i) * crs + (j0 + j) * ccs] = x;
          }
      }
    }
  }
}

// y[i] = Σ_k x(i, k) · w[k] for a matrix with contiguous rows (dot products).
static void gemvRows(const float* x, std::ptrdiff_t rs, const float* w, std::ptrdiff_t ws, float* y,
                     std::ptrdiff_t ys, int rows, int K) {
  float* wc = nullptr;
  alignas(64) float small[1024];
  const float* wv = w;
  if (ws != 1) {
    wc = K <= 1024 ? small : grow(scratch.b, scratch.bCap, static_cast<std::size_t>(K));
    for (int k = 0; k < K; ++k) wc[k] = w[k * ws];
    wv = wc;
  }
  for (int i = 0; i < rows; ++i) {
    const float* row = x + i * rs;
    V acc0 = V{}, acc1 = V{};
    int k = 0;
    for (; k + 2 * VW <= K; k += 2 * VW) {
      acc0 += load(row + k) * load(wv + k);
      acc1 += load(row + k + VW) * load(wv + k + VW);
    }
    acc0 += acc1;
    float sum = 0.0f;
    for (int l = 0; l < VW; ++l) sum += acc0[l];
    for (; k < K; ++k) sum += row[k] * wv[k];
    y[i * ys] = sum;
  }
}

// y[j] = Σ_k w[k] · x(k, j) for a matrix with contiguous rows (a sum of scaled rows).
static void gemvCols(const float* x, std::ptrdiff_t rs, const float* w, std::ptrdiff_t ws, float* y, int cols,
                     int K) {
  for (int j = 0; j < cols; ++j) y[j] = 0.0f;
  for (int k = 0; k < K; ++k) {
    const float* row = x + k * rs;
    const float wk = w[k * ws];
    int j = 0;
    for (; j + VW <= cols; j += VW) store(y + j, load(y + j) + load(row + j) * wk);
    for (; j < cols; ++j) y[j] += row[j] * wk;
  }
}

// Part `part` of `parts` of C = op(A) · op(B) (strided as in gemmStrided): a contiguous range of MR-row panels or of
// NR-column panels. Every element of C is computed by exactly one part,
// with the same operations in the same order as the whole product, so any split gives the same bits.
static void gemmPart(const View& a, const View& b, float* c, std::ptrdiff_t crs, std::ptrdiff_t ccs, int M, int N,
                     int K, int part, int parts, Epilogue epilogue = Epilogue{nullptr, 0}) {
  if (parts <= 1) {
    gemmStrided(a, b, c, crs, ccs, M, N, K, epilogue);
    return;
  }
  // Each part packs its own rows of op(A) and all of op(B), or its own columns of op(B) and all of op(A): split the
  // operand whose packing is slow (a strided gather rather than row copies), when it has a panel for every part.
  const int mPanels = (M + MR - 1) / MR;
  const int nPanels = (N + NR - 1) / NR;
  const bool splitColumns = (b.cs != 1 && nPanels >= parts) || mPanels < parts;
  if (!splitColumns) {
    const int i0 = mPanels * part / parts * MR;
    const int i1 = mPanels * (part + 1) / parts * MR;
    const int rows = (i1 < M ? i1 : M) - i0;
    Epilogue down = epilogue;
    if (down.mask != nullptr) down.mask += i0 * down.maskRs;
    if (rows > 0) gemmStrided(View{a.data + i0 * a.rs, a.rs, a.cs}, b, c + i0 * crs, crs, ccs, rows, N, K, down);
    return;
  }
  const int j0 = nPanels * part / parts * NR;
  const int j1 = nPanels * (part + 1) / parts * NR;
  const int cols = (j1 < N ? j1 : N) - j0;
  const Epilogue shifted{epilogue.bias == nullptr ? nullptr : epilogue.bias + j0, epilogue.activation,
                         epilogue.mask == nullptr ? nullptr : epilogue.mask + j0, epilogue.maskRs};
  if (cols > 0) gemmStrided(a, View{b.data + j0 * b.cs, b.rs, b.cs}, c + j0 * ccs, crs, ccs, M, cols, K, shifted);
}

// Row-major C (M × N) = op(A) · op(B), where A is stored M × K (or K × M when transA) and B is stored K × N (or
// N × K when transB), or its part `part` of `parts` (see gemmPart; products of one row or one column are not split:
// part 0 computes them whole). Narrow products (N below half a panel, M wide) are computed as
// C^T = op(B)^T · op(A)^T so the panels are not mostly padding.
void gemm(const float* A, const float* B, float* C, int M, int N, int K, bool transA, bool transB, int part,
          int parts) {
  const View a = transA ? View{A, 1, M} : View{A, K, 1};
  const View b = transB ? View{B, 1, K} : View{B, N, 1};
  if (N == 1 && K > 0) {
    if (part != 0) return;
    // C (M × 1) = op(A) · b: op(B) is one column, stored with stride b.rs.
    if (a.cs == 1)
      gemvRows(a.data, a.rs, b.data, b.rs, C, 1, M, K);
    else
      gemvCols(a.data, a.cs, b.data, b.rs, C, M, K);
    return;
  }
  if (M == 1 && K > 0) {
    if (part != 0) return;
    // C (1 × N) = a · op(B): op(A) is one row, stored with stride a.cs.
    if (b.rs == 1)
      gemvRows(b.data, b.cs, a.data, a.cs, C, 1, N, K);
    else
      gemvCols(b.data, b.rs, a.data, a.cs, C, N, K);
    return;
  }
  if (N < NR / 2 && M >= NR) {
    const View bt{b.data, b.cs, b.rs};
    const View at{a.data, a.cs, a.rs};
    gemmPart(bt, at, C, 1, N, N, M, K, part, parts);
    return;
  }
  gemmPart(a, b, C, N, 1, M, N, K, part, parts);
}

// A dense layer's product with its epilogue fused: C = activation(op(A) · op(B) + bias) (bias per column, may be
// null; activation 0 linear, 1 ReLU). Returns false, computing nothing, for the shapes whose product takes another
// path (one row or column, or narrow and computed transposed): the caller then runs gemm and biasActivation.
bool gemmBias(const float* A, const float* B, float* C, int M, int N, int K, bool transA, bool transB,
              const float* bias, int activation, int part, int parts) {
  if (N == 1 || M == 1 || (N < NR / 2 && M >= NR) || activation > 1) return false;
  const View a = transA ? View{A, 1, M} : View{A, K, 1};
  const View b = transB ? View{B, 1, K} : View{B, N, 1};
  gemmPart(a, b, C, N, 1, M, N, K, part, parts, Epilogue{bias, activation});
  return true;
}

// The backward pass of a ReLU layer's product: C = (op(A) · op(B)) · (h > 0 ? 1 : 0) element by element, h (M × N,
// row-major) the ReLU output C's gradient flows into. The bits of gemm then activationGradient. Returns false,
// computing nothing, for the shapes whose product takes another path (as gemmBias): the caller then runs those two.
bool gemmReluGradient(const float* A, const float* B, float* C, int M, int N, int K, bool transA, bool transB,
                      const float* h, int part, int parts) {
  if (N == 1 || M == 1 || (N < NR / 2 && M >= NR)) return false;
  const View a = transA ? View{A, 1, M} : View{A, K, 1};
  const View b = transB ? View{B, 1, K} : View{B, N, 1};
  gemmPart(a, b, C, N, 1, M, N, K, part, parts, Epilogue{nullptr, 0, h, N});
  return true;
}

// NHWC convolution y[N, OH, OW, F] = x[N, H, W, C] ⊛ w[KH, KW, C, F] (strides, dilations, zero padding before the
// first row/column), as image-to-column products: blocks of output pixels gather their receptive fields into rows of
// KH·KW·C values (contiguous runs of C channels), and each block is one product with w read as a (KH·KW·C) × F matrix.
void conv2d(const float* x, const float* w, float* y, int N, int H, int W, int C, int KH, int KW, int F, int OH,
            int OW, int sh, int sw, int dh, int dw, int padTop, int padLeft) {
  const int K = KH * KW * C;
  const long M = static_cast<long>(N) * OH * OW;
  if (M == 0 || F == 0) return;
  if (KH == 1 && KW == 1 && sh == 1 && sw == 1 && padTop == 0 && padLeft == 0 && OH == H && OW == W) {
    gemm(x, w, y, static_cast<int>(M), F, K, false, false, 0, 1);
    return;
  }
  long chunk = (1L << 20) / (K > 0 ? K : 1);
  if (chunk < MR) chunk = MR;
  if (chunk > M) chunk = M;
  float* col = grow(scratch.col, scratch.colCap, static_cast<std::size_t>(chunk) * K);
  const std::size_t runBytes = static_cast<std::size_t>(C) * sizeof(float);
  for (long r0 = 0; r0 < M; r0 += chunk) {
    const long rows = M - r0 < chunk ? M - r0 : chunk;
    for (long r = 0; r < rows; ++r) {
      const long index = r0 + r;
      const int n = static_cast<int>(index / (static_cast<long>(OH) * OW));
      const int rest = static_cast<int>(index % (static_cast<long>(OH) * OW));
      const int oh = rest / OW;
      const int ow = rest % OW;
      float* dst = col + r * K;
      for (int kh = 0; kh < KH; ++kh) {
        const int ih = oh * sh - padTop + kh * dh;
        for (int kw = 0; kw < KW; ++kw, dst += C) {
          const int iw = ow * sw - padLeft + kw * dw;
          if (ih < 0 || ih >= H || iw < 0 || iw >= W)
            std::memset(dst, 0, runBytes);
          else
            std::memcpy(dst, x + ((static_cast<std::size_t>(n) * H + ih) * W + iw) * C, runBytes);
        }
      }
    }
    gemm(col, w, y + static_cast<std::size_t>(r0) * F, static_cast<int>(rows), F, K, false, false, 0, 1);
  }
}

// y = x[begin : begin + size] for a row-major tensor of `rank` dimensions: runs along the innermost dimensions that
// are copied whole are merged, then each run is one memcpy.
void slice(const float* x, float* y, int rank, const int* shape, const int* begin, const int* size) {
  // the innermost dimensions taken whole merge into one contiguous run
  std::size_t run = 1;
  int d = rank - 1;
  while (d >= 0 && begin[d] == 0 && size[d] == shape[d]) run *= static_cast<std::size_t>(shape[d--]);
  if (d < 0) {
    std::memcpy(y, x, run * sizeof(float));
    return;
  }
  run *= static_cast<std::size_t>(size[d]);
  // strides of x in elements
  std::size_t stride[8];
  stride[rank - 1] = 1;
  for (int i = rank - 2; i >= 0; --i) stride[i] = stride[i + 1] * static_cast<std::size_t>(shape[i + 1]);
  std::size_t runs = 1;
  for (int i = 0; i < d; ++i) runs *= static_cast<std::size_t>(size[i]);
  int idx[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  for (std::size_t r = 0; r < runs; ++r) {
    std::size_t offset = static_cast<std::size_t>(begin[d]) * stride[d];
    for (int i = 0; i < d; ++i) offset += static_cast<std::size_t>(begin[i] + idx[i]) * stride[i];
    std::memcpy(y + r * run, x + offset, run * sizeof(float));
    for (int i = d - 1; i >= 0; --i) {
      if (++idx[i] < size[i]) break;
      idx[i] = 0;
    }
  }
}

// y = x with its dimensions permuted (y's dimension i is x's dimension perm[i]), row-major, rank ≤ 8.
void transpose(const float* x, float* y, int rank, const int* shape, const int* perm) {
  std::size_t xStride[8];
  xStride[rank - 1] = 1;
  for (int i = rank - 2; i >= 0; --i) xStride[i] = xStride[i + 1] * static_cast<std::size_t>(shape[i + 1]);
  int outShape[8];
  std::size_t step[8];  // x-stride of each y dimension
  std::size_t total = 1;
  for (int i = 0; i < rank; ++i) {
    outShape[i] = shape[perm[i]];
    step[i] = xStride[perm[i]];
    total *= static_cast<std::size_t>(outShape[i]);
  }
  if (total == 0) return;
  const int last = rank - 1;
  const int inner = outShape[last];
  const std::size_t innerStep = step[last];
  int idx[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  std::size_t base = 0;
  for (std::size_t o = 0; o < total; o += static_cast<std::size_t>(inner)) {
    if (innerStep == 1) {
      std::memcpy(y + o, x + base, static_cast<std::size_t>(inner) * sizeof(float));
    } else {
      const float* src = x + base;
      float* dst = y + o;
      for (int j = 0; j < inner; ++j) dst[j] = src[static_cast<std::size_t>(j) * innerStep];
    }
    for (int i = last - 1; i >= 0; --i) {
      base += step[i];
      if (++idx[i] < outShape[i]) break;
      base -= step[i] * static_cast<std::size_t>(outShape[i]);
      idx[i] = 0;
    }
  }
}

}  // namespace POLYAK_ISA
}  // namespace polyak
