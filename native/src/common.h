// Shared declarations of the nnlab addon. The addon is a thin boundary: tensor handles, one generic op call
// through libtorch's dispatcher, autograd, and runtime settings. Everything else lives in TypeScript.
//
// Note: no `using namespace Napi` here: Napi::Value, Napi::Env and others clash with torch names.
#pragma once

#include <napi.h>

#include <ATen/ATen.h>

#include <string>

namespace nnlab {

// ---- errors: every C++ exception becomes a JS Error carrying libtorch's message -------------------------
[[noreturn]] void throwTorchError(Napi::Env env, const char* message);

template <Napi::Value (*F)(const Napi::CallbackInfo&)>
Napi::Value Guarded(const Napi::CallbackInfo& info) {
  try {
    return F(info);
  } catch (const Napi::Error&) {
    throw;
  } catch (const c10::Error& e) {
    throwTorchError(info.Env(), e.what_without_backtrace());
  } catch (const std::exception& e) {
    throwTorchError(info.Env(), e.what());
  } catch (...) {
    throwTorchError(info.Env(), "unknown C++ exception");
  }
}

// ---- tensor handles (tensor_box.cc) ---------------------------------------------------------------------
// A handle is a JS number naming a slot that owns one at::Tensor (see tensor_box.cc). dispose() frees it at
// once; the JS side's FinalizationRegistry frees it when V8 collects the Tensor object otherwise. Native bytes
// are counted once per storage (views share their base's) and reported to V8, and live tensors are counted.
// All of this runs on the one JS thread that owns the addon (addon.cc).
Napi::Value WrapTensor(Napi::Env env, at::Tensor tensor);  // undefined tensor -> null
// A copy of the handle's tensor (a refcount increment): safe to keep while the call wraps new tensors.
at::Tensor UnwrapTensor(Napi::Env env, const Napi::Value& value, const char* what);
bool IsTensorHandle(Napi::Env env, const Napi::Value& value);
bool ReleaseHandle(Napi::Env env, const Napi::Value& value);  // false when already freed
void ReleaseAllHandles();  // when the owning thread's environment is torn down
int64_t LiveTensors();
int64_t LiveBytes();
int64_t LiveStorages();

// ---- dtypes and devices (convert.cc) --------------------------------------------------------------------
at::ScalarType ParseDType(Napi::Env env, const Napi::Value& value, const char* what);
const char* DTypeName(at::ScalarType type);
c10::Device ParseDevice(Napi::Env env, const Napi::Value& value, const char* what);
[[noreturn]] void ThrowType(Napi::Env env, const std::string& message);

// ---- module sections: each registers its functions on `exports` -----------------------------------------
void InitTensors(Napi::Env env, Napi::Object exports);
void InitOps(Napi::Env env, Napi::Object exports);
void InitAutograd(Napi::Env env, Napi::Object exports);
void InitRuntime(Napi::Env env, Napi::Object exports);
void InitAllocator(Napi::Env env, Napi::Object exports);
void InitOptimKernels(Napi::Env env, Napi::Object exports);
void InitSparseLinear(Napi::Env env, Napi::Object exports);

template <Napi::Value (*F)(const Napi::CallbackInfo&)>
void Export(Napi::Env env, Napi::Object exports, const char* name) {
  exports.Set(name, Napi::Function::New(env, Guarded<F>, name));
}

}  // namespace nnlab
