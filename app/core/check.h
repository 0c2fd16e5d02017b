// RT_CHECK: the second error channel (broken internal assumptions). A failed check prints
// the expression, the values of its operands, the file and the line, then aborts: a bug
// must stop the program loudly instead of letting it render a wrong picture.
//
//     RT_CHECK(tile.x1 <= width);   // prints "tile.x1 <= width  (with 97 <= 96)"
//     RT_CHECK_EQ(pixels.size(), expected_size);
//
// RT_CHECK splits a comparison into its operands (the trick of Catch2's Decomposer) so it
// can print both; any other condition is checked and printed as written.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <sstream>
#include <string>
#include <type_traits>
#include <utility>

namespace raytracer::detail {

template <class Value>
std::string describe_value(const Value& value) {
  if constexpr (std::is_same_v<Value, bool>) {
    return value ? "true" : "false";
  } else if constexpr (requires(std::ostream& stream) { stream << value; }) {
    std::ostringstream stream;
    stream.precision(9);  // enough digits to tell two floats apart
    stream << value;
    return stream.str();
  } else {
    return "(a value that cannot be printed)";
  }
}

[[noreturn]] inline void report_failed_check(const char* expression, const std::string& values, const char* file,
                                             int line) {
  std::fprintf(stderr, "%s:%d: check failed: %s", file, line, expression);
  if (!values.empty()) std::fprintf(stderr, "  (with %s)", values.c_str());
  std::fprintf(stderr, "\n");
  std::fflush(stderr);
  std::abort();
}

// The outcome of a checked condition: whether it held and, for a comparison, its operands.
struct CheckResult {
  bool passed;
  std::string values;
};

template <class Left, class Right>
struct Comparison {
  bool passed;
  const Left& left;
  const Right& right;
  const char* operator_text;
  explicit operator bool() const { return passed; }  // lets `a < b && c` still compile
  CheckResult result() const {
    if (passed) return {true, {}};
    return {false, describe_value(left) + " " + operator_text + " " + describe_value(right)};
  }
};

// Two integers of different signedness compare by value (std::cmp_less and friends), so
// RT_CHECK(unsigned_count > 0) neither warns nor lies; anything else uses its own operator.
template <class Value>
inline constexpr bool kIsInteger = std::is_integral_v<Value> && !std::is_same_v<Value, bool>;

// One function per operator (not derived from each other: with NaN, !(a < b) is not a >= b).
#define RT_DETAIL_COMPARE(name, integer_comparison, operator_token)              \
  template <class Left, class Right>                                            \
  bool name(const Left& left, const Right& right) {                             \
    if constexpr (kIsInteger<Left> && kIsInteger<Right>) {                      \
      return integer_comparison(left, right);                                   \
    } else {                                                                    \
      return left operator_token right;                                         \
    }                                                                           \
  }
RT_DETAIL_COMPARE(compare_equal, std::cmp_equal, ==)
RT_DETAIL_COMPARE(compare_not_equal, std::cmp_not_equal, !=)
RT_DETAIL_COMPARE(compare_less, std::cmp_less, <)
RT_DETAIL_COMPARE(compare_less_equal, std::cmp_less_equal, <=)
RT_DETAIL_COMPARE(compare_greater, std::cmp_greater, >)
RT_DETAIL_COMPARE(compare_greater_equal, std::cmp_greater_equal, >=)
#undef RT_DETAIL_COMPARE

// Holds the left operand until the comparison operator applies to it.
template <class Left>
struct LeftOperand {
  const Left& left;
  template <class Right>
  Comparison<Left, Right> operator==(const Right& right) const { return {compare_equal(left, right), left, right, "=="}; }
  template <class Right>
  Comparison<Left, Right> operator!=(const Right& right) const { return {compare_not_equal(left, right), left, right, "!="}; }
  template <class Right>
  Comparison<Left, Right> operator<(const Right& right) const { return {compare_less(left, right), left, right, "<"}; }
  template <class Right>
  Comparison<Left, Right> operator<=(const Right& right) const { return {compare_less_equal(left, right), left, right, "<="}; }
  template <class Right>
  Comparison<Left, Right> operator>(const Right& right) const { return {compare_greater(left, right), left, right, ">"}; }
  template <class Right>
  Comparison<Left, Right> operator>=(const Right& right) const { return {compare_greater_equal(left, right), left, right, ">="}; }
  explicit operator bool() const { return static_cast<bool>(left); }  // lets `a && b` still compile
  CheckResult result() const { return {static_cast<bool>(left), {}}; }
};

struct Decomposer {
  template <class Left>
  LeftOperand<Left> operator<=(const Left& left) const { return {left}; }
};

inline CheckResult check_result(bool passed) { return {passed, {}}; }
template <class Expression>
CheckResult check_result(const Expression& expression) { return expression.result(); }

}  // namespace raytracer::detail

#if defined(__clang__)
#define RT_DETAIL_SUPPRESS_PARENTHESES_WARNING \
  _Pragma("clang diagnostic push") _Pragma("clang diagnostic ignored \"-Wparentheses\"")
#define RT_DETAIL_RESTORE_WARNINGS _Pragma("clang diagnostic pop")
#else
#define RT_DETAIL_SUPPRESS_PARENTHESES_WARNING \
  _Pragma("GCC diagnostic push") _Pragma("GCC diagnostic ignored \"-Wparentheses\"")
#define RT_DETAIL_RESTORE_WARNINGS _Pragma("GCC diagnostic pop")
#endif

#define RT_CHECK(...)                                                                                         \
  do {                                                                                                        \
    RT_DETAIL_SUPPRESS_PARENTHESES_WARNING                                                                    \
    const ::raytracer::detail::CheckResult rt_check_result =                                                  \
        ::raytracer::detail::check_result(::raytracer::detail::Decomposer{} <= __VA_ARGS__);                  \
    RT_DETAIL_RESTORE_WARNINGS                                                                                \
    if (!rt_check_result.passed)                                                                              \
      ::raytracer::detail::report_failed_check(#__VA_ARGS__, rt_check_result.values, __FILE__, __LINE__);     \
  } while (false)

#define RT_CHECK_EQ(left, right) RT_CHECK((left) == (right))
