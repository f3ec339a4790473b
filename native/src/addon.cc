// Entry point of the nnlab native addon.
#include "common.h"

#include <sys/syscall.h>
#include <unistd.h>

#include <mutex>
#include <string>
#include <thread>

namespace nnlab {

void throwTorchError(Napi::Env env, const char* message) {
  Napi::Error error = Napi::Error::New(env, message);
  error.Value().Set("name", Napi::String::New(env, "TorchError"));
  throw error;
}

void ThrowType(Napi::Env env, const std::string& message) {
  throw Napi::TypeError::New(env, message);
}

// ---- one thread per process ------------------------------------------------------------------------------
// The tensor table and its byte counter (tensor_box.cc) and the op table with its reused call stack (ops.cc)
// are process-wide and unlocked, and Node loads an N-API addon once per thread that requires it: two
// worker_threads using them at once would race (a table growing in one thread while the other reads it).
// Locking every call would cost more than the ~30 ns calls themselves, and a tensor handle means nothing in
// another thread's isolate anyway, so the addon serves one thread: the first to load it owns it, and any
// other thread's load fails with an error that names both threads. The owner gives the addon up when its
// environment is torn down (a worker that exits): its tensors are freed with it, and the next thread to load
// the addon owns it from then on.
struct Owner {
  std::mutex mutex;
  bool held = false;
  std::thread::id thread;
  std::string name;
};

static Owner& TheOwner() {
  static Owner* owner = new Owner();  // never destroyed: a cleanup hook may run during static destruction
  return *owner;
}

// "thread 0 (the main thread)", "thread 2 (a worker thread)": worker_threads' threadId, read through
// process.getBuiltinModule (addons have no require), or the OS thread id where that is missing.
static std::string ThreadName(Napi::Env env) {
  try {
    Napi::Object process = env.Global().Get("process").As<Napi::Object>();
    Napi::Value get = process.Get("getBuiltinModule");
    if (get.IsFunction()) {
      Napi::Value threads = get.As<Napi::Function>().Call(process, {Napi::String::New(env, "node:worker_threads")});
      Napi::Value id = threads.IsObject() ? threads.As<Napi::Object>().Get("threadId") : env.Undefined();
      if (id.IsNumber()) {
        const int64_t n = id.As<Napi::Number>().Int64Value();
        return "thread " + std::to_string(n) + (n == 0 ? " (the main thread)" : " (a worker thread)");
      }
    }
  } catch (const Napi::Error&) {
    // no worker_threads: fall back to the OS thread id
  }
  return "OS thread " + std::to_string(static_cast<long>(syscall(SYS_gettid)));
}

static void GiveUpThread(void*) {
  Owner& owner = TheOwner();
  std::lock_guard<std::mutex> lock(owner.mutex);
  ReleaseAllHandles();
  owner.held = false;
}

static void ClaimThread(Napi::Env env) {
  Owner& owner = TheOwner();
  std::lock_guard<std::mutex> lock(owner.mutex);
  if (owner.held) {
    if (owner.thread == std::this_thread::get_id()) return;  // loaded again by its owner: same thread, same tables
    Napi::Error error = Napi::Error::New(
        env, "nnlab's native addon serves one thread per process; it is already in use by " + owner.name + ", so " +
                 ThreadName(env) + " cannot load it. Use nnlab from that thread only (or from a child process); " +
                 "the owning thread gives the addon up when it exits.");
    error.Value().Set("code", Napi::String::New(env, "NNLAB_ADDON_THREAD"));
    throw error;
  }
  owner.name = ThreadName(env);
  owner.thread = std::this_thread::get_id();
  owner.held = true;
  napi_add_env_cleanup_hook(env, GiveUpThread, nullptr);
}

static Napi::Object Init(Napi::Env env, Napi::Object exports) {
  ClaimThread(env);  // first: everything below touches process-wide state
  InitAllocator(env, exports);  // before any tensor: every tensor, even the first, comes from it
  InitTensors(env, exports);
  InitOps(env, exports);
  InitAutograd(env, exports);
  InitRuntime(env, exports);
  InitOptimKernels(env, exports);
  InitSparseLinear(env, exports);
  return exports;
}

}  // namespace nnlab

static Napi::Object InitModule(Napi::Env env, Napi::Object exports) { return nnlab::Init(env, exports); }

NODE_API_MODULE(nnlab, InitModule)
