// Tensor handles. A handle is a plain JS number naming a slot of a native table that owns one at::Tensor:
// index in the low 24 bits, the slot's generation above them, so a handle whose tensor was freed (and whose
// slot may hold another tensor since) is recognised as stale. Numbers cost ~30 ns to pass and return, where a
// napi External with a finalizer costs ~0.7 µs to create; GC reclamation of dropped tensors is done on the JS
// side with a FinalizationRegistry that calls dispose(handle), which ignores stale handles.
#include "common.h"

#include "integers.h"

#include <cmath>
#include <type_traits>
#include <unordered_map>
#include <utility>
#include <vector>

namespace nnlab {

// UnwrapTensor hands out a copy (a refcount increment), never a reference into g_slots: WrapTensor may grow
// the table and move every slot, so a reference kept across a later wrap in the same call would dangle.
static_assert(!std::is_reference<decltype(UnwrapTensor(std::declval<Napi::Env>(), std::declval<const Napi::Value&>(),
                                                       nullptr))>::value,
              "UnwrapTensor must return the tensor by value (see tensor_box.cc)");

namespace {

constexpr double kIndexSpan = 16777216.0;  // 2^24 slots
constexpr uint32_t kMaxGeneration = 1u << 28;  // handles stay below 2^52: exact in a double
constexpr double kHandleSpan = kIndexSpan * kMaxGeneration;

struct Slot {
  at::Tensor tensor;
  uint32_t generation = 1;
  // The storage this slot is counted under (see Counted), or null. Kept apart from tensor.storage() because
  // an in-place op such as set_ can swap the tensor's storage after it was counted.
  c10::StorageImpl* storage = nullptr;
};

// Native bytes are counted per storage, not per tensor: a view (slice, transpose, reshape), the same gradient
// read twice, or to() returning its input all share one storage, and counting each in full overstated memory
// (100 views of a 40 MB tensor read as 4 GB) and made V8 collect for nothing. A storage is counted while at
// least one slot holds a tensor on it; its bytes are added when the first such slot appears (and when it has
// grown since) and removed with the last.
struct Counted {
  // A weak reference keeps the StorageImpl object (not its data, which is freed as usual) from being
  // deallocated while the entry exists, so no new storage can take its address and be mistaken for it.
  c10::weak_intrusive_ptr<c10::StorageImpl> pin;
  int64_t slots;
  int64_t bytes;
};

std::vector<Slot> g_slots;
std::vector<uint32_t> g_free;
std::unordered_map<c10::StorageImpl*, Counted> g_storages;
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

void Count(Napi::Env env, Slot& slot) {
  const at::Tensor& t = slot.tensor;
  slot.storage = nullptr;
  // Sparse and MKL-DNN tensors have no storage; meta tensors have one that holds no memory.
  if (!t.has_storage() || t.is_meta()) return;
  const c10::Storage& storage = t.storage();
  c10::StorageImpl* key = storage.unsafeGetStorageImpl();
  auto it = g_storages.find(key);
  if (it == g_storages.end()) it = g_storages.emplace(key, Counted{storage.getWeakStorageImpl(), 0, 0}).first;
  Counted& c = it->second;
  ++c.slots;
  const int64_t bytes = static_cast<int64_t>(storage.nbytes());
  if (bytes > c.bytes) {
    g_bytes += bytes - c.bytes;
    Report(env, bytes - c.bytes);
    c.bytes = bytes;
  }
  slot.storage = key;
}

// Returns the bytes that stop being counted (those of a storage no other slot holds), else 0.
int64_t Uncount(Slot& slot) {
  if (slot.storage == nullptr) return 0;
  auto it = g_storages.find(slot.storage);
  slot.storage = nullptr;
  if (it == g_storages.end() || --it->second.slots > 0) return 0;
  const int64_t bytes = it->second.bytes;
  g_storages.erase(it);
  g_bytes -= bytes;
  return bytes;
}

enum class Lookup { Found, Stale, NotAHandle };

// The slot a handle names. A handle is a whole number below 2^52; anything else (NaN, 2.5, -1, Infinity) is
// not one, and is rejected before any integer conversion (those would be undefined behaviour, or, for a
// fraction, would silently name the slot of the handle below it).
Lookup Find(const Napi::Value& value, uint32_t* index) {
  if (!value.IsNumber()) return Lookup::NotAHandle;
  const double id = value.As<Napi::Number>().DoubleValue();
  if (!(id >= 0 && id < kHandleSpan) || id != std::floor(id)) return Lookup::NotAHandle;
  const double generation = std::floor(id / kIndexSpan);
  const double i = id - generation * kIndexSpan;
  if (i >= static_cast<double>(g_slots.size())) return Lookup::Stale;
  *index = static_cast<uint32_t>(i);
  return g_slots[*index].generation == static_cast<uint32_t>(generation) && g_slots[*index].tensor.defined()
             ? Lookup::Found
             : Lookup::Stale;
}

void Free(uint32_t index) {
  Slot& slot = g_slots[index];
  slot.tensor.reset();
  slot.generation = slot.generation + 1 < kMaxGeneration ? slot.generation + 1 : 1;
  g_free.push_back(index);
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
    g_slots.emplace_back();  // may move every slot: nothing outside this file holds a reference into g_slots
  }
  Slot& slot = g_slots[index];
  slot.tensor = std::move(tensor);
  Count(env, slot);
  ++g_live;
  return Napi::Number::New(env, slot.generation * kIndexSpan + index);
}

bool IsTensorHandle(Napi::Env env, const Napi::Value& value) {
  uint32_t index;
  return Find(value, &index) == Lookup::Found;
}

at::Tensor UnwrapTensor(Napi::Env env, const Napi::Value& value, const char* what) {
  uint32_t index;
  switch (Find(value, &index)) {
    case Lookup::Found: return g_slots[index].tensor;
    case Lookup::Stale: ThrowType(env, std::string(what) + ": the tensor was disposed");
    case Lookup::NotAHandle: break;
  }
  ThrowType(env, std::string(what) + ": expected a tensor" +
                     (value.IsNumber() ? ", got the number " + DescribeValue(value) + " (not a tensor handle)" : ""));
}

bool ReleaseHandle(Napi::Env env, const Napi::Value& value) {
  uint32_t index;
  if (Find(value, &index) != Lookup::Found) return false;  // stale: already freed
  const int64_t bytes = Uncount(g_slots[index]);
  if (bytes) Report(env, -bytes);
  Free(index);
  --g_live;
  return true;
}

void ReleaseAllHandles() {
  // The owning thread is going away (addon.cc): every handle dies with its isolate. V8 is not told (its
  // isolate is being torn down), and the next owner starts from zero, as its isolate does.
  g_free.clear();
  for (size_t i = g_slots.size(); i-- > 0;) {
    g_slots[i].storage = nullptr;
    Free(static_cast<uint32_t>(i));
  }
  g_storages.clear();
  g_live = 0;
  g_bytes = 0;
  g_unreported = 0;
}

int64_t LiveTensors() { return g_live; }
int64_t LiveBytes() { return g_bytes; }
int64_t LiveStorages() { return static_cast<int64_t>(g_storages.size()); }

}  // namespace nnlab
