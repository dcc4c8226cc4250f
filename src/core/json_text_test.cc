#include "core/json_text.h"

#include <gtest/gtest.h>

namespace authd::core {
namespace {

TEST(JsonTextTest, EscapesQuotesControlsAndBackslashes) {
  std::string out;
  AppendJsonString(out, std::string("a\"b\\c\n\x01\x1f", 8));
  EXPECT_EQ(out, R"("a\"b\\c\n\u0001\u001f")");
}

TEST(JsonTextTest, KeepsValidUtf8AndReplacesInvalidBytes) {
  std::string out;
  AppendJsonString(out, "caf\xC3\xA9 \xF0\x9F\x94\x91");
  EXPECT_EQ(out, "\"caf\xC3\xA9 \xF0\x9F\x94\x91\"");
  out.clear();
  // A lone continuation byte, an overlong '/', a UTF-16 surrogate.
  AppendJsonString(out, "a\x80 \xC0\xAF \xED\xA0\x80");
  EXPECT_EQ(out, "\"a\xEF\xBF\xBD \xEF\xBF\xBD\xEF\xBF\xBD \xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\"");
}

TEST(JsonTextTest, WritesNestedDocumentsWithCommasInTheRightPlaces) {
  JsonWriter w;
  w.BeginObject()
      .Key("id")
      .String("x")
      .Key("n")
      .Int(-42)
      .Key("ok")
      .Bool(true)
      .Key("none")
      .Null()
      .Key("data")
      .BeginObject()
      .Key("a")
      .Raw("[1,2]")
      .Key("b")
      .BeginArray()
      .String("p")
      .Int(1)
      .EndArray()
      .EndObject()
      .Key("empty")
      .BeginObject()
      .EndObject()
      .EndObject();
  EXPECT_EQ(
      w.str(),
      R"({"id":"x","n":-42,"ok":true,"none":null,"data":{"a":[1,2],"b":["p",1]},"empty":{}})");
}

}  // namespace
}  // namespace authd::core
