// dtype and device names shared by tensor creation and op arguments.
#include "common.h"

namespace nnlab {

struct DTypeEntry {
  const char* name;
  at::ScalarType type;
};

// The names are PyTorch's (torch.float32 -> 'float32'); the aliases are the common short forms.
static const DTypeEntry kDTypes[] = {
    {"float32", at::kFloat}, {"float64", at::kDouble}, {"float16", at::kHalf}, {"bfloat16", at::kBFloat16},
    {"int64", at::kLong},    {"int32", at::kInt},      {"int16", at::kShort},  {"int8", at::kChar},
    {"uint8", at::kByte},    {"bool", at::kBool},      {"float", at::kFloat},  {"double", at::kDouble},
    {"half", at::kHalf},     {"long", at::kLong},      {"int", at::kInt},
};

static std::string ValidDTypes() {
  std::string s;
  for (const auto& d : kDTypes) s += (s.empty() ? "" : ", ") + std::string(d.name);
  return s;
}

at::ScalarType ParseDType(Napi::Env env, const Napi::Value& value, const char* what) {
  if (value.IsString()) {
    std::string s = value.As<Napi::String>().Utf8Value();
    for (const auto& d : kDTypes) {
      if (s == d.name) return d.type;
    }
    ThrowType(env, std::string(what) + ": unsupported dtype '" + s + "' (supported: " + ValidDTypes() + ")");
  }
  ThrowType(env, std::string(what) + ": a dtype must be a string (" + ValidDTypes() + ")");
}

const char* DTypeName(at::ScalarType type) {
  for (const auto& d : kDTypes) {
    if (d.type == type) return d.name;
  }
  return c10::toString(type);
}

c10::Device ParseDevice(Napi::Env env, const Napi::Value& value, const char* what) {
  if (!value.IsString()) ThrowType(env, std::string(what) + ": a device must be a string such as 'cpu' or 'cuda:0'");
  return c10::Device(value.As<Napi::String>().Utf8Value());  // c10::Error on a bad name -> JS Error
}

}  // namespace nnlab
