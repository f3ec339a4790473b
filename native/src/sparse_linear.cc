// A dense layer fed straight from the data, when the data are mostly zeros (MNIST's pixels scaled to [0, 1]
// are 81% zeros): y = x·Wᵀ + b and the weight gradient δᵀ·x computed over x's nonzeros only, so the work is
// nnz(x)·N instead of B·K·N. A batch is compressed by one scan (per row for the forward product, per column
// for the gradient); where more than kMaxDensity of it is nonzero, the BLAS products run instead (the sparse
// path stops winning near 55% nonzeros). Results equal libtorch's to float rounding (1e-6 of the largest
// value in the tests); the one difference is that a zero input times an infinite weight adds nothing, where
// the dense product gives NaN (a NaN or infinite input is nonzero and propagates as there).
//
// The work is split by output columns into one part per core, run by libtorch's intra-op pool where it has
// the cores (MKL builds), else by the caller and the inter-op pool (at::launch): with OpenBLAS nnlab keeps the
// intra-op pool at one thread for dense models, so that it does not spin against OpenBLAS's threads
// (docs/architecture.md). at::parallel_for is inline OpenMP code: the addon is compiled with -fopenmp. Within its
// columns a part works in panels of 32 outputs whose packed weights stay in L1, with several accumulator
// chains to hide FMA latency. The loops are written once with GCC vector extensions and compiled for
// AVX-512, AVX2+FMA and baseline x86-64, chosen at load time.
#include "common.h"

#include <ATen/Parallel.h>
#include <torch/csrc/autograd/custom_function.h>

#include <immintrin.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <cstdint>
#include <cstring>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

// loadu<V>() returns wide vectors by value; it is always inlined into a function of the matching target, so
// the ABI note does not apply.
#pragma GCC diagnostic ignored "-Wpsabi"

namespace nnlab {

namespace {

constexpr double kMaxDensity = 0.4;  // at 40% nonzeros the sparse path is still 1.3-1.7x the BLAS one

// Products taken by each path since load (forward products and weight gradients), for tests and doctor.
std::atomic<int64_t> g_sparseProducts{0}, g_blasProducts{0};

#define SL_INLINE inline __attribute__((always_inline))
#define SL_AVX512 __attribute__((target("avx512f,avx512vl,avx512dq,avx512bw,fma,bmi,bmi2,popcnt")))
#define SL_AVX2 __attribute__((target("avx2,fma,bmi,bmi2,popcnt")))

// Unaligned, aliasing-safe SIMD types (like __m512_u); the width decides the ISA
// only through the target of the function the template code is inlined into.
typedef float f32x16 __attribute__((vector_size(64), aligned(4), may_alias));
typedef float f32x8 __attribute__((vector_size(32), aligned(4), may_alias));
typedef float f32x4 __attribute__((vector_size(16), aligned(4), may_alias));

// Panel width in floats. Measured on a Zen CPU with AVX-512 (1 thread, MNIST, batch 256 forward): 32 floats
// keep the packed panel (784 x 128 B = 100 KB) mostly in L1: 0.58 ms; 64 -> 0.99 ms; 128 -> 1.05 ms (L2
// bandwidth); 16 -> 1.04 ms (load ports).
constexpr int kMaxPanelFloats = 32;
constexpr int kMaxVecPerPanel = 8;  // upper bound of the NV switch below

// Unaligned vector load/store for the templates (typedef alignment attributes
// are dropped on template arguments, so V itself is assumed aligned there).
template <class V>
SL_INLINE V loadu(const float* p) {
  V v;
  std::memcpy(&v, p, sizeof v);
  return v;
}
template <class V>
SL_INLINE void storeu(float* p, const V& v) { std::memcpy(p, &v, sizeof v); }

// ---------------------------------------------------------------- helpers

// 8x8 float transpose: dst[c*dstStride + r] = src[r*srcStride + c].
SL_INLINE void transpose8x8(const float* src, long ss, float* dst, long ds) {
  f32x8 r0 = *(const f32x8*)(src + 0 * ss), r1 = *(const f32x8*)(src + 1 * ss);
  f32x8 r2 = *(const f32x8*)(src + 2 * ss), r3 = *(const f32x8*)(src + 3 * ss);
  f32x8 r4 = *(const f32x8*)(src + 4 * ss), r5 = *(const f32x8*)(src + 5 * ss);
  f32x8 r6 = *(const f32x8*)(src + 6 * ss), r7 = *(const f32x8*)(src + 7 * ss);
#define UNPACKLO(a, b) __builtin_shufflevector(a, b, 0, 8, 1, 9, 4, 12, 5, 13)
#define UNPACKHI(a, b) __builtin_shufflevector(a, b, 2, 10, 3, 11, 6, 14, 7, 15)
#define SHUF_LO(a, b) __builtin_shufflevector(a, b, 0, 1, 8, 9, 4, 5, 12, 13)
#define SHUF_HI(a, b) __builtin_shufflevector(a, b, 2, 3, 10, 11, 6, 7, 14, 15)
#define LANE_LO(a, b) __builtin_shufflevector(a, b, 0, 1, 2, 3, 8, 9, 10, 11)
#define LANE_HI(a, b) __builtin_shufflevector(a, b, 4, 5, 6, 7, 12, 13, 14, 15)
  f32x8 t0 = UNPACKLO(r0, r1), t1 = UNPACKHI(r0, r1), t2 = UNPACKLO(r2, r3), t3 = UNPACKHI(r2, r3);
  f32x8 t4 = UNPACKLO(r4, r5), t5 = UNPACKHI(r4, r5), t6 = UNPACKLO(r6, r7), t7 = UNPACKHI(r6, r7);
  f32x8 s0 = SHUF_LO(t0, t2), s1 = SHUF_HI(t0, t2), s2 = SHUF_LO(t1, t3), s3 = SHUF_HI(t1, t3);
  f32x8 s4 = SHUF_LO(t4, t6), s5 = SHUF_HI(t4, t6), s6 = SHUF_LO(t5, t7), s7 = SHUF_HI(t5, t7);
  *(f32x8*)(dst + 0 * ds) = LANE_LO(s0, s4);
  *(f32x8*)(dst + 1 * ds) = LANE_LO(s1, s5);
  *(f32x8*)(dst + 2 * ds) = LANE_LO(s2, s6);
  *(f32x8*)(dst + 3 * ds) = LANE_LO(s3, s7);
  *(f32x8*)(dst + 4 * ds) = LANE_HI(s0, s4);
  *(f32x8*)(dst + 5 * ds) = LANE_HI(s1, s5);
  *(f32x8*)(dst + 6 * ds) = LANE_HI(s2, s6);
  *(f32x8*)(dst + 7 * ds) = LANE_HI(s3, s7);
#undef UNPACKLO
#undef UNPACKHI
#undef SHUF_LO
#undef SHUF_HI
#undef LANE_LO
#undef LANE_HI
}

// dst[c*ds + r] = src[r*ss + c] for r < rows, c < cols (any sizes).
SL_INLINE void transpose(const float* src, long ss, int rows, int cols, float* dst, long ds) {
  int r = 0;
  for (; r + 8 <= rows; r += 8) {
    int c = 0;
    for (; c + 8 <= cols; c += 8) transpose8x8(src + r * ss + c, ss, dst + c * ds + r, ds);
    for (; c < cols; ++c)
      for (int rr = r; rr < r + 8; ++rr) dst[c * ds + rr] = src[rr * ss + c];
  }
  for (; r < rows; ++r)
    for (int c = 0; c < cols; ++c) dst[c * ds + r] = src[r * ss + c];
}

template <class T>
T* scratch(std::vector<T>& v, size_t n) {
  if (v.size() < n) v.resize(n);
  return v.data();
}

// Output range of part t of nt, in units of `align` outputs.
inline void threadRange(int n, int nt, int t, int align, int& lo, int& hi) {
  const int units = (n + align - 1) / align;
  lo = std::min(n, (int)((int64_t)units * t / nt) * align);
  hi = std::min(n, (int)((int64_t)units * (t + 1) / nt) * align);
}

// Split [lo,hi) into panels of at most maxVecPerPanel(L) vectors of L floats, as
// evenly as possible. Returns the number of panels.
inline int maxVecPerPanel(int L) { return std::max(1, std::min(kMaxVecPerPanel, kMaxPanelFloats / L)); }
inline int panelCount(int lo, int hi, int L) {
  const int vecs = (hi - lo + L - 1) / L;
  return (vecs + maxVecPerPanel(L) - 1) / maxVecPerPanel(L);
}
inline void panelBounds(int lo, int hi, int L, int np, int p, int& o0, int& o1, int& nv) {
  const int vecs = (hi - lo + L - 1) / L;
  const int v0 = vecs * p / np, v1 = vecs * (p + 1) / np;
  o0 = lo + v0 * L;
  o1 = std::min(hi, lo + v1 * L);
  nv = v1 - v0;
}

// Independent accumulator chains so that narrow panels still hide FMA latency.
constexpr int chainsFor(int NV) { return NV >= 6 ? 1 : NV >= 3 ? 2 : NV == 2 ? 4 : 8; }

// ------------------------------------------------------------ forward kernel

// acc = bias; acc += x_ij * Wp[j] over the nonzeros of one row; out = acc (n valid).
// Wp holds input j's weights for this panel's outputs at Wp + j * ws (ws: the packed panel's width, or N when
// the panel is read in place from the transposed kernel).
template <class V, int NV>
SL_INLINE void forwardRow(const int* idx, const float* val, int nnz, const float* Wp, long ws,
                          const float* biasP, float* out, int n) {
  constexpr int L = sizeof(V) / sizeof(float), PW = NV * L, NC = chainsFor(NV);
  V acc[NC][NV];
  for (int v = 0; v < NV; ++v) acc[0][v] = loadu<V>(biasP + v * L);
  for (int c = 1; c < NC; ++c)
    for (int v = 0; v < NV; ++v) acc[c][v] = V{};
  int k = 0;
  for (; k + NC <= nnz; k += NC)
    for (int c = 0; c < NC; ++c) {
      const float* w = Wp + idx[k + c] * ws;
      const float xv = val[k + c];
      for (int v = 0; v < NV; ++v) acc[c][v] += xv * loadu<V>(w + v * L);
    }
  for (; k < nnz; ++k) {
    const float* w = Wp + idx[k] * ws;
    const float xv = val[k];
    for (int v = 0; v < NV; ++v) acc[0][v] += xv * loadu<V>(w + v * L);
  }
  for (int c = 1; c < NC; ++c)
    for (int v = 0; v < NV; ++v) acc[0][v] += acc[c][v];
  if (n == PW) {
    for (int v = 0; v < NV; ++v) storeu(out + v * L, acc[0][v]);
  } else {
    alignas(64) float tmp[PW];
    for (int v = 0; v < NV; ++v) storeu(tmp + v * L, acc[0][v]);
    std::memcpy(out, tmp, n * sizeof(float));
  }
}

struct ForwardArgs {
  const int* idx;    // [B][K] (row i at i*K), first cnt[i] used
  const float* val;  // same layout
  const int* cnt;    // [B]
  const float* w;    // [N][K]
  const float* wt;   // [K][N], the same weights transposed (the inference kernel), or null
  const float* b;    // [N]
  float* out;        // [B][N]
  int B, K, N;
  int lo, hi;  // output range of this part
};

template <class V, int NV>
SL_INLINE void forwardPanelRows(const ForwardArgs& a, const float* Wp, long ws, const float* biasP, int o0, int n) {
  for (int i = 0; i < a.B; ++i)
    forwardRow<V, NV>(a.idx + (long)i * a.K, a.val + (long)i * a.K, a.cnt[i], Wp, ws, biasP,
                      a.out + (long)i * a.N + o0, n);
}

template <class V>
SL_INLINE void forwardThread(const ForwardArgs& a) {
  constexpr int L = sizeof(V) / sizeof(float);
  thread_local std::vector<float> wpBuf;
  float* Wp = scratch(wpBuf, (size_t)a.K * kMaxPanelFloats);
  const int np = panelCount(a.lo, a.hi, L);
  for (int p = 0; p < np; ++p) {
    int o0, o1, nv;
    panelBounds(a.lo, a.hi, L, np, p, o0, o1, nv);
    const int n = o1 - o0, pw = nv * L;
    alignas(64) float biasP[kMaxPanelFloats];  // zeros without a bias
    for (int o = 0; o < pw; ++o) biasP[o] = o < n && a.b ? a.b[o0 + o] : 0.f;
    // A whole panel is read in place from the transposed kernel; otherwise it is packed: Wp[j][o] =
    // w[o0+o][j], zero padded to pw (a partial panel's loads would run past the kernel's rows).
    const float* panel = Wp;
    long ws = pw;
    if (a.wt != nullptr && n == pw) {
      panel = a.wt + o0;
      ws = a.N;
    } else {
      transpose(a.w + (long)o0 * a.K, a.K, n, a.K, Wp, pw);
      if (n < pw)
        for (int j = 0; j < a.K; ++j)
          for (int o = n; o < pw; ++o) Wp[(long)j * pw + o] = 0.f;
    }
    switch (nv) {
      case 1: forwardPanelRows<V, 1>(a, panel, ws, biasP, o0, n); break;
      case 2: forwardPanelRows<V, 2>(a, panel, ws, biasP, o0, n); break;
      case 3: forwardPanelRows<V, 3>(a, panel, ws, biasP, o0, n); break;
      case 4: forwardPanelRows<V, 4>(a, panel, ws, biasP, o0, n); break;
      case 5: forwardPanelRows<V, 5>(a, panel, ws, biasP, o0, n); break;
      case 6: forwardPanelRows<V, 6>(a, panel, ws, biasP, o0, n); break;
      case 7: forwardPanelRows<V, 7>(a, panel, ws, biasP, o0, n); break;
      case 8: forwardPanelRows<V, 8>(a, panel, ws, biasP, o0, n); break;
    }
  }
}

// ------------------------------------------------------- weight-grad kernel

// T[o] = sum over the nonzeros (rows[k], vals[k]) of one column of vals[k] * Dp[rows[k]][o].
template <class V, int NV>
SL_INLINE void gradColumn(const int* rows, const float* vals, int nnz, const float* Dp, float* T) {
  constexpr int L = sizeof(V) / sizeof(float), PW = NV * L, NC = chainsFor(NV);
  V acc[NC][NV];
  for (int c = 0; c < NC; ++c)
    for (int v = 0; v < NV; ++v) acc[c][v] = V{};
  int k = 0;
  for (; k + NC <= nnz; k += NC)
    for (int c = 0; c < NC; ++c) {
      const float* d = Dp + (long)rows[k + c] * PW;
      const float xv = vals[k + c];
      for (int v = 0; v < NV; ++v) acc[c][v] += xv * loadu<V>(d + v * L);
    }
  for (; k < nnz; ++k) {
    const float* d = Dp + (long)rows[k] * PW;
    const float xv = vals[k];
    for (int v = 0; v < NV; ++v) acc[0][v] += xv * loadu<V>(d + v * L);
  }
  for (int c = 1; c < NC; ++c)
    for (int v = 0; v < NV; ++v) acc[0][v] += acc[c][v];
  for (int v = 0; v < NV; ++v) storeu(T + v * L, acc[0][v]);
}

struct GradArgs {
  const int* rows;   // [K][B] (column j at j*B), first cnt[j] used
  const float* val;  // same layout
  const int* cnt;    // [K]
  const float* delta;  // [B][N]
  float* dw;           // [N][K]
  int B, K, N;
  int lo, hi;
};

template <class V, int NV>
SL_INLINE void gradPanel(const GradArgs& a, const float* Dp, float* T, int o0, int n) {
  constexpr int L = sizeof(V) / sizeof(float), PW = NV * L;
  constexpr int JB = 8;  // columns per transpose block
  for (int j0 = 0; j0 < a.K; j0 += JB) {
    const int nj = std::min(JB, a.K - j0);
    for (int jj = 0; jj < nj; ++jj) {
      const int j = j0 + jj;
      gradColumn<V, NV>(a.rows + (long)j * a.B, a.val + (long)j * a.B, a.cnt[j], Dp, T + jj * PW);
    }
    // dw[o0+o][j0+jj] = T[jj][o]
    transpose(T, PW, nj, n, a.dw + (long)o0 * a.K + j0, a.K);
  }
}

template <class V>
SL_INLINE void gradThread(const GradArgs& a) {
  constexpr int L = sizeof(V) / sizeof(float);
  thread_local std::vector<float> dpBuf, tBuf;
  float* Dp = scratch(dpBuf, (size_t)a.B * kMaxVecPerPanel * L);
  float* T = scratch(tBuf, (size_t)8 * kMaxVecPerPanel * L);
  const int np = panelCount(a.lo, a.hi, L);
  for (int p = 0; p < np; ++p) {
    int o0, o1, nv;
    panelBounds(a.lo, a.hi, L, np, p, o0, o1, nv);
    const int n = o1 - o0, pw = nv * L;
    for (int i = 0; i < a.B; ++i) {  // Dp[i][o] = delta[i][o0+o], zero padded
      std::memcpy(Dp + (long)i * pw, a.delta + (long)i * a.N + o0, n * sizeof(float));
      for (int o = n; o < pw; ++o) Dp[(long)i * pw + o] = 0.f;
    }
    switch (nv) {
      case 1: gradPanel<V, 1>(a, Dp, T, o0, n); break;
      case 2: gradPanel<V, 2>(a, Dp, T, o0, n); break;
      case 3: gradPanel<V, 3>(a, Dp, T, o0, n); break;
      case 4: gradPanel<V, 4>(a, Dp, T, o0, n); break;
      case 5: gradPanel<V, 5>(a, Dp, T, o0, n); break;
      case 6: gradPanel<V, 6>(a, Dp, T, o0, n); break;
      case 7: gradPanel<V, 7>(a, Dp, T, o0, n); break;
      case 8: gradPanel<V, 8>(a, Dp, T, o0, n); break;
    }
  }
}

// ------------------------------------------------------------- compression
// CSR: row i's nonzeros go to idx/val[i*K ...], count in cnt[i].
// CSC: column j's nonzeros go to rows/val[j*B ...], count in cnt[j], rows ascending.

SL_AVX512 void csrAvx512(const float* x, int B, int K, int* idx, float* val, int* cnt) {
  const __m512 zero = _mm512_setzero_ps();
  for (int i = 0; i < B; ++i) {
    const float* xr = x + (long)i * K;
    int* ir = idx + (long)i * K;
    float* vr = val + (long)i * K;
    int n = 0, j = 0;
    __m512i jv = _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
    for (; j + 16 <= K; j += 16, jv = _mm512_add_epi32(jv, _mm512_set1_epi32(16))) {
      const __m512 v = _mm512_loadu_ps(xr + j);
      const __mmask16 m = _mm512_cmpneq_ps_mask(v, zero);
      if (!m) continue;
      // register-form compress + full store (the memory form is slow on AMD);
      // n <= j, so the 16-wide store stays inside this row's K slots.
      _mm512_storeu_ps(vr + n, _mm512_maskz_compress_ps(m, v));
      _mm512_storeu_si512(ir + n, _mm512_maskz_compress_epi32(m, jv));
      n += __builtin_popcount(m);
    }
    for (; j < K; ++j)
      if (xr[j] != 0.f) ir[n] = j, vr[n++] = xr[j];
    cnt[i] = n;
  }
}

SL_AVX512 void cscAvx512(const float* x, int B, int K, int* rows, float* val, int* cnt) {
  std::fill(cnt, cnt + K, 0);
  const __m512 zero = _mm512_setzero_ps();
  for (int i = 0; i < B; ++i) {
    const float* xr = x + (long)i * K;
    int j = 0;
    for (; j + 16 <= K; j += 16) {
      unsigned m = _mm512_cmpneq_ps_mask(_mm512_loadu_ps(xr + j), zero);
      while (m) {
        const int c = j + __builtin_ctz(m);
        m &= m - 1;
        const int n = cnt[c]++;
        rows[(long)c * B + n] = i;
        val[(long)c * B + n] = xr[c];
      }
    }
    for (; j < K; ++j)
      if (xr[j] != 0.f) {
        const int n = cnt[j]++;
        rows[(long)j * B + n] = i, val[(long)j * B + n] = xr[j];
      }
  }
}

SL_AVX2 void csrAvx2(const float* x, int B, int K, int* idx, float* val, int* cnt) {
  const __m256 zero = _mm256_setzero_ps();
  for (int i = 0; i < B; ++i) {
    const float* xr = x + (long)i * K;
    int* ir = idx + (long)i * K;
    float* vr = val + (long)i * K;
    int n = 0, j = 0;
    for (; j + 8 <= K; j += 8) {
      unsigned m = _mm256_movemask_ps(_mm256_cmp_ps(_mm256_loadu_ps(xr + j), zero, _CMP_NEQ_UQ));
      while (m) {
        const int c = j + __builtin_ctz(m);
        m &= m - 1;
        ir[n] = c, vr[n++] = xr[c];
      }
    }
    for (; j < K; ++j)
      if (xr[j] != 0.f) ir[n] = j, vr[n++] = xr[j];
    cnt[i] = n;
  }
}

SL_AVX2 void cscAvx2(const float* x, int B, int K, int* rows, float* val, int* cnt) {
  std::fill(cnt, cnt + K, 0);
  const __m256 zero = _mm256_setzero_ps();
  for (int i = 0; i < B; ++i) {
    const float* xr = x + (long)i * K;
    int j = 0;
    for (; j + 8 <= K; j += 8) {
      unsigned m = _mm256_movemask_ps(_mm256_cmp_ps(_mm256_loadu_ps(xr + j), zero, _CMP_NEQ_UQ));
      while (m) {
        const int c = j + __builtin_ctz(m);
        m &= m - 1;
        const int n = cnt[c]++;
        rows[(long)c * B + n] = i, val[(long)c * B + n] = xr[c];
      }
    }
    for (; j < K; ++j)
      if (xr[j] != 0.f) {
        const int n = cnt[j]++;
        rows[(long)j * B + n] = i, val[(long)j * B + n] = xr[j];
      }
  }
}

void csrGeneric(const float* x, int B, int K, int* idx, float* val, int* cnt) {
  for (int i = 0; i < B; ++i) {
    const float* xr = x + (long)i * K;
    int* ir = idx + (long)i * K;
    float* vr = val + (long)i * K;
    int n = 0;
    for (int j = 0; j < K; ++j) {  // branch-free append
      ir[n] = j, vr[n] = xr[j];
      n += xr[j] != 0.f;
    }
    cnt[i] = n;
  }
}

void cscGeneric(const float* x, int B, int K, int* rows, float* val, int* cnt) {
  std::fill(cnt, cnt + K, 0);
  for (int i = 0; i < B; ++i)
    for (int j = 0; j < K; ++j) {
      const float v = x[(long)i * K + j];
      if (v != 0.f) {
        const int n = cnt[j]++;
        rows[(long)j * B + n] = i, val[(long)j * B + n] = v;
      }
    }
}

// ------------------------------------------------------------ ISA variants

SL_AVX512 void forwardAvx512(const ForwardArgs& a) { forwardThread<f32x16>(a); }
SL_AVX2 void forwardAvx2(const ForwardArgs& a) { forwardThread<f32x8>(a); }
void forwardGeneric(const ForwardArgs& a) { forwardThread<f32x4>(a); }
SL_AVX512 void gradAvx512(const GradArgs& a) { gradThread<f32x16>(a); }
SL_AVX2 void gradAvx2(const GradArgs& a) { gradThread<f32x8>(a); }
void gradGeneric(const GradArgs& a) { gradThread<f32x4>(a); }

struct Isa {
  const char* name;
  void (*forward)(const ForwardArgs&);
  void (*grad)(const GradArgs&);
  void (*csr)(const float*, int, int, int*, float*, int*);
  void (*csc)(const float*, int, int, int*, float*, int*);
  int lanes;  // floats per vector: alignment unit for splitting the outputs into parts
};

// The variants, best first.
const Isa kVariants[] = {
    {"avx512", forwardAvx512, gradAvx512, csrAvx512, cscAvx512, 16},
    {"avx2", forwardAvx2, gradAvx2, csrAvx2, cscAvx2, 8},
    {"generic", forwardGeneric, gradGeneric, csrGeneric, cscGeneric, 4},
};

// Whether this CPU has what variant `v` is compiled for.
bool CpuRuns(const Isa& v) {
  __builtin_cpu_init();
  if (v.lanes == 16) {
    return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512dq") &&
           __builtin_cpu_supports("avx512bw");
  }
  if (v.lanes == 8) return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  return true;
}

// The variant in use: the best this CPU runs (tests switch it with sparseLinearIsa).
Isa& isa() {
  static Isa chosen = [] {
    for (const Isa& v : kVariants)
      if (CpuRuns(v)) return v;
    return kVariants[2];
  }();
  return chosen;
}

int Lanes() { return isa().lanes; }

// Runs fn(0) .. fn(parts - 1) and waits for all of them; the first exception is rethrown here. Where
// libtorch's intra-op pool has the cores (MKL builds, where nnlab gives it them), the parts run there, as
// libtorch's own kernels do: its OpenMP threads would otherwise spin against a second pool. Where it has one
// thread (OpenBLAS builds, dense models), part 0 runs on the calling thread and the others on the inter-op
// pool.
template <typename F>
void RunParts(int parts, const F& fn) {
  if (parts <= 1) {
    fn(0);
    return;
  }
  if (at::get_num_threads() >= parts) {
    at::parallel_for(0, parts, 1, [&](int64_t begin, int64_t end) {
      for (int64_t p = begin; p < end; ++p) fn(static_cast<int>(p));
    });
    return;
  }
  std::atomic<int> left{parts - 1};
  std::exception_ptr error;
  std::mutex errorMutex;
  for (int p = 1; p < parts; ++p) {
    at::launch([&, p] {
      try {
        fn(p);
      } catch (...) {
        std::lock_guard<std::mutex> lock(errorMutex);
        if (!error) error = std::current_exception();
      }
      left.fetch_sub(1, std::memory_order_acq_rel);
    });
  }
  try {
    fn(0);
  } catch (...) {
    std::lock_guard<std::mutex> lock(errorMutex);
    if (!error) error = std::current_exception();
  }
  while (left.load(std::memory_order_acquire) > 0) std::this_thread::yield();
  if (error) std::rethrow_exception(error);
}

// One part per core, up to what the pool in use can take (the intra-op pool, else the inter-op pool besides
// the caller), no part under 64 outputs, and one part alone under kSplitWork multiply-adds (nnz · outputs),
// where waking a pool thread costs about what it saves (evaluation at batch 32: 4M).
constexpr int64_t kSplitWork = int64_t{8} << 20;
int PartsFor(int n, int64_t nnz) {
  if (nnz * n < kSplitWork) return 1;
  const int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  const int intraOp = static_cast<int>(at::get_num_threads());
  const int pool = intraOp > 1 ? intraOp : 1 + static_cast<int>(at::get_num_interop_threads());  // size_t in 2.x
  return std::max(1, std::min({cores, pool, n / 64}));
}

// The compressed rows of x (CSR: row i's nonzeros at i*K, cnt[i] of them), in buffers of the calling thread
// that only grow (a training loop's batches reuse them). Returns the number of nonzeros.
struct Rows {
  std::vector<int> idx, cnt;
  std::vector<float> val;
};
int64_t CompressRows(const float* x, int B, int K, Rows& r) {
  scratch(r.idx, static_cast<size_t>(B) * K);
  scratch(r.val, static_cast<size_t>(B) * K);
  scratch(r.cnt, static_cast<size_t>(B));
  isa().csr(x, B, K, r.idx.data(), r.val.data(), r.cnt.data());
  int64_t nnz = 0;
  for (int i = 0; i < B; ++i) nnz += r.cnt[i];
  return nnz;
}

// x·Wᵀ + b over the nonzeros of x (contiguous), or an undefined tensor where more than kMaxDensity of x is
// nonzero (the caller takes the BLAS). `kernel`, when defined, is Wᵀ contiguous (the inference layout), read in
// place instead of packing W.
at::Tensor SparseForward(const at::Tensor& x, const at::Tensor& w, const at::Tensor& kernel, const at::Tensor& b) {
  const int B = static_cast<int>(x.size(0)), K = static_cast<int>(x.size(1)), N = static_cast<int>(w.size(0));
  thread_local Rows buffers;  // the caller's: the parts below read them through `rows`, not by this name
  Rows& rows = buffers;
  const int64_t nnz = CompressRows(x.data_ptr<float>(), B, K, rows);
  if (static_cast<double>(nnz) > kMaxDensity * static_cast<double>(B) * K) return at::Tensor();
  at::Tensor out = at::empty({B, N}, w.options());
  const int parts = PartsFor(N, nnz);
  g_sparseProducts.fetch_add(1, std::memory_order_relaxed);
  const float* bias = b.defined() ? b.data_ptr<float>() : nullptr;
  const float* wt = kernel.defined() ? kernel.data_ptr<float>() : nullptr;
  RunParts(parts, [&](int t) {
    ForwardArgs a{rows.idx.data(), rows.val.data(), rows.cnt.data(), w.data_ptr<float>(), wt, bias, out.data_ptr<float>(), B, K, N, 0, 0};
    threadRange(N, parts, t, Lanes(), a.lo, a.hi);
    if (a.lo < a.hi) isa().forward(a);
  });
  return out;
}

// δᵀ·x over x's nonzeros ([N, K], W's layout).
at::Tensor SparseWeightGrad(const at::Tensor& delta, const float* x, int B, int K) {
  const int N = static_cast<int>(delta.size(1));
  at::Tensor dw = at::empty({N, K}, delta.options());
  thread_local std::vector<int> rowBuf, cntBuf;
  thread_local std::vector<float> valBuf;
  int* rows = scratch(rowBuf, static_cast<size_t>(B) * K);
  int* cnt = scratch(cntBuf, static_cast<size_t>(K));
  float* val = scratch(valBuf, static_cast<size_t>(B) * K);
  isa().csc(x, B, K, rows, val, cnt);
  g_sparseProducts.fetch_add(1, std::memory_order_relaxed);
  int64_t nnz = 0;
  for (int j = 0; j < K; ++j) nnz += cnt[j];
  const int parts = PartsFor(N, nnz);
  RunParts(parts, [&](int t) {
    GradArgs a{rows, val, cnt, delta.data_ptr<float>(), dw.data_ptr<float>(), B, K, N, 0, 0};
    threadRange(N, parts, t, Lanes(), a.lo, a.hi);
    if (a.lo < a.hi) isa().grad(a);
  });
  return dw;
}

bool Eligible(const at::Tensor& x, const at::Tensor& w, const at::Tensor& b) {
  auto cpuFloat = [](const at::Tensor& t) { return t.device().is_cpu() && t.scalar_type() == at::kFloat && t.layout() == at::kStrided; };
  if (!cpuFloat(x) || !cpuFloat(w) || x.dim() != 2 || w.dim() != 2 || x.size(1) != w.size(1)) return false;
  if (b.defined() && (!cpuFloat(b) || b.dim() != 1 || b.size(0) != w.size(0))) return false;
  // int indices and counts inside the kernels
  return x.size(0) > 0 && x.size(0) * x.size(1) < (int64_t{1} << 31) && w.size(0) > 0 && w.size(0) < (int64_t{1} << 31);
}

using torch::autograd::AutogradContext;
using torch::autograd::tensor_list;

// The product with its own backward: the weight gradient over x's nonzeros too, when x was sparse. Two
// Functions, with and without a bias: autograd cannot take an undefined tensor as an input.
at::Tensor LinearForward(AutogradContext* ctx, const at::Tensor& x, const at::Tensor& w, const at::Tensor& b) {
  const at::Tensor xc = x.contiguous(), wc = w.contiguous();
  at::Tensor y = SparseForward(xc, wc, at::Tensor(), b.defined() ? b.contiguous() : b);
  ctx->saved_data["sparse"] = y.defined();
  ctx->save_for_backward({xc, w});
  if (y.defined()) return y;
  g_blasProducts.fetch_add(1, std::memory_order_relaxed);
  return b.defined() ? at::addmm(b, xc, wc.t()) : at::mm(xc, wc.t());
}

// {dx, dW} and, with a bias, db.
tensor_list LinearBackward(AutogradContext* ctx, const tensor_list& grads, bool bias) {
  const auto saved = ctx->get_saved_variables();
  const at::Tensor& x = saved[0];
  const at::Tensor& w = saved[1];
  const at::Tensor g = grads[0].contiguous();
  at::Tensor gx, gw;
  if (ctx->needs_input_grad(0)) gx = at::mm(g, w);
  if (ctx->needs_input_grad(1)) {
    gw = ctx->saved_data["sparse"].toBool() ? SparseWeightGrad(g, x.data_ptr<float>(), static_cast<int>(x.size(0)), static_cast<int>(x.size(1)))
                                            : (g_blasProducts.fetch_add(1, std::memory_order_relaxed), at::mm(g.t(), x));
  }
  if (!bias) return {gx, gw};
  return {gx, gw, ctx->needs_input_grad(2) ? g.sum(0) : at::Tensor()};
}

struct SparseLinearFn : public torch::autograd::Function<SparseLinearFn> {
  static at::Tensor forward(AutogradContext* ctx, const at::Tensor& x, const at::Tensor& w, const at::Tensor& b) {
    return LinearForward(ctx, x, w, b);
  }
  static tensor_list backward(AutogradContext* ctx, tensor_list grads) { return LinearBackward(ctx, grads, true); }
};

struct SparseLinearNoBiasFn : public torch::autograd::Function<SparseLinearNoBiasFn> {
  static at::Tensor forward(AutogradContext* ctx, const at::Tensor& x, const at::Tensor& w) {
    return LinearForward(ctx, x, w, at::Tensor());
  }
  static tensor_list backward(AutogradContext* ctx, tensor_list grads) { return LinearBackward(ctx, grads, false); }
};

}  // namespace

static at::Tensor OptionalTensor(Napi::Env env, const Napi::Value& v, const char* what) {
  return v.IsNull() || v.IsUndefined() ? at::Tensor() : UnwrapTensor(env, v, what);
}

// sparseInputLinear(x, weight, bias | null, kernel | null) -> x·weightᵀ + bias, as aten::linear, computed
// over x's nonzeros when x is a CPU float32 matrix with at most 40% of them. Otherwise the BLAS product:
// with `kernel` (weightᵀ, contiguous: the inference layout) when given, else aten::linear itself.
static Napi::Value SparseInputLinear(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const at::Tensor x = UnwrapTensor(env, info[0], "sparseInputLinear: x");
  const at::Tensor w = UnwrapTensor(env, info[1], "sparseInputLinear: weight");
  const at::Tensor b = OptionalTensor(env, info[2], "sparseInputLinear: bias");
  const at::Tensor kernel = OptionalTensor(env, info[3], "sparseInputLinear: kernel");
  auto blas = [&] {
    g_blasProducts.fetch_add(1, std::memory_order_relaxed);
    if (kernel.defined()) return b.defined() ? at::addmm(b, x, kernel) : at::mm(x, kernel);
    return at::linear(x, w, b.defined() ? c10::optional<at::Tensor>(b) : c10::nullopt);
  };
  if (!Eligible(x, w, b)) return WrapTensor(env, blas());
  if (!at::GradMode::is_enabled() || !(x.requires_grad() || w.requires_grad() || (b.defined() && b.requires_grad()))) {
    // No graph to record (evaluation): the forward product alone. The kernel is read in place only if it is
    // W's transpose as the inference layout makes it.
    const bool inPlace = kernel.defined() && kernel.is_contiguous() && kernel.scalar_type() == at::kFloat && kernel.device().is_cpu() &&
                         kernel.dim() == 2 && kernel.size(0) == x.size(1) && kernel.size(1) == w.size(0);
    const at::Tensor y = SparseForward(x.contiguous(), w.contiguous(), inPlace ? kernel : at::Tensor(), b.defined() ? b.contiguous() : b);
    return WrapTensor(env, y.defined() ? y : blas());
  }
  return WrapTensor(env, b.defined() ? SparseLinearFn::apply(x, w, b) : SparseLinearNoBiasFn::apply(x, w));
}

// sparseLinearIsa(name?) -> the kernel variant in use ("avx512", "avx2" or "generic"); with a name, switches
// to that variant first (tests run every variant the CPU can; a variant it cannot run is refused).
static Napi::Value SparseLinearIsa(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() > 0 && info[0].IsString()) {
    const std::string name = info[0].As<Napi::String>().Utf8Value();
    const Isa* found = nullptr;
    for (const Isa& v : kVariants)
      if (name == v.name && CpuRuns(v)) found = &v;
    if (!found) ThrowType(env, "sparseLinearIsa: '" + name + "' is not a kernel variant this CPU runs (avx512, avx2, generic)");
    isa() = *found;
  }
  return Napi::String::New(env, isa().name);
}

// sparseLinearInfo() -> { enabled, kernels, sparse, blas }: whether dense layers fed from the data use this
// path (NNLAB_SPARSE_INPUT=0 turns it off; read once, at load), the kernel variant in use, and the products
// (forward and weight gradient) each path took since load.
static Napi::Value SparseLinearInfo(const Napi::CallbackInfo& info) {
  static const bool enabled = [] {
    const char* setting = std::getenv("NNLAB_SPARSE_INPUT");
    return setting == nullptr || std::string(setting) != "0";
  }();
  Napi::Object o = Napi::Object::New(info.Env());
  o.Set("enabled", enabled);
  o.Set("kernels", isa().name);
  o.Set("sparse", static_cast<double>(g_sparseProducts.load()));
  o.Set("blas", static_cast<double>(g_blasProducts.load()));
  return o;
}

void InitSparseLinear(Napi::Env env, Napi::Object exports) {
  Export<SparseInputLinear>(env, exports, "sparseInputLinear");
  Export<SparseLinearInfo>(env, exports, "sparseLinearInfo");
  Export<SparseLinearIsa>(env, exports, "sparseLinearIsa");
}

}  // namespace nnlab
