// libFuzzer target: JSON request bodies as handlers decode them.
// Input: first byte selects a Content-Type, the rest is the body. Runs
// ParseJsonBody, then StringField/BoolField/Truthy over every member and the
// validators over every string value. Invariants: an error is a 400 with a
// JSON body; IsEmail/IsUuid never accept what the grammar forbids.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include <boost/json.hpp>

#include "http/message.h"
#include "http/request_body.h"
#include "http/validation.h"

namespace {

void Check(bool ok, const char* what) {
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
    "",
    nullptr,  // no Content-Type header
};

void CheckValidators(std::string_view s) {
  if (authd::http::IsUuid(s)) Check(s.size() == 36, "IsUuid length");
  if (authd::http::IsEmail(s)) {
    Check(s.size() <= 254, "IsEmail length");
    Check(s.find('@') != std::string_view::npos, "IsEmail without '@'");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data,
                                      std::size_t size) {
  using namespace authd::http;
  if (size == 0) return 0;
  constexpr std::size_t kTypes = sizeof(kContentTypes) / sizeof(*kContentTypes);
  const char* content_type = kContentTypes[data[0] % kTypes];
  Request req;
  SetRequestLine("POST", "/auth/login", req);
  if (content_type != nullptr) SetHeaderField(0, "content-type", content_type, req);
  req.body.assign(reinterpret_cast<const char*>(data) + 1, size - 1);

  CheckValidators(req.body);
  BodyOrError parsed = ParseJsonBody(req);
  if (auto* err = std::get_if<Response>(&parsed)) {
    Check(err->status == 400, "body error is not a 400");
    boost::system::error_code ec;
    (void)boost::json::parse(err->body, ec);
    Check(!ec, "body error is not JSON");
    return 0;
  }
  const boost::json::object& o = std::get<boost::json::object>(parsed);
  for (const auto& kv : o) {
    const std::string_view key = kv.key();
    std::optional<std::string> error;
    auto s = StringField(o, key, &error);
    Check(s.has_value() != error.has_value() || kv.value().is_null() || !s,
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
  for (const char* name : {"email", "password", "phone", "refreshToken",
                           "providerName", "rememberMe", "tenantId"}) {
    std::optional<std::string> error;
    (void)StringField(o, name, &error);
    (void)BoolField(o, name, &error);
  }
  return 0;
}
