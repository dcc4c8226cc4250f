// The catalogue against the reference's own errors, as extracted from its
// compiled package by scripts/reference-errors.js into
// tests/data/reference_errors.json: every entry taken from the reference
// must have its status, `error` field and message; every other entry must
// be listed in docs/compatibility.md.
#include "core/errors.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <string>

#include <boost/json.hpp>

#include "http/error_mapping.h"

namespace authd::core {
namespace {
namespace json = boost::json;

std::filesystem::path RepoPath(const char* rel) {
  return std::filesystem::path(__FILE__).parent_path().parent_path().parent_path() / rel;
}

std::string ReadFile(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

const json::object& Reference() {
  static const json::object* ref = [] {
    std::string text = ReadFile(RepoPath("tests/data/reference_errors.json"));
    return new json::object(json::parse(text).as_object());
  }();
  return *ref;
}

// The reference writes placeholders as `${expr}`, the catalogue as `{}`.
std::string Normalized(std::string_view message) {
  static const std::regex placeholder(R"(\$\{[^}]*\})");
  return std::regex_replace(std::string(message), placeholder, "{}");
}

struct Wire {
  int status;
  std::string error;  // the `error` field of the filtered body
};

Wire WireOf(const ErrorEntry& e) {
  http::Response r = http::ErrorResponse(MakeError(e.id));
  json::object body = json::parse(r.body).as_object();
  return {r.status, std::string(body.at("error").as_string())};
}

std::string Describe(const ErrorEntry& e) {
  return "catalogue entry #" + std::to_string(static_cast<int>(e.id)) + " " +
         std::string(e.code.empty() ? "(plain)" : e.code) + " \"" + std::string(e.message) + "\"";
}

// True when one of `variants` has this status, error field and message.
bool Matches(const json::array& variants, const Wire& w, std::string_view message,
             bool check_error) {
  for (const json::value& v : variants) {
    const json::object& o = v.as_object();
    if (o.at("status").to_number<int>() != w.status) continue;
    if (check_error && o.at("error").as_string() != w.error) continue;
    if (!o.at("message").is_string()) continue;
    if (Normalized(o.at("message").as_string()) == message) return true;
  }
  return false;
}

TEST(ErrorCatalogue, RecordsTheReferenceVersion) {
  const json::object& r = Reference().at("reference").as_object();
  EXPECT_EQ(r.at("package").as_string(), "@ackplus/nest-auth");
  EXPECT_EQ(r.at("version").as_string(), "2.11.1");
}

TEST(ErrorCatalogue, ReferenceEntriesMatchTheReference) {
  const json::object& coded = Reference().at("coded").as_object();
  const json::array& plain = Reference().at("plain").as_array();
  for (const ErrorEntry& e : ErrorCatalogue()) {
    if (e.origin != ErrorOrigin::kReference) continue;
    const Wire w = WireOf(e);
    if (e.code.empty()) {
      EXPECT_TRUE(Matches(plain, w, e.message, /*check_error=*/true))
          << Describe(e) << ": no code-less reference error with status " << w.status
          << " and this message";
      continue;
    }
    auto it = coded.find(e.code);
    ASSERT_NE(it, coded.end()) << Describe(e) << ": the reference has no such code";
    EXPECT_TRUE(Matches(it->value().as_array(), w, e.message, /*check_error=*/true))
        << Describe(e) << ": the reference has no variant with status " << w.status << ", error \""
        << w.error << "\" and this message; it has " << json::serialize(it->value());
  }
}

TEST(ErrorCatalogue, DeliberateDifferencesAreDocumented) {
  const json::object& coded = Reference().at("coded").as_object();
  const json::array& plain = Reference().at("plain").as_array();
  const std::string docs = ReadFile(RepoPath("docs/compatibility.md"));
  ASSERT_FALSE(docs.empty());
  for (const ErrorEntry& e : ErrorCatalogue()) {
    if (e.origin == ErrorOrigin::kReference) continue;
    const std::string key(e.code.empty() ? Normalized(e.message) : e.code);
    const std::string needle =
        e.code.empty() ? key.substr(key.find("{}") == 0 ? 3 : 0) : "`" + key + "`";
    EXPECT_NE(docs.find(needle), std::string::npos)
        << Describe(e) << " is not the reference's: docs/compatibility.md must list " << needle;
    if (e.origin == ErrorOrigin::kAuthd) {
      if (!e.code.empty()) {
        EXPECT_EQ(coded.find(e.code), coded.end())
            << Describe(e) << " is marked authd-only but the reference sends this code";
      } else {
        EXPECT_FALSE(Matches(plain, WireOf(e), e.message, true))
            << Describe(e) << " is marked authd-only but the reference sends it";
      }
    } else {
      // A reference code used with another status or in another place.
      EXPECT_NE(coded.find(e.code), coded.end()) << Describe(e) << ": no such reference code";
    }
  }
}

TEST(ErrorCatalogue, EntriesAreInOrderAndComplete) {
  auto all = ErrorCatalogue();
  ASSERT_EQ(all.size(), static_cast<std::size_t>(Err::kCount));
  for (std::size_t i = 0; i < all.size(); ++i) {
    EXPECT_EQ(static_cast<std::size_t>(all[i].id), i);
    EXPECT_FALSE(all[i].message.empty());
  }
}

TEST(ErrorCatalogue, MakeErrorFormatsPlaceholders) {
  Error e = MakeError(Err::kPasswordTooShort, 12);
  EXPECT_EQ(e.message, "Password must be at least 12 characters");
  EXPECT_EQ(e.code, "PASSWORD_TOO_SHORT");
  EXPECT_FALSE(e.plain);
  Error s = MakeError(Err::kSessionNotFound);
  EXPECT_TRUE(s.plain);
  EXPECT_EQ(WithRetryAfter(MakeError(Err::kRateLimited), 7).retry_after_seconds, 7);
}

}  // namespace
}  // namespace authd::core
