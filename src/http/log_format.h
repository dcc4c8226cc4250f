// Log line formats of `--log-format text|json`, as spdlog formatters.
//
// json: one JSON object per line, {"time":"<ISO 8601 UTC>","level":"<level>",
// "msg":"<message>"}; the message is escaped as a JSON string (quotes,
// backslashes and control characters escaped, bytes that are not valid
// UTF-8 become U+FFFD), so no value logged inside a message (a request
// path, a courier field, an error text) can add fields or lines.
// text: "<time> <level> <message>".
#ifndef AUTHD_HTTP_LOG_FORMAT_H_
#define AUTHD_HTTP_LOG_FORMAT_H_

#include <memory>

#include <spdlog/formatter.h>

namespace authd::http {

std::unique_ptr<spdlog::formatter> NewJsonLogFormatter();
std::unique_ptr<spdlog::formatter> NewTextLogFormatter();

}  // namespace authd::http

#endif  // AUTHD_HTTP_LOG_FORMAT_H_
