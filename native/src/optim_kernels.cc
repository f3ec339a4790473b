// Fused optimiser updates. torch.optim's Adam makes ~8 passes over each parameter (mul_, add_, mul_, addcmul_,
// sqrt, div, add_, addcdiv_), allocating two temporaries; this makes one pass over param, grad and the moment
// buffers, with the same formulas in the same order (torch.optim.Adam / AdamW, single-tensor path). It applies
// to contiguous CPU tensors of one floating dtype; anything else returns false and the caller uses the op path.
#include "common.h"

#include "integers.h"

#include <torch/csrc/autograd/variable.h>

#include <cmath>

namespace nnlab {

namespace {

struct AdamHyper {
  double lr, beta1, beta2, eps, weightDecay;
  bool decoupled, amsgrad;
  int64_t step;
};

// The loop is branch-free (the options are template parameters) so that the compiler vectorises it; it is
// compiled for AVX-512, AVX2 and baseline x86-64 and the best one for the CPU is picked at load time.
template <typename T, bool kCoupled, bool kDecoupled, bool kAmsgrad>
__attribute__((always_inline)) inline void AdamLoop(T* __restrict p, const T* __restrict g, T* __restrict m,
                                                    T* __restrict v, T* __restrict vmax, int64_t n, const AdamHyper& h) {
  const T b1 = static_cast<T>(h.beta1), b2 = static_cast<T>(h.beta2);
  const T oneMinusB1 = static_cast<T>(1 - h.beta1), oneMinusB2 = static_cast<T>(1 - h.beta2);
  const T stepSize = static_cast<T>(h.lr / (1 - std::pow(h.beta1, static_cast<double>(h.step))));
  const T bias2Sqrt = static_cast<T>(std::sqrt(1 - std::pow(h.beta2, static_cast<double>(h.step))));
  const T eps = static_cast<T>(h.eps);
  const T wd = static_cast<T>(h.weightDecay);
  const T decay = static_cast<T>(1 - h.lr * h.weightDecay);
  for (int64_t i = 0; i < n; ++i) {
    T pi = p[i];
    const T gi = kCoupled ? g[i] + wd * pi : g[i];
    if (kDecoupled) pi = pi * decay;
    const T mi = m[i] * b1 + oneMinusB1 * gi;
    const T vi = v[i] * b2 + oneMinusB2 * (gi * gi);
    m[i] = mi;
    v[i] = vi;
    T second = vi;
    if (kAmsgrad) {
      second = vmax[i] > vi ? vmax[i] : vi;
      vmax[i] = second;
    }
    p[i] = pi - stepSize * (mi / (std::sqrt(second) / bias2Sqrt + eps));
  }
}

template <typename T>
__attribute__((always_inline)) inline void AdamDispatch(T* p, const T* g, T* m, T* v, T* vmax, int64_t n,
                                                        const AdamHyper& h) {
  const bool coupled = !h.decoupled && h.weightDecay != 0;
  const bool decoupled = h.decoupled && h.weightDecay != 0;
  if (vmax != nullptr) {
    if (coupled) return AdamLoop<T, true, false, true>(p, g, m, v, vmax, n, h);
    if (decoupled) return AdamLoop<T, false, true, true>(p, g, m, v, vmax, n, h);
    return AdamLoop<T, false, false, true>(p, g, m, v, vmax, n, h);
  }
  if (coupled) return AdamLoop<T, true, false, false>(p, g, m, v, vmax, n, h);
  if (decoupled) return AdamLoop<T, false, true, false>(p, g, m, v, vmax, n, h);
  return AdamLoop<T, false, false, false>(p, g, m, v, vmax, n, h);
}

__attribute__((target_clones("avx512f", "avx2", "default"))) void AdamFloat(float* p, const float* g, float* m,
                                                                          float* v, float* vmax, int64_t n,
                                                                          const AdamHyper& h) {
  AdamDispatch<float>(p, g, m, v, vmax, n, h);
}

__attribute__((target_clones("avx512f", "avx2", "default"))) void AdamDouble(double* p, const double* g, double* m,
                                                                           double* v, double* vmax, int64_t n,
                                                                           const AdamHyper& h) {
  AdamDispatch<double>(p, g, m, v, vmax, n, h);
}

bool Fusable(const at::Tensor& ref, std::initializer_list<const at::Tensor*> others) {
  if (!ref.device().is_cpu() || !ref.is_contiguous()) return false;
  if (ref.scalar_type() != at::kFloat && ref.scalar_type() != at::kDouble) return false;
  for (const at::Tensor* t : others) {
    if (!t->defined() || !t->device().is_cpu() || !t->is_contiguous() || t->scalar_type() != ref.scalar_type() ||
        t->numel() != ref.numel()) {
      return false;
    }
  }
  return true;
}

double Num(Napi::Env env, const Napi::Value& v, const char* what) {
  if (!v.IsNumber()) ThrowType(env, std::string("adamStep: ") + what + " expects a number, got " + DescribeValue(v));
  return v.As<Napi::Number>().DoubleValue();
}

}  // namespace

// adamStep(param, grad, expAvg, expAvgSq, maxExpAvgSq | null, lr, beta1, beta2, eps, weightDecay, decoupled,
//          step) -> true when applied, false when the tensors do not fit the fused path.
static Napi::Value AdamStep(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  at::Tensor p = UnwrapTensor(env, info[0], "adamStep: param");
  const at::Tensor g = UnwrapTensor(env, info[1], "adamStep: grad");
  at::Tensor m = UnwrapTensor(env, info[2], "adamStep: expAvg");
  at::Tensor v = UnwrapTensor(env, info[3], "adamStep: expAvgSq");
  at::Tensor vmax;
  if (!info[4].IsNull() && !info[4].IsUndefined()) vmax = UnwrapTensor(env, info[4], "adamStep: maxExpAvgSq");
  AdamHyper h{Num(env, info[5], "lr"), Num(env, info[6], "beta1"), Num(env, info[7], "beta2"), Num(env, info[8], "eps"),
              Num(env, info[9], "weightDecay"), info[10].ToBoolean().Value(), vmax.defined(),
              CheckedInt(env, info[11], "adamStep: step", "a positive integer", 1)};
  const bool fits = vmax.defined() ? Fusable(p, {&g, &m, &v, &vmax}) : Fusable(p, {&g, &m, &v});
  if (!fits) return Napi::Boolean::New(env, false);
  if (p.scalar_type() == at::kFloat) {
    AdamFloat(p.data_ptr<float>(), g.data_ptr<float>(), m.data_ptr<float>(), v.data_ptr<float>(),
              vmax.defined() ? vmax.data_ptr<float>() : nullptr, p.numel(), h);
  } else {
    AdamDouble(p.data_ptr<double>(), g.data_ptr<double>(), m.data_ptr<double>(), v.data_ptr<double>(),
               vmax.defined() ? vmax.data_ptr<double>() : nullptr, p.numel(), h);
  }
  // Written in place behind autograd's back, like an in-place op: bump the version counters so that any
  // graph still holding these tensors notices.
  for (at::Tensor* t : {&p, &m, &v}) torch::autograd::impl::bump_version(*t);
  if (vmax.defined()) torch::autograd::impl::bump_version(vmax);
  return Napi::Boolean::New(env, true);
}

void InitOptimKernels(Napi::Env env, Napi::Object exports) { Export<AdamStep>(env, exports, "adamStep"); }

}  // namespace nnlab
