// A caching CPU allocator for libtorch. Training allocates the same large buffers every step (activations,
// gradients, optimiser temporaries); glibc serves blocks above its mmap threshold with fresh mmap()s, so each
// step page-faults its whole working set again (~2,000 faults per MLP step, a third of its time). This
// allocator keeps freed blocks of >= 64 KiB, by exact rounded size, and hands them out again: after the first
// step, a training loop allocates without touching the kernel. Smaller blocks are freed at once (glibc's own
// bins serve them without page faults). The cache is bounded (NNLAB_CPU_CACHE_MB, default 2048; 0 turns it off) and emptyCache() frees it.
#include "common.h"

#include <c10/core/CPUAllocator.h>
#include <c10/core/impl/alloc_cpu.h>

#include <cstdlib>
#include <mutex>
#include <unordered_map>
#include <vector>

namespace nnlab {

namespace {

constexpr size_t kMinCached = 64 * 1024;
constexpr size_t kHeader = 64;  // keeps the 64-byte alignment libtorch expects; holds the block's size
constexpr size_t kPage = 4096;

struct Stats {
  int64_t hits = 0, misses = 0, cachedBytes = 0, limitBytes = 0;
};

class CachingCpuAllocator final : public c10::Allocator {
 public:
  explicit CachingCpuAllocator(int64_t limit) { stats_.limitBytes = limit; }

  c10::DataPtr allocate(size_t n) const override {
    // Every block starts with a header holding its size; the data pointer is also the DataPtr's context, as
    // libtorch's raw_allocate/raw_deallocate require.
    if (n + kHeader < kMinCached) {
      void* block = c10::alloc_cpu(n + kHeader);
      *static_cast<size_t*>(block) = n + kHeader;
      void* data = static_cast<char*>(block) + kHeader;
      return {data, data, &Release, c10::Device(c10::DeviceType::CPU)};
    }
    const size_t size = (n + kHeader + kPage - 1) / kPage * kPage;
    void* block = nullptr;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      auto it = free_.find(size);
      if (it != free_.end() && !it->second.empty()) {
        block = it->second.back();
        it->second.pop_back();
        stats_.cachedBytes -= static_cast<int64_t>(size);
        ++stats_.hits;
      } else {
        ++stats_.misses;
      }
    }
    if (block == nullptr) {
      block = c10::alloc_cpu(size);  // throws c10::Error when out of memory
      *static_cast<size_t*>(block) = size;
    }
    void* data = static_cast<char*>(block) + kHeader;
    return {data, data, &Release, c10::Device(c10::DeviceType::CPU)};
  }

  c10::DeleterFnPtr raw_deleter() const override { return &Release; }

  static void Release(void* data);
  void Empty();
  Stats stats() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return stats_;
  }

 private:
  mutable std::mutex mutex_;
  mutable std::unordered_map<size_t, std::vector<void*>> free_;
  mutable Stats stats_;
};

CachingCpuAllocator* g_allocator = nullptr;

void CachingCpuAllocator::Release(void* data) {
  void* block = static_cast<char*>(data) - kHeader;
  const size_t size = *static_cast<size_t*>(block);
  CachingCpuAllocator* self = g_allocator;
  if (size >= kMinCached) {
    std::lock_guard<std::mutex> lock(self->mutex_);
    if (self->stats_.cachedBytes + static_cast<int64_t>(size) <= self->stats_.limitBytes) {
      self->free_[size].push_back(block);
      self->stats_.cachedBytes += static_cast<int64_t>(size);
      return;
    }
  }
  c10::free_cpu(block);
}

void CachingCpuAllocator::Empty() {
  std::unordered_map<size_t, std::vector<void*>> blocks;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    blocks.swap(free_);
    stats_.cachedBytes = 0;
  }
  for (auto& entry : blocks) {
    for (void* b : entry.second) c10::free_cpu(b);
  }
}

}  // namespace

void InstallAllocator() {
  const char* env = std::getenv("NNLAB_CPU_CACHE_MB");
  int64_t mb = env ? std::atoll(env) : 2048;
  if (mb <= 0) return;
  // Never freed: blocks handed out stay valid for the whole process, whatever frees them last.
  g_allocator = new CachingCpuAllocator(mb * 1024 * 1024);
  c10::SetCPUAllocator(g_allocator, /*priority=*/1);
}

static Napi::Value AllocatorStats(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Object o = Napi::Object::New(env);
  o.Set("caching", g_allocator != nullptr);
  Stats s = g_allocator ? g_allocator->stats() : Stats{};
  o.Set("hits", static_cast<double>(s.hits));
  o.Set("misses", static_cast<double>(s.misses));
  o.Set("cachedBytes", static_cast<double>(s.cachedBytes));
  o.Set("limitBytes", static_cast<double>(s.limitBytes));
  return o;
}

static Napi::Value EmptyCache(const Napi::CallbackInfo& info) {
  if (g_allocator) g_allocator->Empty();
  return info.Env().Undefined();
}

void InitAllocator(Napi::Env env, Napi::Object exports) {
  InstallAllocator();
  Export<AllocatorStats>(env, exports, "allocatorStats");
  Export<EmptyCache>(env, exports, "emptyCache");
}

}  // namespace nnlab
