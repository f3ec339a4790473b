// The generic op call: any ATen operator, found once through libtorch's dispatcher and then called by index.
//
// opId(name, overload) resolves an operator, classifies its arguments from the schema once, and returns a small
// integer. call(id, ...args) converts each JS argument by its precomputed kind, runs the boxed kernel (with
// autograd), and converts the results back. Missing trailing arguments take the schema's defaults.
#include "common.h"

#include "integers.h"

#include <ATen/core/dispatch/Dispatcher.h>
#include <ATen/core/stack.h>

#include <chrono>
#include <cmath>
#include <memory>
#include <sstream>
#include <unordered_map>
#include <vector>

namespace nnlab {

enum class Kind {
  Tensor, TensorList, OptTensorList, Int, IntList, Float, FloatList, Bool, BoolList, Scalar,
  ScalarType, Layout, MemoryFormat, Device, String, Generator, Unsupported
};

struct ArgSpec {
  std::string name;
  std::string type;  // as the schema writes it, for messages (SymInt as int: the type a caller passes)
  Kind kind;
  bool optional;
  int n;  // fixed list size (int[2]) or 0
  c10::optional<c10::IValue> defaultValue;
};

struct OpEntry {
  c10::OperatorHandle handle;
  std::string qualified;  // aten::add.Tensor
  std::vector<ArgSpec> args;
  int returnsArg;  // the input that the single return aliases and writes (in-place/out ops), else -1
};

static std::vector<std::unique_ptr<OpEntry>> g_ops;
static std::unordered_map<std::string, int> g_index;

static Kind Classify(const c10::TypePtr& type) {
  using c10::TypeKind;
  switch (type->kind()) {
    case TypeKind::TensorType: return Kind::Tensor;
    case TypeKind::IntType:
    case TypeKind::SymIntType: return Kind::Int;
    case TypeKind::FloatType: return Kind::Float;
    case TypeKind::BoolType: return Kind::Bool;
    case TypeKind::NumberType: return Kind::Scalar;
    case TypeKind::ScalarTypeType: return Kind::ScalarType;
    case TypeKind::LayoutType: return Kind::Layout;
    case TypeKind::MemoryFormatType: return Kind::MemoryFormat;
    case TypeKind::DeviceObjType: return Kind::Device;
    case TypeKind::StringType: return Kind::String;
    case TypeKind::GeneratorType: return Kind::Generator;
    case TypeKind::ListType: {
      const c10::TypePtr& elem = type->expectRef<c10::ListType>().getElementType();
      if (elem->kind() == TypeKind::OptionalType) {
        const auto& inner = elem->expectRef<c10::OptionalType>().getElementType();
        return inner->kind() == TypeKind::TensorType ? Kind::OptTensorList : Kind::Unsupported;
      }
      switch (elem->kind()) {
        case TypeKind::TensorType: return Kind::TensorList;
        case TypeKind::IntType:
        case TypeKind::SymIntType: return Kind::IntList;
        case TypeKind::FloatType: return Kind::FloatList;
        case TypeKind::BoolType: return Kind::BoolList;
        default: return Kind::Unsupported;
      }
    }
    default: return Kind::Unsupported;
  }
}

static int ReturnsArg(const c10::FunctionSchema& schema) {
  if (schema.returns().size() != 1) return -1;
  const c10::AliasInfo* ret = schema.returns()[0].alias_info();
  if (!ret || !ret->isWrite()) return -1;
  for (size_t i = 0; i < schema.arguments().size(); ++i) {
    const c10::AliasInfo* a = schema.arguments()[i].alias_info();
    if (a && a->isWrite() && a->beforeSets() == ret->beforeSets()) return static_cast<int>(i);
  }
  return -1;
}


// ---- argument conversion ---------------------------------------------------------------------------------

[[noreturn]] static void BadArg(Napi::Env env, const OpEntry& op, const ArgSpec& spec, const char* expected) {
  ThrowType(env, op.qualified + ": argument '" + spec.name + "' (" + spec.type + ") expects " + expected);
}

static int64_t ToInt(Napi::Env env, const Napi::Value& v, const OpEntry& op, const ArgSpec& spec) {
  const double d = v.IsNumber() ? v.As<Napi::Number>().DoubleValue() : 0.5;
  if (!IsInt64Value(d)) ThrowBadInt(env, v, op.qualified + ": argument '" + spec.name + "' (" + spec.type + ")", "an integer");
  return static_cast<int64_t>(d);  // defined: checked just above
}

static c10::IValue ToIValue(Napi::Env env, const Napi::Value& v, const OpEntry& op, const ArgSpec& spec) {
  switch (spec.kind) {
    case Kind::Tensor: {
      if (!IsTensorHandle(env, v)) BadArg(env, op, spec, v.IsNumber() ? "a tensor, but the tensor was disposed" : "a tensor");
      return UnwrapTensor(env, v, spec.name.c_str());
    }
    case Kind::Int: return c10::IValue(ToInt(env, v, op, spec));
    case Kind::Float:
      if (!v.IsNumber()) BadArg(env, op, spec, "a number");
      return c10::IValue(v.As<Napi::Number>().DoubleValue());
    case Kind::Bool:
      if (!v.IsBoolean()) BadArg(env, op, spec, "a boolean");
      return c10::IValue(v.As<Napi::Boolean>().Value());
    case Kind::Scalar: {
      if (v.IsBoolean()) return c10::IValue(v.As<Napi::Boolean>().Value());
      if (!v.IsNumber()) BadArg(env, op, spec, "a number or boolean");
      double d = v.As<Napi::Number>().DoubleValue();
      // Like Python: a whole number is an integer scalar, anything else a double.
      if (std::isfinite(d) && d == std::floor(d) && std::fabs(d) < 9007199254740992.0) {
        return c10::IValue(static_cast<int64_t>(d));
      }
      return c10::IValue(d);
    }
    case Kind::IntList: {
      if (v.IsNumber() && spec.n > 0) return c10::IValue(std::vector<int64_t>(spec.n, ToInt(env, v, op, spec)));
      if (!v.IsArray()) BadArg(env, op, spec, "an array of integers");
      Napi::Array a = v.As<Napi::Array>();
      std::vector<int64_t> out(a.Length());
      for (uint32_t i = 0; i < a.Length(); ++i) out[i] = ToInt(env, a.Get(i), op, spec);
      return c10::IValue(std::move(out));
    }
    case Kind::FloatList: {
      if (!v.IsArray()) BadArg(env, op, spec, "an array of numbers");
      Napi::Array a = v.As<Napi::Array>();
      std::vector<double> out(a.Length());
      for (uint32_t i = 0; i < a.Length(); ++i) {
        Napi::Value e = a.Get(i);
        if (!e.IsNumber()) BadArg(env, op, spec, "an array of numbers");
        out[i] = e.As<Napi::Number>().DoubleValue();
      }
      return c10::IValue(std::move(out));
    }
    case Kind::BoolList: {
      if (!v.IsArray()) BadArg(env, op, spec, "an array of booleans");
      Napi::Array a = v.As<Napi::Array>();
      c10::List<bool> out;
      for (uint32_t i = 0; i < a.Length(); ++i) {
        Napi::Value e = a.Get(i);
        if (!e.IsBoolean()) BadArg(env, op, spec, "an array of booleans");
        out.push_back(e.As<Napi::Boolean>().Value());
      }
      return c10::IValue(std::move(out));
    }
    case Kind::TensorList: {
      if (!v.IsArray()) BadArg(env, op, spec, "an array of tensors");
      Napi::Array a = v.As<Napi::Array>();
      c10::List<at::Tensor> out;
      out.reserve(a.Length());
      for (uint32_t i = 0; i < a.Length(); ++i) {
        Napi::Value e = a.Get(i);
        if (!IsTensorHandle(env, e)) BadArg(env, op, spec, "an array of live tensors");
        out.push_back(UnwrapTensor(env, e, spec.name.c_str()));
      }
      return c10::IValue(std::move(out));
    }
    case Kind::OptTensorList: {
      if (!v.IsArray()) BadArg(env, op, spec, "an array of tensors or nulls");
      Napi::Array a = v.As<Napi::Array>();
      c10::List<c10::optional<at::Tensor>> out;
      for (uint32_t i = 0; i < a.Length(); ++i) {
        Napi::Value e = a.Get(i);
        if (e.IsNull() || e.IsUndefined()) {
          out.push_back(c10::nullopt);
        } else {
          if (!IsTensorHandle(env, e)) BadArg(env, op, spec, "an array of live tensors or nulls");
          out.push_back(UnwrapTensor(env, e, spec.name.c_str()));
        }
      }
      return c10::IValue(std::move(out));
    }
    case Kind::ScalarType: return c10::IValue(ParseDType(env, v, (op.qualified + ": " + spec.name).c_str()));
    case Kind::Device: return c10::IValue(ParseDevice(env, v, (op.qualified + ": " + spec.name).c_str()));
    case Kind::Layout: {
      if (!v.IsString() || v.As<Napi::String>().Utf8Value() != "strided") BadArg(env, op, spec, "'strided'");
      return c10::IValue(at::kStrided);
    }
    case Kind::MemoryFormat: {
      std::string s = v.IsString() ? v.As<Napi::String>().Utf8Value() : "";
      if (s == "contiguous") return c10::IValue(at::MemoryFormat::Contiguous);
      if (s == "preserve") return c10::IValue(at::MemoryFormat::Preserve);
      if (s == "channels_last") return c10::IValue(at::MemoryFormat::ChannelsLast);
      if (s == "channels_last_3d") return c10::IValue(at::MemoryFormat::ChannelsLast3d);
      BadArg(env, op, spec, "one of 'contiguous', 'preserve', 'channels_last', 'channels_last_3d'");
    }
    case Kind::String:
      if (!v.IsString()) BadArg(env, op, spec, "a string");
      return c10::IValue(v.As<Napi::String>().Utf8Value());
    case Kind::Generator: BadArg(env, op, spec, "null (generators are not supported; seed with manualSeed)");
    case Kind::Unsupported: break;
  }
  BadArg(env, op, spec, "a type that nnlab's op bridge does not support");
}

static void PushArgs(const Napi::CallbackInfo& info, const OpEntry& op, size_t first, torch::jit::Stack& stack) {
  Napi::Env env = info.Env();
  const size_t given = info.Length() - first;
  if (given > op.args.size()) {
    ThrowType(env, op.qualified + " takes " + std::to_string(op.args.size()) + " arguments, got " +
                       std::to_string(given));
  }
  stack.reserve(op.args.size());
  for (size_t i = 0; i < op.args.size(); ++i) {
    const ArgSpec& spec = op.args[i];
    Napi::Value v = i < given ? info[first + i] : env.Undefined();
    const bool isUndefined = v.IsUndefined();
    if (isUndefined || v.IsNull()) {
      if (!isUndefined && spec.optional) {
        stack.emplace_back();
      } else if (spec.defaultValue) {
        stack.push_back(*spec.defaultValue);
      } else if (spec.optional) {
        stack.emplace_back();
      } else {
        ThrowType(env, op.qualified + ": argument '" + spec.name + "' (" + spec.type + ") is required");
      }
      continue;
    }
    stack.push_back(ToIValue(env, v, op, spec));
  }
}

// ---- result conversion -----------------------------------------------------------------------------------

static Napi::Value FromIValue(Napi::Env env, c10::IValue&& v) {
  if (v.isTensor()) return WrapTensor(env, std::move(v).toTensor());
  if (v.isNone()) return env.Null();
  if (v.isDouble()) return Napi::Number::New(env, v.toDouble());
  if (v.isInt()) return Napi::Number::New(env, static_cast<double>(v.toInt()));
  if (v.isBool()) return Napi::Boolean::New(env, v.toBool());
  if (v.isString()) return Napi::String::New(env, v.toStringRef());
  if (v.isDevice()) return Napi::String::New(env, v.toDevice().str());
  if (v.isTuple()) {
    auto elements = v.toTupleRef().elements();
    Napi::Array out = Napi::Array::New(env, elements.size());
    for (size_t i = 0; i < elements.size(); ++i) out.Set(i, FromIValue(env, c10::IValue(elements[i])));
    return out;
  }
  if (v.isList()) {
    auto list = v.toListRef();
    Napi::Array out = Napi::Array::New(env, list.size());
    for (size_t i = 0; i < list.size(); ++i) out.Set(i, FromIValue(env, c10::IValue(list[i])));
    return out;
  }
  throw std::runtime_error(std::string("nnlab cannot return a value of type ") + v.tagKind());
}

// ---- exported functions ----------------------------------------------------------------------------------

static Napi::Value OpId(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[0].IsString()) ThrowType(env, "opId: the op name must be a string such as 'aten::add'");
  std::string name = info[0].As<Napi::String>().Utf8Value();
  std::string overload = info[1].IsString() ? info[1].As<Napi::String>().Utf8Value() : "";
  std::string key = overload.empty() ? name : name + "." + overload;
  auto it = g_index.find(key);
  if (it != g_index.end()) return Napi::Number::New(env, it->second);

  auto handle = c10::Dispatcher::singleton().findOp(c10::OperatorName(name, overload));
  if (!handle || !handle->hasSchema()) {
    std::string overloads;
    for (const auto& n : c10::Dispatcher::singleton().getAllOpNames()) {
      if (n.name == name) overloads += (overloads.empty() ? "'" : ", '") + n.overload_name + "'";
    }
    std::string msg = "unknown libtorch op '" + key + "'";
    if (!overloads.empty()) msg += " (the overloads of " + name + " are " + overloads + ")";
    Napi::Error err = Napi::Error::New(env, msg);
    err.Value().Set("code", Napi::String::New(env, "NNLAB_UNKNOWN_OP"));
    throw err;
  }
  const c10::FunctionSchema& schema = handle->schema();
  auto entry = std::unique_ptr<OpEntry>(new OpEntry{*handle, key, {}, ReturnsArg(schema)});
  for (const c10::Argument& a : schema.arguments()) {
    c10::TypePtr type = a.real_type();
    bool optional = false;
    if (type->kind() == c10::TypeKind::OptionalType) {
      optional = true;
      type = type->expectRef<c10::OptionalType>().getElementType();
    }
    entry->args.push_back(ArgSpec{a.name(), a.type()->str(), Classify(type), optional, a.N() ? *a.N() : 0,
                                  a.default_value()});
  }
  int id = static_cast<int>(g_ops.size());
  g_ops.push_back(std::move(entry));
  g_index.emplace(key, id);
  return Napi::Number::New(env, id);
}

static const OpEntry& EntryAt(const Napi::CallbackInfo& info, const char* what) {
  // Checked as a whole number in range before any conversion: Uint32Value() would turn 2^32 into 0 and 1.5
  // into 1, calling another op than the one asked for.
  const double id = info[0].IsNumber() ? info[0].As<Napi::Number>().DoubleValue() : -1;
  if (!(id >= 0 && id < static_cast<double>(g_ops.size())) || id != std::floor(id)) {
    ThrowType(info.Env(), std::string(what) + ": not an op id (get one with opId), got " + DescribeValue(info[0]));
  }
  return *g_ops[static_cast<size_t>(id)];
}

static Napi::Value Call(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const OpEntry& op = EntryAt(info, "call");
  // The shared stack keeps its capacity between calls, saving an allocation per call. A call can run inside
  // another one (an argument array with a getter that calls an op runs JS while the outer call converts its
  // arguments); such a nested call gets a stack of its own instead of clearing the outer call's.
  static torch::jit::Stack shared;
  static int depth = 0;
  struct Depth {
    Depth() { ++depth; }
    ~Depth() { --depth; }
  } nested;
  torch::jit::Stack local;
  torch::jit::Stack& stack = depth == 1 ? shared : local;
  // Cleared on the way out too, whether the call returns or throws: a result left on the shared stack (the
  // tensor an in-place op returns, the arguments of a failed call) would keep its memory alive after
  // dispose() until the next call.
  struct Clear {
    torch::jit::Stack& stack;
    ~Clear() { stack.clear(); }
  } clear{stack};
  stack.clear();
  PushArgs(info, op, 1, stack);
  op.handle.callBoxed(stack);
  if (op.returnsArg >= 0) return env.Undefined();
  if (stack.size() == 1) return FromIValue(env, std::move(stack[0]));
  Napi::Array out = Napi::Array::New(env, stack.size());
  for (size_t i = 0; i < stack.size(); ++i) out.Set(i, FromIValue(env, std::move(stack[i])));
  return out;
}

// loopOp(id, n, ...args): the same boxed call n times inside C++, the baseline of the per-call overhead bench.
static Napi::Value LoopOp(const Napi::CallbackInfo& info) {
  const OpEntry& op = EntryAt(info, "loopOp");
  const int64_t n = CheckedInt(info.Env(), info[1], "loopOp: the repeat count", "a non-negative integer", 0);
  torch::jit::Stack args;
  PushArgs(info, op, 2, args);
  auto start = std::chrono::steady_clock::now();
  for (int64_t i = 0; i < n; ++i) {
    torch::jit::Stack stack(args);
    op.handle.callBoxed(stack);
  }
  std::chrono::duration<double> s = std::chrono::steady_clock::now() - start;
  return Napi::Number::New(info.Env(), s.count());
}

// noop(): an empty native call, the floor of what any N-API call costs.
static Napi::Value Noop(const Napi::CallbackInfo& info) { return info.Env().Undefined(); }

static Napi::Object SchemaToJs(Napi::Env env, const c10::FunctionSchema& schema) {
  Napi::Object o = Napi::Object::New(env);
  o.Set("name", schema.name());
  o.Set("overload", schema.overload_name());
  std::ostringstream text;
  text << schema;
  o.Set("schema", text.str());
  Napi::Array args = Napi::Array::New(env, schema.arguments().size());
  for (size_t i = 0; i < schema.arguments().size(); ++i) {
    const c10::Argument& a = schema.arguments()[i];
    Napi::Object arg = Napi::Object::New(env);
    arg.Set("name", a.name());
    arg.Set("type", a.real_type()->str());
    arg.Set("n", a.N() ? *a.N() : 0);
    arg.Set("hasDefault", a.default_value().has_value());
    if (a.default_value()) {
      std::ostringstream d;
      d << *a.default_value();
      arg.Set("default", d.str());
    }
    arg.Set("kwargOnly", a.kwarg_only());
    arg.Set("writes", a.alias_info() != nullptr && a.alias_info()->isWrite());
    args.Set(i, arg);
  }
  o.Set("args", args);
  Napi::Array rets = Napi::Array::New(env, schema.returns().size());
  for (size_t i = 0; i < schema.returns().size(); ++i) {
    const c10::Argument& r = schema.returns()[i];
    Napi::Object ret = Napi::Object::New(env);
    ret.Set("name", r.name());
    ret.Set("type", r.real_type()->str());
    rets.Set(i, ret);
  }
  o.Set("returns", rets);
  o.Set("returnsArg", ReturnsArg(schema));
  return o;
}

// opSchemas(): every registered operator with its parsed schema, for the wrapper generator.
static Napi::Value OpSchemas(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  auto names = c10::Dispatcher::singleton().getAllOpNames();
  Napi::Array out = Napi::Array::New(env);
  uint32_t k = 0;
  for (const auto& name : names) {
    auto handle = c10::Dispatcher::singleton().findOp(name);
    if (!handle || !handle->hasSchema()) continue;
    out.Set(k++, SchemaToJs(env, handle->schema()));
  }
  return out;
}

void InitOps(Napi::Env env, Napi::Object exports) {
  Export<OpId>(env, exports, "opId");
  Export<Call>(env, exports, "call");
  Export<LoopOp>(env, exports, "loopOp");
  Export<Noop>(env, exports, "noop");
  Export<OpSchemas>(env, exports, "opSchemas");
}

}  // namespace nnlab
