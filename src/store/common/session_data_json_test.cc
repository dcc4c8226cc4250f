#include "store/common/session_data_json.h"

#include <gtest/gtest.h>

namespace authd::store {
namespace {

TEST(SqliteSessionJson, EncodesTheReferenceShapeInOrder) {
  session::SessionData d;
  d.user.id = core::UserId("u-1");
  d.user.email = "alice@example.com";
  d.user.email_verified_at = 1'795'626'644'502;
  d.user.password_hash = "$argon2id$secret";
  d.user.created_at = 0;
  d.user.updated_at = 1;
  d.roles.push_back({"r-1", "admin", "web", std::nullopt, true, true});
  d.permissions = {"users.read"};
  auto json = EncodeSessionData(d);
  ASSERT_TRUE(json.ok());
  EXPECT_EQ(*json,
            R"({"user":{"id":"u-1","email":"alice@example.com",)"
            R"("emailVerifiedAt":"2026-11-25T17:10:44.502Z","phone":null,)"
            R"("phoneVerifiedAt":null,"isActive":true,"mustChangePassword":false,)"
            R"("metadata":{},"isMfaEnabled":false,"mfaRecoveryCode":null,)"
            R"("createdAt":"1970-01-01T00:00:00.000Z","updatedAt":"1970-01-01T00:00:00.001Z"},)"
            R"("isMfaVerified":false,)"
            R"("roles":[{"id":"r-1","name":"admin","guard":"web","tenantId":null,)"
            R"("isSystem":true,"isActive":true}],"permissions":["users.read"],)"
            R"("tenantId":null,"isPlatformAccess":false})");
  d.is_mfa_enabled = true;
  json = EncodeSessionData(d);
  ASSERT_TRUE(json.ok());
  EXPECT_NE(json->find(R"("isMfaVerified":false,"isMfaEnabled":true,"roles")"), std::string::npos);
}

TEST(SqliteSessionJson, RejectsBadMetadataAndBadDocuments) {
  session::SessionData d;
  d.user.metadata_json = "{not json";
  EXPECT_FALSE(EncodeSessionData(d).ok());
  EXPECT_FALSE(DecodeSessionData("[]").ok());
  EXPECT_FALSE(DecodeSessionData("{}").ok());  // no user
  EXPECT_FALSE(DecodeSessionData(R"({"user":{"isActive":"yes"}})").ok());
  EXPECT_FALSE(DecodeSessionData(R"({"user":{"createdAt":"yesterday"}})").ok());
  auto bad = DecodeSessionData("nope");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().category, core::ErrorCategory::kInternal);
}

TEST(SqliteSessionJson, DecodesMinimalReferenceRows) {
  // A row as the reference might have written it: fields missing, dates as
  // ISO strings, metadata with whitespace.
  auto d =
      DecodeSessionData(R"({"user":{"id":"u","email":null,"createdAt":"2024-02-29T12:00:00.000Z",)"
                        R"("metadata":{ "a" : 1 }},"roles":[],"tenantId":"t"})");
  ASSERT_TRUE(d.ok()) << d.error().debug;
  EXPECT_EQ(d->user.id.str(), "u");
  EXPECT_TRUE(d->user.is_active);
  EXPECT_EQ(d->user.created_at, 1'709'208'000'000);
  EXPECT_EQ(d->user.metadata_json, R"({"a":1})");
  EXPECT_EQ(d->tenant_id, core::TenantId(core::TenantIdValue("t")));
  EXPECT_FALSE(d->is_mfa_enabled.has_value());
  EXPECT_EQ(d->user.password_hash, std::nullopt);
}

TEST(SqliteSessionJson, ParseIso8601InvertsFormat) {
  for (core::UnixMillis t :
       {0LL, 1LL, 999LL, 951'782'400'000LL, 1'795'626'644'502LL, 4'102'444'799'999LL}) {
    EXPECT_EQ(ParseIso8601(core::FormatIso8601(t)), t) << core::FormatIso8601(t);
  }
  EXPECT_EQ(ParseIso8601("2026-11-25T17:13:39Z"), 1'795'626'819'000);
  EXPECT_FALSE(ParseIso8601("2026-02-30T00:00:00.000Z").has_value());
  EXPECT_FALSE(ParseIso8601("2026-11-25 17:13:39.502Z").has_value());
  EXPECT_FALSE(ParseIso8601("2026-11-25T17:13:39.502").has_value());
  EXPECT_FALSE(ParseIso8601("2026-11-25T24:00:00.000Z").has_value());
  EXPECT_FALSE(ParseIso8601("").has_value());
}

}  // namespace
}  // namespace authd::store
