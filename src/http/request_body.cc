#include "http/request_body.h"

#include <fmt/format.h>
#include <boost/json.hpp>

#include "http/error_mapping.h"
#include "http/media_type.h"

namespace authd::http {
namespace json = boost::json;

namespace {

// 415 in the shape Nest gives an http-errors error from body-parser.
Response UnsupportedCharset(std::string_view charset) {
  // Upper-cased as the reference does; bytes that are not printable ASCII
  // become U+FFFD, so the body is always valid UTF-8 JSON.
  std::string upper;
  for (char c : charset) {
    if (c >= 'a' && c <= 'z') {
      upper.push_back(static_cast<char>(c - ('a' - 'A')));
    } else if (c >= 0x20 && c < 0x7f) {
      upper.push_back(c);
    } else {
      upper.append("\xEF\xBF\xBD");
    }
  }
  json::object o;
  o["statusCode"] = 415;
  o["message"] = "unsupported charset \"" + upper + "\"";
  Response r;
  r.status = 415;
  r.body = json::serialize(o);
  return r;
}

std::string ParseErrorMessage(std::string_view body, std::size_t consumed, bool at_end) {
  if (at_end || consumed >= body.size()) return "Unexpected end of JSON input";
  unsigned char c = static_cast<unsigned char>(body[consumed]);
  if (c >= 0x20 && c < 0x7f) {
    return fmt::format("Unexpected token {} in JSON at position {}", static_cast<char>(c),
                       consumed);
  }
  return fmt::format("Unexpected token in JSON at position {}", consumed);
}

}  // namespace

BodyOrError ParseJsonBody(const Request& req) {
  auto header = req.Header("content-type");
  if (!header) return json::object();
  const ContentType ct = ParseContentType(*header);
  if (!IsJsonMediaType(ct)) return json::object();
  // body-parser accepts any utf-* charset and decodes it; authd reads
  // UTF-8 only (docs/compatibility.md).
  if (ct.charset && *ct.charset != "utf-8") return UnsupportedCharset(*ct.charset);
  std::string_view body = req.body;
  size_t first = body.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return json::object();

  json::parse_options opts;
  opts.max_depth = 32;
  json::stream_parser p(json::storage_ptr(), opts);
  boost::system::error_code ec;
  std::size_t consumed = p.write_some(body.data(), body.size(), ec);
  if (!ec) p.finish(ec);
  if (ec) {
    bool at_end = ec == json::error::incomplete || (consumed >= body.size() && !p.done());
    return FrameworkError(400, ParseErrorMessage(body, consumed, at_end));
  }
  json::value v = p.release();
  if (!v.is_object()) {
    return FrameworkError(400, "Request body must be a JSON object");
  }
  return std::move(v.get_object());
}

std::optional<std::string> StringField(const json::object& o, std::string_view name,
                                       std::optional<std::string>* error) {
  auto it = o.find(name);
  if (it == o.end() || it->value().is_null()) return std::nullopt;
  if (!it->value().is_string()) {
    if (!*error) *error = fmt::format("{} must be a string", name);
    return std::nullopt;
  }
  return std::string(it->value().get_string());
}

std::optional<std::string> CoercedStringField(const json::object& o, std::string_view name,
                                              std::optional<std::string>* error) {
  auto it = o.find(name);
  if (it == o.end() || it->value().is_null()) return std::nullopt;
  const json::value& v = it->value();
  switch (v.kind()) {
    case json::kind::string:
      return std::string(v.get_string());
    case json::kind::bool_:
      return std::string(v.get_bool() ? "true" : "false");
    case json::kind::int64:
      return std::to_string(v.get_int64());
    case json::kind::uint64:
      return std::to_string(v.get_uint64());
    case json::kind::double_: {
      const double d = v.get_double();
      if (d == static_cast<double>(static_cast<long long>(d)) && d > -1e18 && d < 1e18) {
        return std::to_string(static_cast<long long>(d));
      }
      return fmt::format("{}", d);
    }
    case json::kind::object:
      return std::string("[object Object]");
    default:
      break;
  }
  if (!*error) *error = fmt::format("{} must be a string", name);
  return std::nullopt;
}

std::optional<bool> BoolField(const json::object& o, std::string_view name,
                              std::optional<std::string>* error) {
  auto it = o.find(name);
  if (it == o.end() || it->value().is_null()) return std::nullopt;
  if (!it->value().is_bool()) {
    if (!*error) *error = fmt::format("{} must be a boolean value", name);
    return std::nullopt;
  }
  return it->value().get_bool();
}

bool Truthy(const json::value& v) {
  switch (v.kind()) {
    case json::kind::null:
      return false;
    case json::kind::bool_:
      return v.get_bool();
    case json::kind::int64:
      return v.get_int64() != 0;
    case json::kind::uint64:
      return v.get_uint64() != 0;
    case json::kind::double_:
      return v.get_double() != 0 && v.get_double() == v.get_double();
    case json::kind::string:
      return !v.get_string().empty();
    default:
      return true;  // arrays and objects
  }
}

}  // namespace authd::http
