// RT_CHECK: passes silently when the condition holds; otherwise prints the expression, both
// operands of a comparison, the file and the line, and aborts.
#include <gtest/gtest.h>

#include <cstdint>

#include "core/check.h"

namespace raytracer {
namespace {

TEST(CheckMacro, APassingCheckDoesNothing) {
  const int width = 96;
  const std::uint32_t count = 3;
  RT_CHECK(width == 96);
  RT_CHECK(count > 0);  // unsigned against int: compared by value, no warning
  RT_CHECK_EQ(width, 96);
  RT_CHECK(width > 0 && count < 10u);
  SUCCEED();
}

TEST(CheckMacroDeathTest, AFailedComparisonPrintsBothValuesFileAndLine) {
  const int x1 = 97;
  const int width = 96;
  EXPECT_DEATH(RT_CHECK(x1 <= width), "check_macro_reports_values_test.cpp:[0-9]+: check failed: x1 <= width  \\(with 97 <= 96\\)");
}

TEST(CheckMacroDeathTest, CheckEqPrintsBothValues) {
  const float sum = 2.5f;
  EXPECT_DEATH(RT_CHECK_EQ(sum, 3.0f), "check failed: .*sum.*3.0f.*with 2.5 == 3");
}

TEST(CheckMacro, SignedAgainstUnsignedComparesByValue) {
  const int index = -1;
  const std::size_t size = 4;
  // With the usual arithmetic conversions -1 would become huge and this check would fail.
  RT_CHECK(index < size);
  SUCCEED();
}

TEST(CheckMacroDeathTest, AnyOtherConditionPrintsTheExpression) {
  const bool ready = false;
  EXPECT_DEATH(RT_CHECK(ready), "check failed: ready");
}

}  // namespace
}  // namespace raytracer
