#include "delivery/log_transport.h"

#include <spdlog/spdlog.h>

#include <utility>

#include "courier/message.h"

namespace authd::delivery {
namespace {

class LogTransport final : public courier::Transport {
 public:
  explicit LogTransport(std::shared_ptr<spdlog::logger> logger) : logger_(std::move(logger)) {}

  core::Status Send(const courier::OutboxMessage& m) override {
    spdlog::logger* log = logger_ ? logger_.get() : spdlog::default_logger_raw();
    if (log == nullptr) return core::Status::Ok();
    const char* channel = courier::ChannelName(m.channel);
    log->warn(
        "courier: no transport configured for {}; message NOT delivered, "
        "printed here instead: id={} to={} kind={} subject={} body={}",
        channel, QuoteForLog(m.id), QuoteForLog(m.recipient), QuoteForLog(m.kind),
        QuoteForLog(m.subject), QuoteForLog(m.body));
    return core::Status::Ok();
  }

  const char* name() const override { return "log"; }

 private:
  const std::shared_ptr<spdlog::logger> logger_;
};

}  // namespace

std::unique_ptr<courier::Transport> NewLogTransport(std::shared_ptr<spdlog::logger> logger) {
  return std::make_unique<LogTransport>(std::move(logger));
}

std::string QuoteForLog(std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out = "\"";
  out.reserve(s.size() + 2);
  for (char ch : s) {
    unsigned char c = static_cast<unsigned char>(ch);
    switch (ch) {
      case '"':
        out.append("\\\"");
        continue;
      case '\\':
        out.append("\\\\");
        continue;
      case '\n':
        out.append("\\n");
        continue;
      case '\r':
        out.append("\\r");
        continue;
      case '\t':
        out.append("\\t");
        continue;
      default:
        break;
    }
    if (c < 0x20 || c == 0x7F) {
      out.append("\\x");
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 0x0F]);
    } else {
      out.push_back(ch);
    }
  }
  out.push_back('"');
  return out;
}

}  // namespace authd::delivery
