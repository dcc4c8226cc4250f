#include "http/message.h"

#include <string>

#include <gtest/gtest.h>

namespace authd::http {
namespace {

TEST(Message, NotFoundBodyEscapesTheTarget) {
  Request r;
  r.method = "GET";
  r.target = "/a\"b\\c?x=1";
  EXPECT_EQ(RouteNotFound(r).body,
            R"({"message":"Cannot GET /a\"b\\c?x=1","error":"Not Found","statusCode":404})");
}

TEST(Message, SetRequestLineSplitsWithoutDecoding) {
  Request r;
  SetRequestLine("get", "http://host:80/a%20b?q=%20", r);
  EXPECT_EQ(r.method, "GET");
  EXPECT_EQ(r.path, "/a%20b");
  EXPECT_EQ(r.query, "q=%20");
  SetRequestLine("GET", "/bad%zz/%E2%82", r);
  EXPECT_EQ(r.path, "/bad%zz/%E2%82");  // malformed: kept raw
  EXPECT_EQ(r.query, "");
  EXPECT_EQ(RawPath("/p%20?token=x"), "/p%20");
}

// Drops the (clock-dependent) Date line after checking it is there.
std::string WithoutDate(std::string head) {
  std::size_t at = head.find("\r\nDate: ");
  EXPECT_NE(at, std::string::npos) << head;
  if (at == std::string::npos) return head;
  std::size_t end = head.find("\r\n", at + 2);
  EXPECT_EQ(end - at, 2 + 6 + 29u) << head;  // "Date: " + IMF-fixdate
  return head.erase(at, end - at);
}

TEST(Message, ResponseHeadDropsFramingAndSplitHeaders) {
  Response r;
  r.status = 201;
  r.body = "{}";
  r.AddHeader("Content-Length", "99");
  r.AddHeader("X-Evil", "a\r\nSet-Cookie: x=1");
  r.AddHeader("Set-Cookie", "a=1");
  std::string head;
  SerializeResponseHead(r, "rid", true, 5, head);
  head = WithoutDate(head);
  EXPECT_EQ(head,
            "HTTP/1.1 201 Created\r\n"
            "Content-Type: application/json; charset=utf-8\r\n"
            "Set-Cookie: a=1\r\n"
            "Content-Length: 2\r\n"
            "X-Request-Id: rid\r\n"
            "Connection: keep-alive\r\nKeep-Alive: timeout=5\r\n\r\n");
  r.status = 204;
  r.headers.clear();
  SerializeResponseHead(r, "rid", false, 5, head);
  head = WithoutDate(head);
  EXPECT_EQ(head,
            "HTTP/1.1 204 No Content\r\nX-Request-Id: rid\r\n"
            "Connection: close\r\n\r\n");
}

}  // namespace
}  // namespace authd::http
