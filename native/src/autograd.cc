// Autograd: requires_grad, backward, grad read/zero, and the grad mode (the no-grad scope lives in TypeScript).
#include "common.h"

#include <c10/core/GradMode.h>
#include <torch/csrc/autograd/function.h>

namespace nnlab {

static Napi::Value SetRequiresGrad(const Napi::CallbackInfo& info) {
  at::Tensor t = UnwrapTensor(info.Env(), info[0], "setRequiresGrad");
  t.set_requires_grad(info[1].ToBoolean().Value());
  return info.Env().Undefined();
}

// backward(handle, gradient?, retainGraph?)
static Napi::Value Backward(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  at::Tensor t = UnwrapTensor(env, info[0], "backward");
  at::Tensor gradient;
  if (info.Length() > 1 && !info[1].IsUndefined() && !info[1].IsNull()) {
    gradient = UnwrapTensor(env, info[1], "backward: gradient");
  }
  c10::optional<bool> retain;
  if (info.Length() > 2 && info[2].IsBoolean()) retain = info[2].As<Napi::Boolean>().Value();
  t.backward(gradient, retain, false);
  return env.Undefined();
}

// grad(handle): the accumulated gradient, or null.
static Napi::Value Grad(const Napi::CallbackInfo& info) {
  return WrapTensor(info.Env(), UnwrapTensor(info.Env(), info[0], "grad").grad());
}

// zeroGrad(handle, setToNone = true): like PyTorch's zero_grad.
static Napi::Value ZeroGrad(const Napi::CallbackInfo& info) {
  at::Tensor t = UnwrapTensor(info.Env(), info[0], "zeroGrad");
  at::Tensor& g = t.mutable_grad();
  if (g.defined()) {
    if (info.Length() > 1 && info[1].IsBoolean() && !info[1].As<Napi::Boolean>().Value()) {
      g = g.detach();
      g.zero_();
    } else {
      g.reset();
    }
  }
  return info.Env().Undefined();
}

static Napi::Value GradFn(const Napi::CallbackInfo& info) {
  const at::Tensor t = UnwrapTensor(info.Env(), info[0], "gradFn");
  auto fn = t.grad_fn();
  if (!fn) return info.Env().Null();
  return Napi::String::New(info.Env(), fn->name());
}

// setGradEnabled(bool) -> the previous setting
static Napi::Value SetGradEnabled(const Napi::CallbackInfo& info) {
  bool previous = c10::GradMode::is_enabled();
  c10::GradMode::set_enabled(info[0].ToBoolean().Value());
  return Napi::Boolean::New(info.Env(), previous);
}

static Napi::Value IsGradEnabled(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), c10::GradMode::is_enabled());
}

void InitAutograd(Napi::Env env, Napi::Object exports) {
  Export<SetRequiresGrad>(env, exports, "setRequiresGrad");
  Export<Backward>(env, exports, "backward");
  Export<Grad>(env, exports, "grad");
  Export<ZeroGrad>(env, exports, "zeroGrad");
  Export<GradFn>(env, exports, "gradFn");
  Export<SetGradEnabled>(env, exports, "setGradEnabled");
  Export<IsGradEnabled>(env, exports, "isGradEnabled");
}

}  // namespace nnlab
