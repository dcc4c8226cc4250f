#include "delivery/webhook_transport.h"

#include <curl/curl.h>

#include <algorithm>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <utility>

#include "crypto/hmac.h"
#include "delivery/curl_handle.h"

namespace authd::delivery {
namespace {

constexpr std::size_t kMaxResponseKept = 200;  // bytes of reply in debug

bool HeaderSafe(std::string_view s) {
  return std::none_of(s.begin(), s.end(), [](char ch) {
    unsigned char c = static_cast<unsigned char>(ch);
    return c < 0x20 || c == 0x7F;
  });
}

core::Error Rejected(std::string code, std::string message, std::string debug) {
  core::Error e = core::InvalidArgument(std::move(code), std::move(message));
  e.debug = std::move(debug);
  return e;
}

// CURLOPT_WRITEFUNCTION: keeps the start of the reply for the debug text.
std::size_t KeepReply(char* data, std::size_t size, std::size_t count, void* user) {
  auto* kept = static_cast<std::string*>(user);
  std::size_t n = size * count;
  if (kept->size() < kMaxResponseKept) {
    kept->append(data, std::min(n, kMaxResponseKept - kept->size()));
  }
  return n;
}

// The reply start as one printable line.
std::string Printable(std::string_view s) {
  std::string out(s);
  std::replace_if(
      out.begin(), out.end(), [](char c) { return static_cast<unsigned char>(c) < 0x20; }, ' ');
  return out;
}

core::Status MapStatus(long status, std::string_view reply) {
  if (status >= 200 && status <= 299) return core::Status::Ok();
  std::string debug = "webhook: HTTP ";
  debug.append(std::to_string(status));
  if (!reply.empty()) debug.append(": ").append(Printable(reply));
  if (status == 408 || status == 429 || (status >= 500 && status <= 599)) {
    return core::Unavailable(std::move(debug));
  }
  return Rejected("WEBHOOK_REJECTED", "The webhook receiver refused the message", std::move(debug));
}

class WebhookTransport final : public courier::Transport {
 public:
  WebhookTransport(courier::WebhookOptions options, const core::Clock& clock)
      : options_(std::move(options)), clock_(clock) {
    EnsureCurlGlobalInit();
  }

  WebhookTransport(const WebhookTransport&) = delete;
  WebhookTransport& operator=(const WebhookTransport&) = delete;

  core::Status Send(const courier::OutboxMessage& m) override {
    bool event = m.channel == courier::Channel::kWebhook;
    const std::string& url = event ? m.recipient : options_.url;
    if (url.empty()) {
      return Rejected("WEBHOOK_URL_INVALID", "No webhook URL is configured", "webhook: empty url");
    }
    if (!HeaderSafe(m.id) || !HeaderSafe(m.kind)) {
      return Rejected("WEBHOOK_HEADER_INVALID", "The message is invalid",
                      "webhook: id or kind holds a control character");
    }
    std::string body = event ? m.body : WebhookEnvelope(m);

    CurlEasy curl = NewCurlEasy();
    CurlSlist headers;
    bool ok = curl != nullptr && SlistAppend(headers, "Content-Type: application/json") &&
              SlistAppend(headers, "Expect:") &&  // no 100-continue round trip
              SlistAppend(headers, "X-Authd-Message-Id: " + m.id) &&
              SlistAppend(headers, "X-Authd-Kind: " + m.kind) &&
              (options_.secret.empty() || SlistAppend(headers, SignatureHeader(body)));
    if (!ok) return core::Unavailable("webhook: cannot allocate a curl handle");

    CURL* h = curl.get();
    std::string reply;
    char error_buffer[CURL_ERROR_SIZE] = {};
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, error_buffer);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_URL, url.c_str());
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(h, CURLOPT_USERAGENT, "authd");
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers.get());
    curl_easy_setopt(h, CURLOPT_POST, 1L);
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, body.data());
    curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, &KeepReply);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &reply);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, static_cast<long>(options_.timeout_ms));
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(options_.timeout_ms));

    CURLcode rc = curl_easy_perform(h);
    if (rc == CURLE_URL_MALFORMAT || rc == CURLE_UNSUPPORTED_PROTOCOL) {
      return Rejected("WEBHOOK_URL_INVALID", "The webhook URL is invalid",
                      CurlErrorText("webhook", rc, error_buffer, 0));
    }
    if (rc != CURLE_OK) {
      return core::Unavailable(CurlErrorText("webhook", rc, error_buffer, 0));
    }
    long status = 0;
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
    return MapStatus(status, reply);
  }

  const char* name() const override { return "webhook"; }

 private:
  std::string SignatureHeader(std::string_view body) const {
    std::string header = "X-Authd-Signature: ";
    header.append(WebhookSignature(options_.secret, clock_.NowSeconds(), body));
    return header;
  }

  const courier::WebhookOptions options_;
  const core::Clock& clock_;
};

}  // namespace

std::unique_ptr<courier::Transport> NewWebhookTransport(const courier::WebhookOptions& options,
                                                        const core::Clock& clock) {
  return std::make_unique<WebhookTransport>(options, clock);
}

std::string WebhookSignature(std::string_view secret, std::int64_t t, std::string_view body) {
  std::string stamp = std::to_string(t);
  std::string signed_text = stamp;
  signed_text.push_back('.');
  signed_text.append(body);
  return "t=" + stamp + ",v1=" + crypto::HmacSha256Hex(secret, signed_text);
}

std::string WebhookEnvelope(const courier::OutboxMessage& m) {
  boost::json::object o;
  o["id"] = m.id;
  o["channel"] = courier::ChannelName(m.channel);
  o["to"] = m.recipient;
  o["kind"] = m.kind;
  if (m.channel == courier::Channel::kEmail) o["subject"] = m.subject;
  o["body"] = m.body;
  o["createdAt"] = core::FormatIso8601(m.created_at);
  return boost::json::serialize(o);
}

}  // namespace authd::delivery
