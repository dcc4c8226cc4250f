#include "identity/phone.h"

#include <gtest/gtest.h>

namespace authd::identity {
namespace {

TEST(NormalizePhone, OneFormForEveryWritingOfANumber) {
  for (const char* written :
       {"+15550100000", "+1 (555) 010-0000", "+1.555.010.0000", "+1-555-010-0000",
        " +1 555 0100000\t", "+1(555)0100000", "+1 - 555 - 010 - 0000", "\n+1\r\v\f5550100000"}) {
    EXPECT_EQ(NormalizePhone(written), "+15550100000") << written;
  }
}

TEST(NormalizePhone, KeepsWhatNoSeparatorIs) {
  EXPECT_EQ(NormalizePhone("5550100000"), "5550100000");  // no '+' is not added
  EXPECT_EQ(NormalizePhone("++1 555"), "++1555");
  EXPECT_EQ(NormalizePhone("+1 555 x12"), "+1555x12");
  EXPECT_EQ(NormalizePhone("+1\xc2\xa0"
                           "555"),
            "+1\xc2\xa0"
            "555");  // NBSP is not ASCII
  EXPECT_EQ(NormalizePhone(""), "");
  EXPECT_EQ(NormalizePhone(" ().- "), "");
}

TEST(LegacyPhoneKey, WhitespaceOnly) {
  EXPECT_EQ(LegacyPhoneKey(" +1 (555) 010-0000 "), "+1(555)010-0000");
}

}  // namespace
}  // namespace authd::identity
