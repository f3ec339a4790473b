// Tensor handles: type-tagged napi Externals that own one at::Tensor each.
#include "common.h"

namespace nnlab {

static std::atomic<int64_t> g_live{0};
static std::atomic<int64_t> g_bytes{0};

// A random 128-bit tag: only externals made here are accepted as tensors.
static const napi_type_tag kTensorTag = {0x6e6e6c6162746e73ULL, 0x9b1f2c3d4e5f6071ULL};

static int64_t BytesOf(const at::Tensor& t) {
  if (!t.defined() || t.is_sparse()) return 0;
  return static_cast<int64_t>(t.numel()) * static_cast<int64_t>(t.element_size());
}

void ReleaseBox(Napi::Env env, TensorBox* box) {
  if (!box->tensor.defined()) return;
  box->tensor.reset();
  g_live.fetch_sub(1, std::memory_order_relaxed);
  g_bytes.fetch_sub(box->bytes, std::memory_order_relaxed);
  int64_t adjusted = 0;
  if (box->bytes) napi_adjust_external_memory(env, -box->bytes, &adjusted);
  box->bytes = 0;
}

static void Finalize(Napi::Env env, TensorBox* box) {
  ReleaseBox(env, box);
  delete box;
}

Napi::Value WrapTensor(Napi::Env env, at::Tensor tensor) {
  if (!tensor.defined()) return env.Null();
  auto* box = new TensorBox{std::move(tensor), 0};
  box->bytes = BytesOf(box->tensor);
  g_live.fetch_add(1, std::memory_order_relaxed);
  g_bytes.fetch_add(box->bytes, std::memory_order_relaxed);
  if (box->bytes) {
    int64_t adjusted = 0;
    napi_adjust_external_memory(env, box->bytes, &adjusted);
  }
  auto external = Napi::External<TensorBox>::New(env, box, Finalize);
  napi_type_tag_object(env, external, &kTensorTag);
  return external;
}

bool IsTensorHandle(Napi::Env env, const Napi::Value& value) {
  if (value.Type() != napi_external) return false;
  bool tagged = false;
  napi_check_object_type_tag(env, value, &kTensorTag, &tagged);
  return tagged;
}

at::Tensor& UnwrapTensor(Napi::Env env, const Napi::Value& value, const char* what) {
  if (!IsTensorHandle(env, value)) ThrowType(env, std::string(what) + ": expected a tensor");
  TensorBox* box = value.As<Napi::External<TensorBox>>().Data();
  if (!box->tensor.defined()) ThrowType(env, std::string(what) + ": the tensor was disposed");
  return box->tensor;
}

int64_t LiveTensors() { return g_live.load(std::memory_order_relaxed); }
int64_t LiveBytes() { return g_bytes.load(std::memory_order_relaxed); }

}  // namespace nnlab
