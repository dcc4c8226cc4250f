// Log transport: the fallback when no real transport is configured for a
// channel (development). It delivers nothing: it prints the whole message,
// one-time codes included, as one warn-level log record, so a developer
// can read the code off the console, and reports success.
//
// Never configure it where real users receive codes: the log then holds
// their secrets. Thread-safety: Send may be called concurrently.
#ifndef AUTHD_DELIVERY_LOG_TRANSPORT_H_
#define AUTHD_DELIVERY_LOG_TRANSPORT_H_

#include <memory>
#include <string>
#include <string_view>

#include "courier/transport.h"

namespace spdlog {
class logger;
}  // namespace spdlog

namespace authd::delivery {

// Logs to `logger`, or to spdlog's default logger (looked up at each Send)
// when it is null.
std::unique_ptr<courier::Transport> NewLogTransport(
    std::shared_ptr<spdlog::logger> logger = nullptr);

// `s` quoted, with '"', '\\' and control characters escaped ("\n", "\x01"),
// so a message cannot forge log lines.
std::string QuoteForLog(std::string_view s);

}  // namespace authd::delivery

#endif  // AUTHD_DELIVERY_LOG_TRANSPORT_H_
