// Whole numbers from JS. A JS number is a double; converting a double that is NaN, infinite or outside the
// target type's range to an integer type is undefined behaviour in C++ (on x86-64 it yields INT64_MIN or a
// truncated garbage value, which then reaches libtorch as a real argument), and converting a fraction
// silently drops it. Every conversion of a JS number to an integer in the addon goes through CheckedInt,
// which checks first and throws a JS error naming the argument and the value it got.
#pragma once

#include <napi.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <string>

namespace nnlab {

// The value as JS would write it (NaN, Infinity, 1e+30, 2.5), or its kind when it is not a number. Only
// primitives are converted to text, so no user code (a toString method) runs.
inline std::string DescribeValue(const Napi::Value& v) {
  if (v.IsNumber() || v.IsBoolean()) return v.ToString().Utf8Value();
  if (v.IsUndefined()) return "undefined";
  if (v.IsNull()) return "null";
  if (v.IsString()) return "the string '" + v.As<Napi::String>().Utf8Value() + "'";
  if (v.IsBigInt()) return "a bigint";
  if (v.IsArray()) return "an array";
  if (v.IsFunction()) return "a function";
  if (v.IsObject()) return "an object";
  return "a symbol";
}

// Whether d is a whole number that int64_t holds: -2^63 <= d < 2^63 (both bounds are exact doubles; 2^63
// itself, which is what INT64_MAX rounds to, is out of range).
inline bool IsInt64Value(double d) {
  return std::isfinite(d) && d == std::floor(d) && d >= -9223372036854775808.0 && d < 9223372036854775808.0;
}

[[noreturn]] inline void ThrowBadInt(Napi::Env env, const Napi::Value& v, const std::string& what,
                                     const char* expects) {
  const std::string message = what + " expects " + expects + ", got " + DescribeValue(v);
  if (!v.IsNumber()) throw Napi::TypeError::New(env, message);
  throw Napi::RangeError::New(env, message);
}

// The integer value of v in [lo, hi]. `what` names the argument ("setIntraOpThreads: the thread count",
// "aten::softmax.int: argument 'dim' (int)"), `expects` says what it takes ("a positive integer"); the
// message is "<what> expects <expects>, got <value>". A value that is not a number is a TypeError; a number
// that is NaN, infinite, fractional or out of range is a RangeError. The message is only built on failure:
// this runs for every integer argument of every op call.
template <typename What>
inline int64_t CheckedInt(Napi::Env env, const Napi::Value& v, const What& what, const char* expects,
                          int64_t lo = std::numeric_limits<int64_t>::min(),
                          int64_t hi = std::numeric_limits<int64_t>::max()) {
  if (v.IsNumber()) {
    const double d = v.As<Napi::Number>().DoubleValue();
    if (IsInt64Value(d)) {
      const int64_t i = static_cast<int64_t>(d);  // defined: checked just above
      if (i >= lo && i <= hi) return i;
    }
  }
  ThrowBadInt(env, v, std::string(what), expects);
}

}  // namespace nnlab
