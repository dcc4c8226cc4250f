// Decoding JSON request bodies the way the reference host does
// (Express body-parser + Nest ValidationPipe), minus its crashes:
//  - only `application/json` bodies are parsed (the media type, parsed as
//    media_type.h says; any parameters); others read as {}; a charset
//    other than utf-8 -> 415 {"statusCode":415,"message":"unsupported
//    charset \"X\""};
//  - malformed JSON -> 400 {"message":"<parser message>","error":"Bad Request","statusCode":400};
//  - a top-level value that is not an object -> 400 (never a 500);
//  - invalid UTF-8 and nesting deeper than 32 levels are malformed.
#ifndef AUTHD_HTTP_REQUEST_BODY_H_
#define AUTHD_HTTP_REQUEST_BODY_H_

#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include <boost/json/object.hpp>

#include "http/message.h"

namespace authd::http {

// Either the body object or the ready error response.
using BodyOrError = std::variant<boost::json::object, Response>;

BodyOrError ParseJsonBody(const Request& req);

// Field readers for validation. Each returns the class-validator message
// for a wrongly typed value through `error` (left untouched when fine).
// Absent and null fields read as nullopt.
std::optional<std::string> StringField(const boost::json::object& o, std::string_view name,
                                       std::optional<std::string>* error);
std::optional<bool> BoolField(const boost::json::object& o, std::string_view name,
                              std::optional<std::string>* error);

// A field the reference's DTO declares as a string, read through its
// host's implicit conversion (class-transformer String(value)): numbers
// and booleans become their JavaScript text, objects "[object Object]".
// Arrays are left unconverted and reported as "<name> must be a string".
std::optional<std::string> CoercedStringField(const boost::json::object& o, std::string_view name,
                                              std::optional<std::string>* error);

// True for JavaScript-truthy values.
bool Truthy(const boost::json::value& v);

}  // namespace authd::http

#endif  // AUTHD_HTTP_REQUEST_BODY_H_
