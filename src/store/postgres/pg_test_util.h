// Helpers of the PostgreSQL adapter's tests: the test server's URL and a
// fresh schema per test.
//
// The server comes from AUTHD_TEST_POSTGRES_URL (scripts/test.sh starts a
// throw-away cluster and sets it). Without it the PostgreSQL tests are
// skipped, unless AUTHD_REQUIRE_POSTGRES=1 (CI), which makes them fail.
// Test-only.
#ifndef AUTHD_STORE_POSTGRES_PG_TEST_UTIL_H_
#define AUTHD_STORE_POSTGRES_PG_TEST_UTIL_H_

#include <cstdlib>
#include <memory>
#include <random>
#include <string>

#include <gtest/gtest.h>

#include "store/postgres/pg_connection.h"

namespace authd::store::postgres {

// The server URL, or "" after marking the current test skipped (or failed
// when AUTHD_REQUIRE_POSTGRES=1).
inline std::string TestServerUrl() {
  const char* url = std::getenv("AUTHD_TEST_POSTGRES_URL");
  if (url != nullptr && *url != '\0') return url;
  const char* require = std::getenv("AUTHD_REQUIRE_POSTGRES");
  if (require != nullptr && std::string(require) == "1") {
    ADD_FAILURE() << "AUTHD_REQUIRE_POSTGRES=1 but AUTHD_TEST_POSTGRES_URL is not set";
  } else {
    GTEST_MESSAGE_("AUTHD_TEST_POSTGRES_URL is not set (scripts/test.sh starts a server)",
                   ::testing::TestPartResult::kSkip);
  }
  return "";
}

// `url` with `options=-csearch_path=<schema>` appended.
inline std::string UrlWithSchema(const std::string& url, const std::string& schema) {
  return url + (url.find('?') == std::string::npos ? "?" : "&") + "options=-csearch_path%3D" +
         schema;
}

// A schema of its own, created on construction and dropped (with all it
// holds) on destruction. url() is "" when the server is not available.
class TempSchema {
 public:
  TempSchema() {
    server_ = TestServerUrl();
    if (server_.empty()) return;
    std::random_device rd;
    name_ = "t_" + std::to_string(rd()) + "_" + std::to_string(rd());
    auto admin = PgConnection::Open({{"dbname", server_}});
    if (!admin.ok()) {
      ADD_FAILURE() << "cannot connect to " << server_ << ": " << admin.error().debug;
      server_.clear();
      return;
    }
    core::Status s = (*admin)->ExecScript(("CREATE SCHEMA " + name_).c_str());
    EXPECT_TRUE(s.ok()) << (s.ok() ? "" : s.error().debug);
  }
  ~TempSchema() {
    if (server_.empty()) return;
    auto admin = PgConnection::Open({{"dbname", server_}});
    if (admin.ok()) {
      (void)(*admin)->ExecScript(("DROP SCHEMA IF EXISTS " + name_ + " CASCADE").c_str());
    }
  }
  TempSchema(const TempSchema&) = delete;
  TempSchema& operator=(const TempSchema&) = delete;

  std::string url() const { return server_.empty() ? "" : UrlWithSchema(server_, name_); }
  const std::string& name() const { return name_; }

 private:
  std::string server_;
  std::string name_;
};

}  // namespace authd::store::postgres

#endif  // AUTHD_STORE_POSTGRES_PG_TEST_UTIL_H_
