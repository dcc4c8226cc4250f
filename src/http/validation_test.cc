// The validation message catalogue against the reference's class-validator
// (tests/data/reference_errors.json, from scripts/reference-errors.js).
#include "http/validation.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include <boost/json.hpp>

namespace authd::http {
namespace {
namespace json = boost::json;

json::object ClassValidatorMessages() {
  std::ifstream in(std::filesystem::path(__FILE__).parent_path() /
                   "../../tests/data/reference_errors.json");
  std::stringstream s;
  s << in.rdbuf();
  return json::parse(s.str()).as_object().at("classValidator").as_object();
}

TEST(ValidationCatalogue, MessagesAreTheReferences) {
  const json::object cv = ClassValidatorMessages();
  auto all = ValidationCatalogue();
  for (size_t i = 0; i < all.size(); ++i) {
    EXPECT_EQ(static_cast<size_t>(all[i].check), i) << all[i].name << " out of order";
    auto it = cv.find(all[i].name);
    ASSERT_NE(it, cv.end()) << all[i].name << " is not in the reference's class-validator";
    EXPECT_EQ(it->value().as_string(), all[i].message) << all[i].name;
  }
}

TEST(ValidationCatalogue, FillsPropertyAndConstraint) {
  EXPECT_EQ(CheckMessage(Check::kIsEmail, "email"), "email must be an email");
  EXPECT_EQ(CheckMessage(Check::kMinLength, "password", "8"),
            "password must be longer than or equal to 8 characters");
  EXPECT_EQ(CheckMessage(Check::kIsEnum, "method", "email, sms, totp"),
            "method must be one of the following values: email, sms, totp");
}

}  // namespace
}  // namespace authd::http
