#include "core/enum_names.h"

#include <gtest/gtest.h>

namespace authd::core {
namespace {

enum class Color { kRed, kBlue, kGreen };

constexpr EnumName<Color> kColorNames[] = {{Color::kRed, "red"}, {Color::kBlue, "blue"}};

TEST(EnumNames, ReadsTheTableBothWays) {
  EXPECT_STREQ(NameIn(kColorNames, Color::kBlue), "blue");
  EXPECT_STREQ(NameIn(kColorNames, Color::kGreen), "?");  // not in the table
  EXPECT_EQ(ValueIn(kColorNames, "red"), Color::kRed);
  EXPECT_EQ(ValueIn(kColorNames, "Red"), std::nullopt);
  EXPECT_EQ(ValueIn(kColorNames, ""), std::nullopt);
}

}  // namespace
}  // namespace authd::core
