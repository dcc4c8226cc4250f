#include "delivery/smtp_transport.h"

#include <curl/curl.h>

#include <algorithm>
#include <cstring>
#include <utility>

#include "delivery/curl_handle.h"
#include "delivery/mime.h"

namespace authd::delivery {
namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool IsControl(char ch) {
  unsigned char c = static_cast<unsigned char>(ch);
  return c < 0x20 || c == 0x7F;
}

// A header value with each CR, LF and NUL turned into a space.
std::string HeaderSafe(std::string_view s) {
  std::string out(s);
  std::replace_if(
      out.begin(), out.end(), [](char c) { return c == '\r' || c == '\n' || c == '\0'; }, ' ');
  return out;
}

// "<address>".
std::string InAngles(std::string_view address) {
  std::string out;
  out.reserve(address.size() + 2);
  out.push_back('<');
  out.append(address);
  out.push_back('>');
  return out;
}

// "Wed, 25 Nov 2026 18:11:43 +0000" (RFC 5322 §3.3).
std::string MailDate(core::UnixMillis now) {
  std::string date = core::FormatHttpDate(now);  // "... GMT"
  if (date.ends_with(" GMT")) date.resize(date.size() - 4);
  date.append(" +0000");
  return date;
}

// The display name as an RFC 5322 phrase: as is when it is a plain atom
// sequence, quoted when it holds specials, encoded words when non-ASCII.
std::string Phrase(std::string_view name) {
  if (name.size() >= 2 && name.front() == '"' && name.back() == '"') {
    name = name.substr(1, name.size() - 2);
  }
  if (!IsPlainHeaderText(name)) return EncodeWords(name);
  if (name.find_first_of("()<>[]:;@\\,.\"") == std::string_view::npos) {
    return std::string(name);
  }
  std::string quoted = "\"";
  for (char c : name) {
    if (c == '"' || c == '\\') quoted.push_back('\\');
    quoted.push_back(c);
  }
  quoted.push_back('"');
  return quoted;
}

std::string FromHeader(std::string_view from) {
  std::string safe = HeaderSafe(from);
  std::string address = EmailAddress(safe);
  std::size_t lt = safe.rfind('<');
  std::string_view name =
      lt == std::string::npos ? std::string_view() : Trim(std::string_view(safe).substr(0, lt));
  if (name.empty()) return address;
  return Phrase(name).append(" ").append(InAngles(address));
}

// The message id restricted to characters safe in a msg-id.
std::string MessageIdLocalPart(std::string_view id) {
  std::string out;
  for (char c : id) {
    bool safe = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                c == '-' || c == '.' || c == '_';
    if (safe) out.push_back(c);
  }
  return out.empty() ? std::string("message") : out;
}

core::Error Rejected(std::string code, std::string message, std::string debug) {
  core::Error e = core::InvalidArgument(std::move(code), std::move(message));
  e.debug = std::move(debug);
  return e;
}

// The upload cursor CURLOPT_READFUNCTION advances.
struct Upload {
  std::string_view data;
  std::size_t sent = 0;
};

std::size_t ReadChunk(char* buffer, std::size_t size, std::size_t count, void* user) {
  auto* up = static_cast<Upload*>(user);
  std::size_t n = std::min(size * count, up->data.size() - up->sent);
  std::memcpy(buffer, up->data.data() + up->sent, n);
  up->sent += n;
  return n;
}

bool IsSmtps(std::string_view url) {
  constexpr std::string_view kScheme = "smtps://";
  if (url.size() < kScheme.size()) return false;
  for (std::size_t i = 0; i < kScheme.size(); ++i) {
    char c = url[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != kScheme[i]) return false;
  }
  return true;
}

long UseSslLevel(const courier::SmtpOptions& o) {
  if (o.starttls == "off") return CURLUSESSL_NONE;
  if (o.starttls == "opportunistic") return CURLUSESSL_TRY;
  return CURLUSESSL_ALL;  // "required", and anything unexpected: fail safe
}

// Maps a failed transfer to the transport's error contract.
core::Error MapFailure(CURLcode rc, long reply, const char* error_buffer) {
  std::string debug = CurlErrorText("smtp", rc, error_buffer, reply);
  // curl reports a refused RCPT TO, DATA or message as SEND_ERROR or
  // RECV_ERROR with the server's reply code. A 5xx to MAIL FROM ("MAIL
  // failed") concerns our sender, not this message: retry it.
  bool reply_error = rc == CURLE_SEND_ERROR || rc == CURLE_RECV_ERROR;
  bool about_sender = std::strncmp(error_buffer, "MAIL failed", 11) == 0;
  if (reply_error && reply >= 500 && reply <= 599 && !about_sender) {
    return Rejected("EMAIL_REJECTED", "The mail server refused the message", std::move(debug));
  }
  return core::Unavailable(std::move(debug));
}

class SmtpTransport final : public courier::Transport {
 public:
  SmtpTransport(courier::SmtpOptions options, const core::Clock& clock)
      : options_(std::move(options)),
        mail_from_(InAngles(EmailAddress(HeaderSafe(options_.from)))),
        implicit_tls_(IsSmtps(options_.url)),
        clock_(clock) {
    EnsureCurlGlobalInit();
  }

  SmtpTransport(const SmtpTransport&) = delete;
  SmtpTransport& operator=(const SmtpTransport&) = delete;

  core::Status Send(const courier::OutboxMessage& m) override {
    if (core::Status s = CheckEmailHeaders(m); !s.ok()) return s;
    if (options_.url.empty()) return core::Unavailable("smtp: no url configured");
    std::string payload = FormatEmail(m, options_.from, clock_.NowMillis());

    CurlEasy curl = NewCurlEasy();
    CurlSlist rcpt;
    if (!curl || !SlistAppend(rcpt, InAngles(m.recipient))) {
      return core::Unavailable("smtp: cannot allocate a curl handle");
    }
    CURL* h = curl.get();
    Upload upload{payload};
    char error_buffer[CURL_ERROR_SIZE] = {};
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, error_buffer);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_URL, options_.url.c_str());
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
    if (!implicit_tls_) {
      curl_easy_setopt(h, CURLOPT_USE_SSL, UseSslLevel(options_));
    }
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, options_.tls_verify ? 1L : 0L);
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, options_.tls_verify ? 2L : 0L);
    if (!options_.username.empty() || !options_.password.empty()) {
      curl_easy_setopt(h, CURLOPT_USERNAME, options_.username.c_str());
      curl_easy_setopt(h, CURLOPT_PASSWORD, options_.password.c_str());
    }
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, static_cast<long>(options_.timeout_ms));
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(options_.timeout_ms));
    curl_easy_setopt(h, CURLOPT_MAIL_FROM, mail_from_.c_str());
    curl_easy_setopt(h, CURLOPT_MAIL_RCPT, rcpt.get());
    curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(h, CURLOPT_READFUNCTION, &ReadChunk);
    curl_easy_setopt(h, CURLOPT_READDATA, &upload);

    CURLcode rc = curl_easy_perform(h);
    if (rc == CURLE_OK) return core::Status::Ok();
    long reply = 0;
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &reply);
    return MapFailure(rc, reply, error_buffer);
  }

  const char* name() const override { return "smtp"; }

 private:
  const courier::SmtpOptions options_;
  const std::string mail_from_;  // "<address>" of options_.from
  const bool implicit_tls_;      // smtps://: `starttls` does not apply
  const core::Clock& clock_;
};

}  // namespace

std::unique_ptr<courier::Transport> NewSmtpTransport(const courier::SmtpOptions& options,
                                                     const core::Clock& clock) {
  return std::make_unique<SmtpTransport>(options, clock);
}

core::Status CheckEmailHeaders(const courier::OutboxMessage& m) {
  const std::string& to = m.recipient;
  bool unsafe = std::any_of(to.begin(), to.end(), [](char c) {
    return IsControl(c) || c == ' ' || c == '<' || c == '>' || c == ',' || c == ';';
  });
  std::size_t at = to.rfind('@');
  if (unsafe || at == std::string::npos || at == 0 || at + 1 == to.size()) {
    return Rejected("EMAIL_RECIPIENT_INVALID", "The recipient address is invalid",
                    "smtp: recipient is not one plain address");
  }
  if (std::any_of(m.subject.begin(), m.subject.end(),
                  [](char c) { return IsControl(c) && c != '\t'; })) {
    return Rejected("EMAIL_SUBJECT_INVALID", "The subject is invalid",
                    "smtp: subject holds CR, LF, NUL or another control character");
  }
  return core::Status::Ok();
}

std::string EmailAddress(std::string_view from) {
  std::size_t lt = from.rfind('<');
  std::size_t gt = from.rfind('>');
  if (lt != std::string_view::npos && gt != std::string_view::npos && gt > lt) {
    return std::string(Trim(from.substr(lt + 1, gt - lt - 1)));
  }
  return std::string(Trim(from));
}

std::string FormatEmail(const courier::OutboxMessage& m, std::string_view from,
                        core::UnixMillis now) {
  std::string subject = HeaderSafe(m.subject);
  std::string body = ToCrlf(m.body);
  bool seven_bit = Is7Bit(body);

  std::string out;
  out.reserve(body.size() + 512);
  out.append("Date: ").append(MailDate(now)).append("\r\n");
  out.append("From: ").append(FromHeader(from)).append("\r\n");
  out.append("To: ").append(HeaderSafe(m.recipient)).append("\r\n");
  out.append("Subject: ")
      .append(IsPlainHeaderText(subject) ? FoldAtSpaces(subject, 9) : EncodeWords(subject))
      .append("\r\n");
  out.append("Message-ID: <").append(MessageIdLocalPart(m.id)).append("@authd>\r\n");
  out.append("Auto-Submitted: auto-generated\r\n");
  out.append("MIME-Version: 1.0\r\n");
  out.append("Content-Type: text/plain; charset=utf-8\r\n");
  out.append("Content-Transfer-Encoding: ")
      .append(seven_bit ? "7bit" : "quoted-printable")
      .append("\r\n\r\n");
  out.append(seven_bit ? body : QuotedPrintable(body));
  return out;
}

}  // namespace authd::delivery
