// Entry point of the nnlab native addon.
#include "common.h"

namespace nnlab {

void throwTorchError(Napi::Env env, const char* message) {
  Napi::Error error = Napi::Error::New(env, message);
  error.Value().Set("name", Napi::String::New(env, "TorchError"));
  throw error;
}

void ThrowType(Napi::Env env, const std::string& message) {
  throw Napi::TypeError::New(env, message);
}

static Napi::Object Init(Napi::Env env, Napi::Object exports) {
  InitAllocator(env, exports);  // first: every tensor, even the first, comes from it
  InitTensors(env, exports);
  InitOps(env, exports);
  InitAutograd(env, exports);
  InitRuntime(env, exports);
  InitOptimKernels(env, exports);
  return exports;
}

}  // namespace nnlab

static Napi::Object InitModule(Napi::Env env, Napi::Object exports) { return nnlab::Init(env, exports); }

NODE_API_MODULE(nnlab, InitModule)
