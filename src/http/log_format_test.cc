#include "http/log_format.h"

#include <gtest/gtest.h>
#include <spdlog/logger.h>
#include <spdlog/sinks/ostream_sink.h>

#include <boost/json.hpp>
#include <sstream>
#include <string>

namespace authd::http {
namespace {

std::string LogOnce(std::unique_ptr<spdlog::formatter> f, std::string_view message) {
  std::ostringstream os;
  auto sink = std::make_shared<spdlog::sinks::ostream_sink_st>(os);
  spdlog::logger logger("t", sink);
  logger.set_formatter(std::move(f));
  logger.info("request_id=x method=GET path={} status=200", message);
  return os.str();
}

TEST(JsonLogFormat, EveryMessageIsOneJsonObjectWithTheSameThreeFields) {
  const std::string evil = std::string("/a\",\"status\":500,\"x\":\"\\\n{\"injected\":1}\r\t\x01") +
                           "\xff\xc3(" + "\x7f";
  const std::string line = LogOnce(NewJsonLogFormatter(), evil);
  ASSERT_FALSE(line.empty());
  EXPECT_EQ(line.back(), '\n');
  EXPECT_EQ(line.find('\n'), line.size() - 1) << line;  // one line
  boost::system::error_code ec;
  boost::json::value v = boost::json::parse(line, ec);
  ASSERT_FALSE(ec) << line;
  const boost::json::object& o = v.as_object();
  ASSERT_EQ(o.size(), 3u) << line;
  EXPECT_TRUE(o.contains("time"));
  EXPECT_EQ(o.at("level").as_string(), "info");
  EXPECT_EQ(o.at("msg").as_string(),
            "request_id=x method=GET path=/a\",\"status\":500,\"x\":\"\\\n{\"injected\":1}\r\t\x01"
            "\xEF\xBF\xBD\xEF\xBF\xBD(\x7f status=200");
}

TEST(TextLogFormat, TimeLevelMessage) {
  const std::string line = LogOnce(NewTextLogFormatter(), "/p");
  EXPECT_NE(line.find("Z info request_id=x method=GET path=/p status=200"), std::string::npos)
      << line;
}

}  // namespace
}  // namespace authd::http
