#include "config/data_dir.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <vector>

namespace authd::config {
namespace {

std::string SystemError(const std::string& what, const std::string& path, int err) {
  return what + " " + path + ": " + std::strerror(err);
}

std::string DirectoryOf(const std::string& path) {
  const std::size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

// write(2) until every byte is out; false with errno set otherwise.
bool WriteAll(int fd, const std::string& data) {
  std::size_t done = 0;
  while (done < data.size()) {
    const ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      if (n == 0) errno = ENOSPC;
      return false;
    }
    done += static_cast<std::size_t>(n);
  }
  return true;
}

core::Status SyncDirectory(const std::string& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return core::Internal(SystemError("cannot open directory", dir, errno));
  const bool ok = ::fsync(fd) == 0;
  const int err = errno;
  ::close(fd);
  if (!ok) return core::Internal(SystemError("cannot fsync directory", dir, err));
  return core::Status::Ok();
}

// The first line, byte for byte (as every earlier authd read it: trimming
// now would change the key of a file written with trailing blanks).
std::string FirstLine(std::ifstream& in) {
  std::string line;
  std::getline(in, line);
  return line;
}

}  // namespace

void RestrictNewFileModes() { ::umask(077); }

core::Status WriteFileAtomically(const std::string& path, const std::string& contents,
                                 mode_t mode) {
  std::string tmp = path + ".tmp-XXXXXX";
  std::vector<char> name(tmp.begin(), tmp.end());
  name.push_back('\0');
  const int fd = ::mkostemp(name.data(), O_CLOEXEC);  // created 0600
  if (fd < 0) return core::Internal(SystemError("cannot create", tmp, errno));
  tmp = name.data();
  int err = 0;
  std::string what;  // "cannot <step>", said of `subject`
  std::string subject = tmp;
  if (::fchmod(fd, mode) != 0) {
    err = errno, what = "cannot chmod";
  } else if (!WriteAll(fd, contents)) {
    err = errno, what = "cannot write";
  } else if (::fsync(fd) != 0) {
    err = errno, what = "cannot fsync";
  }
  if (::close(fd) != 0 && err == 0) err = errno, what = "cannot close";
  if (err == 0 && ::rename(tmp.c_str(), path.c_str()) != 0) {
    err = errno, what = "cannot rename " + tmp + " to", subject = path;
  }
  if (err != 0) {
    ::unlink(tmp.c_str());
    return core::Internal(SystemError(what, subject, err));
  }
  return SyncDirectory(DirectoryOf(path));
}

core::Result<SecretFile> LoadOrCreateSecret(const std::string& path,
                                            const std::function<std::string()>& generate,
                                            const SecretFileOptions& options) {
  SecretFile out;
  if (std::optional<mode_t> mode = FileMode(path)) {
    std::ifstream in(path);
    if (!in) return core::Internal(SystemError("cannot read", path, errno));
    out.secret = FirstLine(in);
    out.mode = *mode;
    if (out.secret.size() >= options.min_length) return out;
    if (!out.secret.empty()) {
      return core::InvalidArgument(
          "", "the secret in " + path + " is shorter than " + std::to_string(options.min_length) +
                  " characters: put a longer one there (e.g. openssl rand -base64 48), or "
                  "restore the file from a backup");
    }
    if (!options.replace_empty) {
      return core::InvalidArgument(
          "", path +
                  " is empty (an earlier start may have failed while writing it). If "
                  "you have a backup of it, restore it; if the data it protects is "
                  "expendable, delete the file and authd generates a new one");
    }
  }
  out.secret = generate();
  if (core::Status s = WriteFileAtomically(path, out.secret + "\n", 0600); !s.ok()) {
    return s.error();
  }
  out.generated = true;
  out.mode = FileMode(path).value_or(0600);
  return out;
}

std::optional<mode_t> FileMode(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return std::nullopt;
  return static_cast<mode_t>(st.st_mode & 07777);
}

std::string FormatMode(mode_t mode) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "%04o", static_cast<unsigned>(mode & 07777));
  return buf;
}

}  // namespace authd::config
