#include "delivery/log_transport.h"

#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <memory>
#include <sstream>
#include <string>

#include "courier/message.h"

namespace authd::delivery {
namespace {

TEST(QuoteForLog, EscapesQuotesAndControls) {
  EXPECT_EQ(QuoteForLog("a \"b\"\\\n\r\t\x01"), "\"a \\\"b\\\"\\\\\\n\\r\\t\\x01\"");
  EXPECT_EQ(QuoteForLog("Gr\xC3\xBC\xC3\x9F"
                        "e"),
            "\"Gr\xC3\xBC\xC3\x9F"
            "e\"");
}

TEST(LogTransport, PrintsTheMessageAtWarnAndSucceeds) {
  std::ostringstream out;
  auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(out);
  auto logger = std::make_shared<spdlog::logger>("courier_test", sink);
  logger->set_pattern("%l %v");
  auto transport = NewLogTransport(logger);
  EXPECT_STREQ(transport->name(), "log");

  courier::OutboxMessage m;
  m.id = "m-1";
  m.channel = courier::Channel::kEmail;
  m.recipient = "ada@example.com";
  m.kind = "password_reset";
  m.subject = "Your Acme code";
  m.body = "Hello,\n\n123456\n";
  ASSERT_TRUE(transport->Send(m).ok());
  logger->flush();

  std::string line = out.str();
  EXPECT_EQ(line.rfind("warning courier: no transport configured for email; "
                       "message NOT delivered, printed here instead: ",
                       0),
            0u)
      << line;
  EXPECT_NE(line.find("to=\"ada@example.com\""), std::string::npos);
  EXPECT_NE(line.find("kind=\"password_reset\""), std::string::npos);
  EXPECT_NE(line.find("subject=\"Your Acme code\""), std::string::npos);
  EXPECT_NE(line.find("body=\"Hello,\\n\\n123456\\n\""), std::string::npos);
  EXPECT_EQ(line.find('\n'), line.size() - 1);  // one record, one line
}

}  // namespace
}  // namespace authd::delivery
