// Helpers of the SQLite adapter's tests: a private temp directory for the
// database file, and raw access to the file that bypasses the adapter (to
// inspect what it wrote, or to plant rows the ports cannot write).
// Test-only; not thread-safe.
#ifndef AUTHD_STORE_SQLITE_SQLITE_TEST_UTIL_H_
#define AUTHD_STORE_SQLITE_SQLITE_TEST_UTIL_H_

#include <sqlite3.h>
#include <stdlib.h>

#include <filesystem>
#include <string>
#include <system_error>

#include <gtest/gtest.h>

namespace authd::store::sqlite {

// A private directory under the test temp dir, removed with its content.
class TempDir {
 public:
  TempDir() {
    std::string tmpl = ::testing::TempDir() + "authd-sqlite-XXXXXX";
    if (mkdtemp(tmpl.data()) != nullptr) path_ = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    if (!path_.empty()) std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  std::string File(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

// Raw access to the file, bypassing the adapter. Foreign keys are off on
// this connection unless a test turns them on.
class RawDb {
 public:
  explicit RawDb(const std::string& path) {
    EXPECT_EQ(sqlite3_open(path.c_str(), &db_), SQLITE_OK);
  }
  ~RawDb() { sqlite3_close(db_); }
  RawDb(const RawDb&) = delete;
  RawDb& operator=(const RawDb&) = delete;

  void Exec(const std::string& sql) {
    char* err = nullptr;
    EXPECT_EQ(sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &err), SQLITE_OK)
        << (err ? err : "");
    sqlite3_free(err);
  }
  // The first column of the first row of `sql`, as text ("" if none).
  std::string Scalar(const std::string& sql) {
    sqlite3_stmt* st = nullptr;
    EXPECT_EQ(sqlite3_prepare_v2(db_, sql.c_str(), -1, &st, nullptr), SQLITE_OK)
        << sqlite3_errmsg(db_);
    std::string out;
    if (st != nullptr && sqlite3_step(st) == SQLITE_ROW) {
      const unsigned char* t = sqlite3_column_text(st, 0);
      if (t != nullptr) out = reinterpret_cast<const char*>(t);
    }
    sqlite3_finalize(st);
    return out;
  }

 private:
  sqlite3* db_ = nullptr;
};

}  // namespace authd::store::sqlite

#endif  // AUTHD_STORE_SQLITE_SQLITE_TEST_UTIL_H_
