// libFuzzer target: JSON request bodies as handlers decode them.
// Input: first byte selects a Content-Type from a table (bit 7 clear) or
// says that the next (byte & 0x7f) bytes are the Content-Type itself; the
// rest is the body. Runs ParseContentType, ParseJsonBody, then
// StringField/BoolField/Truthy over every member and the validators over
// every string value. Invariants: a parsed media type is valid and
// lower-case, and JSON only if it is application/json; an error is a 400
// (or a 415 for a charset) with a JSON body; IsEmail/IsUuid never accept
// what the grammar forbids.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include <boost/json.hpp>

#include "http/media_type.h"
#include "http/message.h"
#include "http/request_body.h"
#include "http/validation.h"

namespace {

void Require(bool ok, const char* what) {
  if (!ok) {
    __builtin_printf("request_body_fuzz invariant failed: %s\n", what);
    std::abort();
  }
}

constexpr const char* kContentTypes[] = {
    "application/json",
    "application/json; charset=utf-8",
    "APPLICATION/JSON",
    "application/vnd.api+json",
    "text/plain",
    "application/x-www-form-urlencoded",
    "text/plain; x=application/json",
    "application/json; charset=\"utf-8\"",
    "application/json; charset=latin1",
    "",
    nullptr,  // no Content-Type header
};

void CheckContentType(std::string_view header) {
  const authd::http::ContentType ct = authd::http::ParseContentType(header);
  if (!ct.type.empty()) {
    Require(authd::http::IsValidMediaType(ct.type), "parsed media type is invalid");
    for (char c : ct.type) Require(c < 'A' || c > 'Z', "media type not lower-case");
    Require(header.find('/') != std::string_view::npos, "media type without '/'");
  }
  if (authd::http::IsJsonMediaType(ct)) {
    Require(ct.type == "application/json", "JSON media type is not application/json");
  }
  if (ct.charset) {
    for (char c : *ct.charset) Require(c < 'A' || c > 'Z', "charset not lower-case");
  }
}

void CheckValidators(std::string_view s) {
  if (authd::http::IsUuid(s)) Require(s.size() == 36, "IsUuid length");
  if (authd::http::IsEmail(s)) {
    Require(s.size() <= 254, "IsEmail length");
    Require(s.find('@') != std::string_view::npos, "IsEmail without '@'");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace authd::http;
  if (size == 0) return 0;
  constexpr std::size_t kTypes = sizeof(kContentTypes) / sizeof(*kContentTypes);
  const char* chars = reinterpret_cast<const char*>(data);
  Request req;
  SetRequestLine("POST", "/auth/login", req);
  std::size_t body_start = 1;
  if (data[0] & 0x80) {
    const std::size_t n = std::min<std::size_t>(data[0] & 0x7f, size - 1);
    const std::string_view header(chars + 1, n);
    CheckContentType(header);
    SetHeaderField(0, "content-type", header, req);
    body_start += n;
  } else if (const char* content_type = kContentTypes[data[0] % kTypes]) {
    CheckContentType(content_type);
    SetHeaderField(0, "content-type", content_type, req);
  }
  req.body.assign(chars + body_start, size - body_start);

  CheckValidators(req.body);
  BodyOrError parsed = ParseJsonBody(req);
  if (auto* err = std::get_if<Response>(&parsed)) {
    Require(err->status == 400 || err->status == 415, "body error is not a 400 or 415");
    boost::system::error_code ec;
    (void)boost::json::parse(err->body, ec);
    Require(!ec, "body error is not JSON");
    return 0;
  }
  const boost::json::object& o = std::get<boost::json::object>(parsed);
  for (const auto& kv : o) {
    const std::string_view key = kv.key();
    std::optional<std::string> error;
    auto s = StringField(o, key, &error);
    Require(s.has_value() != error.has_value() || kv.value().is_null() || !s,
            "StringField returned a value and an error");
    if (s) CheckValidators(*s);
    std::optional<std::string> berror;
    (void)BoolField(o, key, &berror);
    (void)Truthy(kv.value());
    if (kv.value().is_object()) {
      const auto& inner = kv.value().get_object();
      for (const auto& ikv : inner) {
        std::optional<std::string> ierror;
        if (auto is = StringField(inner, ikv.key(), &ierror)) CheckValidators(*is);
      }
    }
  }
  for (const char* name :
       {"email", "password", "phone", "refreshToken", "providerName", "rememberMe", "tenantId"}) {
    std::optional<std::string> error;
    (void)StringField(o, name, &error);
    (void)BoolField(o, name, &error);
  }
  return 0;
}
