// Tensor handles. A handle is a plain JS number naming a slot of a native table that owns one at::Tensor:
// index in the low 24 bits, the slot's generation above them, so a handle whose tensor was freed (and whose
// slot may hold another tensor since) is recognised as stale. Numbers cost ~30 ns to pass and return, where a
// napi External with a finalizer costs ~0.7 µs to create; GC reclamation of dropped tensors is done on the JS
// side with a FinalizationRegistry that calls dispose(handle), which ignores stale handles.
#include "common.h"

#include <cmath>
#include <vector>

namespace nnlab {

namespace {

constexpr double kIndexSpan = 16777216.0;  // 2^24 slots
constexpr uint32_t kMaxGeneration = 1u << 28;  // handles stay below 2^52: exact in a double

struct Slot {
  at::Tensor tensor;
  uint32_t generation = 1;
  int64_t bytes = 0;
};

std::vector<Slot> g_slots;
std::vector<uint32_t> g_free;
int64_t g_live = 0;
int64_t g_bytes = 0;
int64_t g_unreported = 0;  // bytes not yet reported to V8: reports are batched per MiB

void Report(Napi::Env env, int64_t delta) {
  g_unreported += delta;
  if (g_unreported > (1 << 20) || g_unreported < -(1 << 20)) {
    int64_t adjusted = 0;
    napi_adjust_external_memory(env, g_unreported, &adjusted);
    g_unreported = 0;
  }
}

int64_t BytesOf(const at::Tensor& t) {
  if (t.is_sparse()) return 0;
  return static_cast<int64_t>(t.numel()) * static_cast<int64_t>(t.element_size());
}

Slot* Find(const Napi::Value& value) {
  if (!value.IsNumber()) return nullptr;
  double id = value.As<Napi::Number>().DoubleValue();
  if (!(id >= 0)) return nullptr;
  double generation = std::floor(id / kIndexSpan);
  double index = id - generation * kIndexSpan;
  if (index >= static_cast<double>(g_slots.size())) return nullptr;
  Slot& slot = g_slots[static_cast<size_t>(index)];
  return slot.generation == static_cast<uint32_t>(generation) ? &slot : nullptr;
}

}  // namespace

Napi::Value WrapTensor(Napi::Env env, at::Tensor tensor) {
  if (!tensor.defined()) return env.Null();
  uint32_t index;
  if (!g_free.empty()) {
    index = g_free.back();
    g_free.pop_back();
  } else {
    if (g_slots.size() >= static_cast<size_t>(kIndexSpan)) throw std::runtime_error("too many live tensors (2^24)");
    index = static_cast<uint32_t>(g_slots.size());
    g_slots.emplace_back();
  }
  Slot& slot = g_slots[index];
  slot.bytes = BytesOf(tensor);
  slot.tensor = std::move(tensor);
  ++g_live;
  g_bytes += slot.bytes;
  Report(env, slot.bytes);
  return Napi::Number::New(env, slot.generation * kIndexSpan + index);
}

bool IsTensorHandle(Napi::Env env, const Napi::Value& value) {
  Slot* slot = Find(value);
  return slot != nullptr && slot->tensor.defined();
}

at::Tensor& UnwrapTensor(Napi::Env env, const Napi::Value& value, const char* what) {
  Slot* slot = Find(value);
  if (slot == nullptr) {
    ThrowType(env, std::string(what) + (value.IsNumber() ? ": the tensor was disposed" : ": expected a tensor"));
  }
  return slot->tensor;
}

bool ReleaseHandle(Napi::Env env, const Napi::Value& value) {
  Slot* slot = Find(value);
  if (slot == nullptr) return false;  // stale: already freed
  slot->tensor.reset();
  --g_live;
  g_bytes -= slot->bytes;
  Report(env, -slot->bytes);
  slot->bytes = 0;
  slot->generation = slot->generation + 1 < kMaxGeneration ? slot->generation + 1 : 1;
  g_free.push_back(static_cast<uint32_t>(&*slot - g_slots.data()));
  return true;
}

int64_t LiveTensors() { return g_live; }
int64_t LiveBytes() { return g_bytes; }

}  // namespace nnlab
