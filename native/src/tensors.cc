// Tensors to and from JS TypedArrays, queries, disposal and the live-tensor counter.
#include "common.h"

#include "integers.h"

#include <cstring>

namespace nnlab {

// Which TypedArray holds which dtype, both ways.
static bool DTypeOfArray(napi_typedarray_type t, at::ScalarType* out) {
  switch (t) {
    case napi_float32_array: *out = at::kFloat; return true;
    case napi_float64_array: *out = at::kDouble; return true;
    case napi_int32_array: *out = at::kInt; return true;
    case napi_bigint64_array: *out = at::kLong; return true;
    case napi_uint8_array: *out = at::kByte; return true;
    case napi_int8_array: *out = at::kChar; return true;
    case napi_int16_array: *out = at::kShort; return true;
    default: return false;
  }
}

static const char* ArrayName(napi_typedarray_type t) {
  switch (t) {
    case napi_uint8_clamped_array: return "Uint8ClampedArray";
    case napi_uint16_array: return "Uint16Array";
    case napi_uint32_array: return "Uint32Array";
    case napi_biguint64_array: return "BigUint64Array";
    default: return "this TypedArray";
  }
}

static std::vector<int64_t> ParseShape(Napi::Env env, const Napi::Value& v, const char* what) {
  if (!v.IsArray()) ThrowType(env, std::string(what) + ": the shape must be an array of non-negative integers");
  Napi::Array a = v.As<Napi::Array>();
  std::vector<int64_t> shape(a.Length());
  for (uint32_t i = 0; i < a.Length(); ++i) {
    Napi::Value e = a.Get(i);
    const double d = e.IsNumber() ? e.As<Napi::Number>().DoubleValue() : -1;
    if (!IsInt64Value(d) || d < 0) {
      ThrowBadInt(env, e, std::string(what) + ": shape[" + std::to_string(i) + "]", "a non-negative integer");
    }
    shape[i] = static_cast<int64_t>(d);  // defined: checked just above
  }
  return shape;
}

static std::string ShapeStr(const std::vector<int64_t>& shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i) s += (i ? ", " : "") + std::to_string(shape[i]);
  return s + "]";
}

// fromArray(typedArray, shape, dtype?): a new CPU tensor holding a copy of the data.
static Napi::Value FromArray(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[0].IsTypedArray()) ThrowType(env, "fromArray: expected a TypedArray");
  Napi::TypedArray array = info[0].As<Napi::TypedArray>();
  at::ScalarType source;
  if (!DTypeOfArray(array.TypedArrayType(), &source)) {
    ThrowType(env, std::string("fromArray: ") + ArrayName(array.TypedArrayType()) +
                       " is not supported (use Float32Array, Float64Array, Int32Array, BigInt64Array, Uint8Array, "
                       "Int8Array or Int16Array)");
  }
  std::vector<int64_t> shape = ParseShape(env, info[1], "fromArray");
  int64_t numel = 1;
  for (int64_t d : shape) {
    // A signed overflow would be undefined behaviour too; no array holds 2^63 elements anyway.
    if (__builtin_mul_overflow(numel, d, &numel)) {
      throw Napi::RangeError::New(env, "fromArray: shape " + ShapeStr(shape) + " has more than 2^63 elements");
    }
  }
  if (numel != static_cast<int64_t>(array.ElementLength())) {
    ThrowType(env, "fromArray: shape " + ShapeStr(shape) + " holds " + std::to_string(numel) +
                       " elements but the array has " + std::to_string(array.ElementLength()));
  }
  at::Tensor t = at::empty(shape, at::TensorOptions().dtype(source));
  if (numel > 0) {
    const uint8_t* data = static_cast<const uint8_t*>(array.ArrayBuffer().Data()) + array.ByteOffset();
    std::memcpy(t.data_ptr(), data, array.ByteLength());
  }
  if (info.Length() > 2 && !info[2].IsUndefined() && !info[2].IsNull()) {
    at::ScalarType wanted = ParseDType(env, info[2], "fromArray");
    if (wanted == at::kBool) {
      t = t.ne(0);
    } else if (wanted != source) {
      t = t.to(wanted);
    }
  }
  return WrapTensor(env, std::move(t));
}

// toArray(handle): a copy of the data in the TypedArray matching its dtype (bool -> Uint8Array).
static Napi::Value ToArray(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  at::Tensor t = UnwrapTensor(env, info[0], "toArray");
  t = t.detach().to(at::kCPU).contiguous();
  napi_typedarray_type kind;
  switch (t.scalar_type()) {
    case at::kFloat: kind = napi_float32_array; break;
    case at::kDouble: kind = napi_float64_array; break;
    case at::kInt: kind = napi_int32_array; break;
    case at::kLong: kind = napi_bigint64_array; break;
    case at::kByte:
    case at::kBool: kind = napi_uint8_array; break;
    case at::kChar: kind = napi_int8_array; break;
    case at::kShort: kind = napi_int16_array; break;
    default:
      ThrowType(env, std::string("toArray: dtype ") + DTypeName(t.scalar_type()) +
                         " has no TypedArray; convert it first, e.g. to('float32')");
  }
  size_t bytes = static_cast<size_t>(t.numel()) * t.element_size();
  Napi::ArrayBuffer buffer = Napi::ArrayBuffer::New(env, bytes);
  if (bytes) std::memcpy(buffer.Data(), t.data_ptr(), bytes);
  napi_value out;
  napi_status status = napi_create_typedarray(env, kind, t.numel(), buffer, 0, &out);
  if (status != napi_ok) throw Napi::Error::New(env, "toArray: cannot create the TypedArray");
  return Napi::Value(env, out);
}

// info(handle): [dtype, shape, device, requiresGrad] in one call.
static Napi::Value Info(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const at::Tensor t = UnwrapTensor(env, info[0], "info");
  Napi::Array shape = Napi::Array::New(env, t.dim());
  for (int64_t i = 0; i < t.dim(); ++i) shape.Set(static_cast<uint32_t>(i), Napi::Number::New(env, t.size(i)));
  Napi::Array out = Napi::Array::New(env, 4);
  out.Set(0u, Napi::String::New(env, DTypeName(t.scalar_type())));
  out.Set(1u, shape);
  out.Set(2u, Napi::String::New(env, t.device().str()));
  out.Set(3u, Napi::Boolean::New(env, t.requires_grad()));
  return out;
}

static Napi::Value Shape(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const at::Tensor t = UnwrapTensor(env, info[0], "shape");
  Napi::Array shape = Napi::Array::New(env, t.dim());
  for (int64_t i = 0; i < t.dim(); ++i) shape.Set(static_cast<uint32_t>(i), Napi::Number::New(env, t.size(i)));
  return shape;
}

static Napi::Value DType(const Napi::CallbackInfo& info) {
  return Napi::String::New(info.Env(), DTypeName(UnwrapTensor(info.Env(), info[0], "dtype").scalar_type()));
}

static Napi::Value Device(const Napi::CallbackInfo& info) {
  return Napi::String::New(info.Env(), UnwrapTensor(info.Env(), info[0], "device").device().str());
}

// item(handle): the value of a one-element tensor as a number (or boolean).
static Napi::Value Item(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const at::Tensor t = UnwrapTensor(env, info[0], "item");
  at::Scalar s = t.item();
  if (s.isBoolean()) return Napi::Boolean::New(env, s.toBool());
  if (s.isIntegral(false)) return Napi::Number::New(env, static_cast<double>(s.toLong()));
  return Napi::Number::New(env, s.toDouble());
}

// to(handle, device?, dtype?): a tensor on another device and/or of another dtype (the same one when nothing
// changes, as in PyTorch).
static Napi::Value To(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const at::Tensor t = UnwrapTensor(env, info[0], "to");
  c10::Device device = info[1].IsString() ? ParseDevice(env, info[1], "to") : t.device();
  at::ScalarType dtype = info[2].IsString() ? ParseDType(env, info[2], "to") : t.scalar_type();
  return WrapTensor(env, t.to(device, dtype));
}

// dispose(handle): frees the tensor now; a stale handle (already freed) is ignored, so the GC path and an
// explicit dispose never conflict.
static Napi::Value Dispose(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), ReleaseHandle(info.Env(), info[0]));
}

static Napi::Value IsDisposed(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), !IsTensorHandle(info.Env(), info[0]));
}

static Napi::Value Live(const Napi::CallbackInfo& info) {
  Napi::Object o = Napi::Object::New(info.Env());
  o.Set("tensors", Napi::Number::New(info.Env(), static_cast<double>(LiveTensors())));
  o.Set("bytes", Napi::Number::New(info.Env(), static_cast<double>(LiveBytes())));
  o.Set("storages", Napi::Number::New(info.Env(), static_cast<double>(LiveStorages())));
  return o;
}

void InitTensors(Napi::Env env, Napi::Object exports) {
  Export<FromArray>(env, exports, "fromArray");
  Export<ToArray>(env, exports, "toArray");
  Export<Info>(env, exports, "info");
  Export<Shape>(env, exports, "shape");
  Export<DType>(env, exports, "dtype");
  Export<Device>(env, exports, "device");
  Export<Item>(env, exports, "item");
  Export<To>(env, exports, "to");
  Export<Dispose>(env, exports, "dispose");
  Export<IsDisposed>(env, exports, "isDisposed");
  Export<Live>(env, exports, "live");
}

}  // namespace nnlab
