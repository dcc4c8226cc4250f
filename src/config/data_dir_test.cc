// Generated secrets: atomic writes (a failing write leaves nothing behind),
// what an empty or short file yields, modes.
#include "config/data_dir.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace authd::config {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

class DataDirTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string templ = (fs::temp_directory_path() / "authd-data-dir-XXXXXX").string();
    std::vector<char> buf(templ.begin(), templ.end());
    buf.push_back('\0');
    ASSERT_NE(::mkdtemp(buf.data()), nullptr);
    dir_ = buf.data();
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string Path(const char* name) const { return (fs::path(dir_) / name).string(); }
  std::vector<std::string> Entries() const {
    std::vector<std::string> out;
    for (const auto& e : fs::directory_iterator(dir_)) out.push_back(e.path().filename());
    return out;
  }
  static std::string Read(const std::string& path) {
    std::ifstream in(path);
    return std::string(std::istreambuf_iterator<char>(in), {});
  }
  static void Write(const std::string& path, const std::string& text, mode_t mode) {
    std::ofstream(path) << text;
    ::chmod(path.c_str(), mode);
  }

  std::string dir_;
};

// Makes every write past `bytes` fail with EFBIG (a full disk, for the
// writer), for the scope's lifetime.
class FileSizeLimit {
 public:
  explicit FileSizeLimit(rlim_t bytes) {
    ::getrlimit(RLIMIT_FSIZE, &saved_);
    old_handler_ = std::signal(SIGXFSZ, SIG_IGN);
    rlimit lim = saved_;
    lim.rlim_cur = bytes;
    ::setrlimit(RLIMIT_FSIZE, &lim);
  }
  ~FileSizeLimit() {
    ::setrlimit(RLIMIT_FSIZE, &saved_);
    std::signal(SIGXFSZ, old_handler_);
  }

 private:
  rlimit saved_{};
  void (*old_handler_)(int) = nullptr;
};

const std::string kSecret(64, 'k');
auto Generate = [] { return kSecret; };

TEST_F(DataDirTest, WritesTheWholeFileWithTheModeAndNoLeftovers) {
  ASSERT_TRUE(WriteFileAtomically(Path("f"), "hello\n", 0600).ok());
  EXPECT_EQ(Read(Path("f")), "hello\n");
  EXPECT_EQ(FileMode(Path("f")), 0600);
  EXPECT_THAT(Entries(), ::testing::ElementsAre("f"));
  // Replacing keeps the mode asked for, whatever the umask.
  ASSERT_TRUE(WriteFileAtomically(Path("f"), "again\n", 0640).ok());
  EXPECT_EQ(Read(Path("f")), "again\n");
  EXPECT_EQ(FileMode(Path("f")), 0640);
}

TEST_F(DataDirTest, AFailingWriteLeavesNoFileAndNoTemporary) {
  core::Status s = core::Status::Ok();
  {
    FileSizeLimit full(8);  // the secret is 65 bytes
    s = WriteFileAtomically(Path("jwt-secret"), kSecret + "\n", 0600);
  }
  ASSERT_FALSE(s.ok());
  EXPECT_THAT(s.error().debug, HasSubstr("cannot write"));
  EXPECT_THAT(s.error().debug, HasSubstr("File too large"));
  EXPECT_TRUE(Entries().empty()) << Entries()[0];
  // The next start generates a full secret.
  auto r = LoadOrCreateSecret(Path("jwt-secret"), Generate, {});
  ASSERT_TRUE(r.ok()) << r.error().debug;
  EXPECT_TRUE(r->generated);
  EXPECT_EQ(Read(Path("jwt-secret")), kSecret + "\n");
}

TEST_F(DataDirTest, AFailingReplacementKeepsTheOldFile) {
  Write(Path("f"), "old\n", 0600);
  core::Status s = core::Status::Ok();
  {
    FileSizeLimit full(2);
    s = WriteFileAtomically(Path("f"), "a much longer new text\n", 0600);
  }
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(Read(Path("f")), "old\n");
  EXPECT_THAT(Entries(), ::testing::ElementsAre("f"));
}

TEST_F(DataDirTest, AMissingDirectoryIsAnError) {
  core::Status s = WriteFileAtomically(Path("no/such/dir/f"), "x", 0600);
  ASSERT_FALSE(s.ok());
  EXPECT_THAT(s.error().debug, HasSubstr("cannot create"));
}

TEST_F(DataDirTest, CreatesOnceThenLoads) {
  auto first = LoadOrCreateSecret(Path("mfa-key"), Generate, {});
  ASSERT_TRUE(first.ok());
  EXPECT_TRUE(first->generated);
  EXPECT_EQ(first->secret, kSecret);
  EXPECT_EQ(first->mode, 0600);
  auto again = LoadOrCreateSecret(Path("mfa-key"), [] { return std::string(64, 'x'); }, {});
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(again->generated);
  EXPECT_EQ(again->secret, kSecret);
}

TEST_F(DataDirTest, LoadReportsTheRealMode) {
  Write(Path("jwt-secret"), kSecret + "\n", 0644);
  auto r = LoadOrCreateSecret(Path("jwt-secret"), Generate, {});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->mode, 0644);
  EXPECT_TRUE(OpenToGroupOrOthers(r->mode));
  EXPECT_FALSE(OpenToGroupOrOthers(0600));
  EXPECT_EQ(FormatMode(r->mode), "0644");
}

TEST_F(DataDirTest, AShortSecretIsRefusedWithWhatToDo) {
  Write(Path("jwt-secret"), "too-short\n", 0600);
  auto r = LoadOrCreateSecret(Path("jwt-secret"), Generate, {.replace_empty = true});
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.error().message, HasSubstr("shorter than 32 characters"));
  EXPECT_THAT(r.error().message, HasSubstr("openssl rand"));
  EXPECT_EQ(Read(Path("jwt-secret")), "too-short\n") << "never overwritten";
}

TEST_F(DataDirTest, AnEmptySecretIsReplacedOnlyWhenAllowed) {
  Write(Path("jwt-secret"), "", 0600);
  auto refused = LoadOrCreateSecret(Path("jwt-secret"), Generate, {.replace_empty = false});
  ASSERT_FALSE(refused.ok());
  EXPECT_THAT(refused.error().message, HasSubstr("is empty"));
  EXPECT_THAT(refused.error().message, HasSubstr("delete the file"));
  auto replaced = LoadOrCreateSecret(Path("jwt-secret"), Generate, {.replace_empty = true});
  ASSERT_TRUE(replaced.ok());
  EXPECT_TRUE(replaced->generated);
  EXPECT_EQ(Read(Path("jwt-secret")), kSecret + "\n");
}

}  // namespace
}  // namespace authd::config
