// Runtime settings and facts: threads (intra-op, inter-op, BLAS), seeds, CUDA, and where libtorch was loaded from.
#include "common.h"

#include "integers.h"

#include <ATen/Parallel.h>
#include <torch/csrc/api/include/torch/cuda.h>
#include <torch/csrc/api/include/torch/utils.h>
#include <torch/csrc/api/include/torch/version.h>

#include <dlfcn.h>

#include <limits>

namespace nnlab {

// ---- BLAS: OpenBLAS (or another libblas.so.3) as a shared library, or MKL linked into libtorch --------------
// Debian's libtorch calls the libblas.so.3 the system chose (OpenBLAS, or the slow reference BLAS); PyTorch's
// own builds link MKL statically into libtorch_cpu.so, where its threads follow libtorch's intra-op setting.
struct Blas {
  void* handle = nullptr;
  void (*setThreads)(int) = nullptr;
  int (*getThreads)() = nullptr;
  char* (*getConfig)() = nullptr;
  std::string path;
  std::string mklVersion;  // non-empty when the BLAS is MKL
};

static std::string LibraryOf(void* symbol);

static Blas& GetBlas() {
  static Blas blas = [] {
    Blas b;
    for (const char* name : {"libblas.so.3", "libopenblas.so.0", "libopenblas.so"}) {
      b.handle = dlopen(name, RTLD_LAZY | RTLD_NOLOAD);
      if (b.handle) break;
    }
    if (!b.handle) {
      // No shared BLAS: look for MKL inside libtorch_cpu (dlsym on its handle also searches what it links).
      const std::string torch = LibraryOf(reinterpret_cast<void*>(&at::get_num_threads));
      void* lib = torch.empty() ? nullptr : dlopen(torch.c_str(), RTLD_LAZY | RTLD_NOLOAD);
      using VersionFn = void (*)(char*, int);
      auto version = lib ? reinterpret_cast<VersionFn>(dlsym(lib, "MKL_Get_Version_String")) : nullptr;
      if (version) {
        char text[256] = {0};
        version(text, sizeof(text) - 1);
        b.mklVersion = text;
        b.path = torch;
      }
      return b;
    }
    b.setThreads = reinterpret_cast<void (*)(int)>(dlsym(b.handle, "openblas_set_num_threads"));
    b.getThreads = reinterpret_cast<int (*)()>(dlsym(b.handle, "openblas_get_num_threads"));
    b.getConfig = reinterpret_cast<char* (*)()>(dlsym(b.handle, "openblas_get_config"));
    void* sgemm = dlsym(b.handle, "sgemm_");
    Dl_info dl;
    if (sgemm && dladdr(sgemm, &dl) && dl.dli_fname) {
      char resolved[4096];
      b.path = realpath(dl.dli_fname, resolved) ? resolved : dl.dli_fname;
    }
    return b;
  }();
  return blas;
}

static std::string LibraryOf(void* symbol) {
  Dl_info dl;
  if (!dladdr(symbol, &dl) || !dl.dli_fname) return "";
  char resolved[4096];
  return realpath(dl.dli_fname, resolved) ? resolved : dl.dli_fname;
}

// threads() -> { intraOp, interOp, blas }
static Napi::Value Threads(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Object o = Napi::Object::New(env);
  o.Set("intraOp", at::get_num_threads());
  o.Set("interOp", at::get_num_interop_threads());
  Blas& blas = GetBlas();
  // OpenBLAS's own count; null for MKL, whose count follows intra-op (libtorch sets both).
  o.Set("blas", blas.getThreads ? Napi::Value(Napi::Number::New(env, blas.getThreads())) : env.Null());
  return o;
}

static int PositiveInt(const Napi::CallbackInfo& info, const char* what) {
  return static_cast<int>(CheckedInt(info.Env(), info[0], std::string(what) + ": the thread count",
                                     "a positive integer", 1, std::numeric_limits<int>::max()));
}

static Napi::Value SetIntraOpThreads(const Napi::CallbackInfo& info) {
  at::set_num_threads(PositiveInt(info, "setIntraOpThreads"));
  return info.Env().Undefined();
}

// libtorch allows this once, before any inter-op work; a later call is a libtorch error (-> JS Error).
static Napi::Value SetInterOpThreads(const Napi::CallbackInfo& info) {
  at::set_num_interop_threads(PositiveInt(info, "setInterOpThreads"));
  return info.Env().Undefined();
}

static Napi::Value SetBlasThreads(const Napi::CallbackInfo& info) {
  int n = PositiveInt(info, "setBlasThreads");
  Blas& blas = GetBlas();
  if (!blas.setThreads) {
    throw Napi::Error::New(info.Env(), "setBlasThreads: the BLAS in use (" + (blas.path.empty() ? std::string("unknown") : blas.path) +
                                           ") is not OpenBLAS and has no thread setting of its own");
  }
  blas.setThreads(n);
  return info.Env().Undefined();
}

static Napi::Value BlasInfo(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Blas& blas = GetBlas();
  Napi::Object o = Napi::Object::New(env);
  o.Set("path", blas.path.empty() ? env.Null() : Napi::Value(Napi::String::New(env, blas.path)));
  o.Set("config", blas.getConfig ? Napi::Value(Napi::String::New(env, blas.getConfig())) : env.Null());
  o.Set("mkl", blas.mklVersion.empty() ? env.Null() : Napi::Value(Napi::String::New(env, blas.mklVersion)));
  return o;
}

static Napi::Value ManualSeed(const Napi::CallbackInfo& info) {
  // Seeds up to 2^63 - 1: a JS number above 2^53 cannot name every integer anyway.
  torch::manual_seed(static_cast<uint64_t>(CheckedInt(info.Env(), info[0], "manualSeed: the seed", "a non-negative integer", 0)));
  return info.Env().Undefined();
}

static Napi::Value Cuda(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Object o = Napi::Object::New(env);
  o.Set("available", torch::cuda::is_available());
  o.Set("deviceCount", static_cast<double>(torch::cuda::device_count()));
  o.Set("cudnn", torch::cuda::cudnn_is_available());
  return o;
}

// build(): what the addon was compiled against and where libtorch was loaded from.
static Napi::Value Build(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Object o = Napi::Object::New(env);
  o.Set("torchVersion", TORCH_VERSION);
  o.Set("libtorchPath", LibraryOf(reinterpret_cast<void*>(&at::get_num_threads)));
  o.Set("parallelInfo", at::get_parallel_info());
  return o;
}

void InitRuntime(Napi::Env env, Napi::Object exports) {
  Export<Threads>(env, exports, "threads");
  Export<SetIntraOpThreads>(env, exports, "setIntraOpThreads");
  Export<SetInterOpThreads>(env, exports, "setInterOpThreads");
  Export<SetBlasThreads>(env, exports, "setBlasThreads");
  Export<BlasInfo>(env, exports, "blasInfo");
  Export<ManualSeed>(env, exports, "manualSeed");
  Export<Cuda>(env, exports, "cuda");
  Export<Build>(env, exports, "build");
}

}  // namespace nnlab
