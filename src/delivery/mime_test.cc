#include "delivery/mime.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <optional>
#include <string>

#include "crypto/encoding.h"

namespace authd::delivery {
namespace {

// Standard base64 (with padding) decoded via the strict base64url decoder.
std::optional<std::string> Base64Decode(std::string s) {
  std::replace(s.begin(), s.end(), '+', '-');
  std::replace(s.begin(), s.end(), '/', '_');
  while (!s.empty() && s.back() == '=') s.pop_back();
  return crypto::Base64UrlDecode(s);
}

// Decodes "=?UTF-8?B?...?=" words joined by CRLF + space.
std::string DecodeWords(const std::string& encoded) {
  std::string out;
  std::size_t pos = 0;
  while (pos < encoded.size()) {
    std::size_t end = encoded.find("\r\n ", pos);
    std::string word =
        encoded.substr(pos, end == std::string::npos ? std::string::npos : end - pos);
    EXPECT_LE(word.size(), 75u);
    EXPECT_EQ(word.rfind("=?UTF-8?B?", 0), 0u) << word;
    EXPECT_TRUE(word.ends_with("?="));
    std::optional<std::string> bytes = Base64Decode(word.substr(10, word.size() - 12));
    EXPECT_TRUE(bytes.has_value()) << word;
    if (bytes) {
      // No word starts inside a UTF-8 sequence.
      EXPECT_FALSE(!bytes->empty() && (static_cast<unsigned char>((*bytes)[0]) & 0xC0) == 0x80);
      out += *bytes;
    }
    if (end == std::string::npos) break;
    pos = end + 3;
  }
  return out;
}

TEST(Mime, PlainHeaderText) {
  EXPECT_TRUE(IsPlainHeaderText("Your Acme code\tis here"));
  EXPECT_FALSE(IsPlainHeaderText("Caf\xC3\xA9"));
  EXPECT_FALSE(IsPlainHeaderText("a\r\nb"));
  EXPECT_FALSE(IsPlainHeaderText("looks =?like?= a word"));
}

TEST(Mime, EncodeWordsShort) { EXPECT_EQ(EncodeWords("Caf\xC3\xA9"), "=?UTF-8?B?Q2Fmw6k=?="); }

TEST(Mime, EncodeWordsSplitsLongTextOnCharacterBoundaries) {
  std::string text;
  for (int i = 0; i < 40; ++i) text += "\xE2\x9C\x93 ok ";  // U+2713, 3 bytes
  std::string encoded = EncodeWords(text);
  EXPECT_GT(std::count(encoded.begin(), encoded.end(), '\n'), 2);
  EXPECT_EQ(DecodeWords(encoded), text);
}

TEST(Mime, FoldAtSpaces) {
  EXPECT_EQ(FoldAtSpaces("short subject", 9), "short subject");
  std::string words;
  for (int i = 0; i < 20; ++i) words.append("word").append(std::to_string(i)).append(" ");
  words.pop_back();
  std::string folded = FoldAtSpaces(words, 9);
  std::string unfolded = folded;
  for (std::size_t p; (p = unfolded.find("\r\n")) != std::string::npos;) unfolded.erase(p, 2);
  EXPECT_EQ(unfolded, words);
  std::size_t first = folded.find("\r\n");
  ASSERT_NE(first, std::string::npos);
  EXPECT_LE(first + 9, 78u);
}

TEST(Mime, ToCrlfNormalisesEveryLineEnding) {
  EXPECT_EQ(ToCrlf("a\nb\r\nc\rd"), "a\r\nb\r\nc\r\nd\r\n");
  EXPECT_EQ(ToCrlf("a\r\n"), "a\r\n");
  EXPECT_EQ(ToCrlf(""), "");
}

TEST(Mime, Is7Bit) {
  EXPECT_TRUE(Is7Bit("plain\r\ntext\r\n"));
  EXPECT_FALSE(Is7Bit("\xC3\xA9\r\n"));
  EXPECT_FALSE(Is7Bit(std::string("a\0b\r\n", 5)));
  EXPECT_TRUE(Is7Bit(std::string(998, 'x') + "\r\n"));
  EXPECT_FALSE(Is7Bit(std::string(999, 'x') + "\r\n"));
}

TEST(Mime, QuotedPrintable) {
  EXPECT_EQ(QuotedPrintable("\xC3\x9C"
                            "ber a=b \r\nend\t\r\n"),
            "=C3=9Cber a=3Db=20\r\nend=09\r\n");
  std::string long_line(200, 'x');
  std::string qp = QuotedPrintable(long_line + "\r\n");
  std::size_t pos = 0;
  std::string joined;
  while (pos < qp.size()) {
    std::size_t end = qp.find("\r\n", pos);
    std::string line = qp.substr(pos, end - pos);
    EXPECT_LE(line.size(), 76u);
    if (line.ends_with("=")) line.pop_back();
    joined += line;
    pos = end + 2;
  }
  EXPECT_EQ(joined, long_line);
}

}  // namespace
}  // namespace authd::delivery
