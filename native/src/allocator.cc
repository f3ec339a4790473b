// A caching CPU allocator for libtorch. Training allocates the same large buffers every step (activations,
// gradients, optimiser temporaries); glibc serves blocks above its mmap threshold with fresh mmap()s, so each
// step page-faults its whole working set again (~2,000 faults per MLP step, a third of its time). This
// allocator keeps freed blocks of >= 64 KiB, by exact rounded size, and hands them out again: after the first
// step, a training loop allocates without touching the kernel. Smaller blocks are freed at once (glibc's own
// bins serve them without page faults). Cached blocks are memory the process keeps without using it, so the
// cache is bounded: a block freed while the cache is full goes back to the system. The bound is
// NNLAB_CPU_CACHE_MB (0 turns the cache off), else 2 GiB or an eighth of the machine's memory (its cgroup's
// limit in a container), whichever is smaller: enough for a training step's working set, and no more than a
// small share of a small machine. setCacheLimit() changes it at run time (giving back what is over it) and
// emptyCache() gives back every cached block.
#include "common.h"

#include <c10/core/CPUAllocator.h>
#include <c10/core/impl/alloc_cpu.h>

#include "integers.h"

#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <mutex>
#include <string>
#include <type_traits>
#include <unordered_map>
#include <vector>

namespace nnlab {

namespace {

constexpr size_t kMinCached = 64 * 1024;
// A block this large is cached only once its size has been asked for twice: a training step's buffers recur
// every step, while a one-off (a dataset, its preprocessed copy) would otherwise stay cached, unused, and count
// in the process's peak memory (B1's peak RSS was 90 MB above the uncached run for that reason).
constexpr size_t kLargeBlock = 16 * 1024 * 1024;
constexpr size_t kMaxTrackedSizes = 4096;
constexpr size_t kHeader = 64;  // keeps the 64-byte alignment libtorch expects; holds the block's size
constexpr size_t kPage = 4096;

struct Stats {
  int64_t hits = 0, misses = 0, cachedBytes = 0, limitBytes = 0;
};

// c10::Allocator::allocate is `const` up to libtorch 2.2 and not from 2.3 on; the override must match the
// libtorch in use. The base is a template parameter so that only the matching adapter is ever instantiated.
template <typename F>
struct ConstAllocate;
template <typename C>
struct ConstAllocate<c10::DataPtr (C::*)(size_t) const> : std::true_type {};
template <typename C>
struct ConstAllocate<c10::DataPtr (C::*)(size_t)> : std::false_type {};

template <typename Base>
struct AllocateConst : Base {
  c10::DataPtr allocate(size_t n) const override { return Allocate(n); }
  virtual c10::DataPtr Allocate(size_t n) const = 0;
};
template <typename Base>
struct AllocateMutable : Base {
  c10::DataPtr allocate(size_t n) override { return Allocate(n); }
  virtual c10::DataPtr Allocate(size_t n) const = 0;
};
using AllocatorBase = std::conditional_t<ConstAllocate<decltype(&c10::Allocator::allocate)>::value,
                                         AllocateConst<c10::Allocator>, AllocateMutable<c10::Allocator>>;

class CachingCpuAllocator final : public AllocatorBase {
 public:
  explicit CachingCpuAllocator(int64_t limit) { stats_.limitBytes = limit; }

  c10::DataPtr Allocate(size_t n) const override {
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
      if (size >= kLargeBlock) {
        if (asked_.size() >= kMaxTrackedSizes) asked_.clear();  // bounded: many distinct shapes start afresh
        ++asked_[size];
      }
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
  // Pure virtual from libtorch 2.3 on (no `override`: older bases have no such member).
  void copy_data(void* dest, const void* src, std::size_t count) const { std::memcpy(dest, src, count); }

  static void Release(void* data);
  // Frees cached blocks until the cache holds at most `bytes` (0: all of them).
  void Trim(int64_t bytes);
  void SetLimit(int64_t bytes) {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      stats_.limitBytes = bytes;
    }
    Trim(bytes);
  }
  Stats stats() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return stats_;
  }

 private:
  mutable std::mutex mutex_;
  mutable std::unordered_map<size_t, std::vector<void*>> free_;
  // How often each large size was asked for (see kLargeBlock).
  mutable std::unordered_map<size_t, int> asked_;
  mutable Stats stats_;
};

CachingCpuAllocator* g_allocator = nullptr;

void CachingCpuAllocator::Release(void* data) {
  void* block = static_cast<char*>(data) - kHeader;
  const size_t size = *static_cast<size_t*>(block);
  CachingCpuAllocator* self = g_allocator;
  if (size >= kMinCached) {
    std::lock_guard<std::mutex> lock(self->mutex_);
    const bool recurring = size < kLargeBlock || self->asked_[size] >= 2;
    if (recurring && self->stats_.cachedBytes + static_cast<int64_t>(size) <= self->stats_.limitBytes) {
      self->free_[size].push_back(block);
      self->stats_.cachedBytes += static_cast<int64_t>(size);
      return;
    }
  }
  c10::free_cpu(block);
}

void CachingCpuAllocator::Trim(int64_t bytes) {
  std::vector<void*> blocks;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    for (auto it = free_.begin(); it != free_.end() && stats_.cachedBytes > bytes;) {
      std::vector<void*>& same = it->second;
      while (!same.empty() && stats_.cachedBytes > bytes) {
        blocks.push_back(same.back());
        same.pop_back();
        stats_.cachedBytes -= static_cast<int64_t>(it->first);
      }
      it = same.empty() ? free_.erase(it) : std::next(it);
    }
  }
  for (void* b : blocks) c10::free_cpu(b);  // outside the lock: other threads may allocate meanwhile
}

// The memory this process may use: the machine's, or its cgroup's limit when that is lower (cgroup v2, then
// v1; "max" or an absurd v1 value means no limit). 0 when unknown.
int64_t MemoryBytes() {
  const long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
  int64_t bytes = pages > 0 && page > 0 ? static_cast<int64_t>(pages) * page : 0;
  for (const char* file : {"/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"}) {
    std::ifstream in(file);
    std::string text;
    if (!(in >> text)) continue;
    char* end = nullptr;
    errno = 0;
    const long long limit = std::strtoll(text.c_str(), &end, 10);
    if (errno == 0 && end != text.c_str() && *end == '\0' && limit > 0 && (bytes == 0 || limit < bytes)) bytes = limit;
  }
  return bytes;
}

constexpr int64_t kMiB = 1024 * 1024;
constexpr int64_t kDefaultCap = 2048 * kMiB;

// The cache bound from NNLAB_CPU_CACHE_MB (a whole number of MiB), else the default; -1 when the variable is
// not a whole number, so that the load fails with the reason instead of running with a bound nobody chose.
int64_t ConfiguredLimit(const char* env) {
  if (env == nullptr || *env == '\0') {
    const int64_t memory = MemoryBytes();
    return memory > 0 && memory / 8 < kDefaultCap ? memory / 8 : kDefaultCap;
  }
  char* end = nullptr;
  errno = 0;
  const long long mb = std::strtoll(env, &end, 10);
  if (errno != 0 || end == env || *end != '\0' || mb < 0 || mb > (int64_t{1} << 40)) return -1;
  return mb * kMiB;
}

}  // namespace

static void InstallAllocator(Napi::Env env) {
  // Once per process: a second load of the addon (same thread, another module instance) finds it in place.
  static bool installed = false;
  if (installed) return;
  const char* setting = std::getenv("NNLAB_CPU_CACHE_MB");
  const int64_t limit = ConfiguredLimit(setting);
  if (limit < 0) {
    Napi::Error error = Napi::RangeError::New(
        env, std::string("NNLAB_CPU_CACHE_MB must be a whole number of MiB (0 turns the CPU cache off), got '") +
                 setting + "'");
    error.Value().Set("code", Napi::String::New(env, "NNLAB_BAD_SETTING"));
    throw error;
  }
  installed = true;
  if (limit == 0) return;
  // Never freed: blocks handed out stay valid for the whole process, whatever frees them last.
  g_allocator = new CachingCpuAllocator(limit);
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
  if (g_allocator) g_allocator->Trim(0);
  return info.Env().Undefined();
}

// setCacheLimit(bytes): the new bound; cached blocks over it are given back at once.
static Napi::Value SetCacheLimit(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const int64_t bytes = CheckedInt(env, info[0], "setCacheLimit: the limit", "a non-negative whole number of bytes", 0);
  if (!g_allocator) {
    throw Napi::Error::New(env, "setCacheLimit: the CPU cache is off (NNLAB_CPU_CACHE_MB=0 when the addon loaded)");
  }
  g_allocator->SetLimit(bytes);
  return env.Undefined();
}

void InitAllocator(Napi::Env env, Napi::Object exports) {
  InstallAllocator(env);
  Export<AllocatorStats>(env, exports, "allocatorStats");
  Export<EmptyCache>(env, exports, "emptyCache");
  Export<SetCacheLimit>(env, exports, "setCacheLimit");
}

}  // namespace nnlab
