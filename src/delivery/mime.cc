#include "delivery/mime.h"

#include <algorithm>

#include "crypto/encoding.h"

namespace authd::delivery {
namespace {

constexpr std::size_t kMaxLine = 78;       // RFC 5322 §2.1.1 SHOULD
constexpr std::size_t kMaxWordBytes = 45;  // 60 base64 chars: 75-char words
constexpr std::size_t kMaxQpLine = 76;     // RFC 2045 §6.7 (5)

bool IsUtf8Continuation(unsigned char c) { return (c & 0xC0) == 0x80; }

void AppendHex(std::string& out, unsigned char c) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  out.push_back('=');
  out.push_back(kHex[c >> 4]);
  out.push_back(kHex[c & 0x0F]);
}

// Appends one CRLF-less line of quoted-printable, with soft breaks.
void AppendQpLine(std::string& out, std::string_view line) {
  std::size_t column = 0;
  for (std::size_t i = 0; i < line.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(line[i]);
    bool blank = c == ' ' || c == '\t';
    bool last = i + 1 == line.size();
    bool literal = (c >= 33 && c <= 126 && c != '=') || (blank && !last);
    std::size_t width = literal ? 1 : 3;
    if (column + width > kMaxQpLine - 1) {  // room for the '=' of a soft break
      out.append("=\r\n");
      column = 0;
    }
    if (literal) {
      out.push_back(static_cast<char>(c));
    } else {
      AppendHex(out, c);
    }
    column += width;
  }
  out.append("\r\n");
}

}  // namespace

bool IsPlainHeaderText(std::string_view text) {
  for (char ch : text) {
    unsigned char c = static_cast<unsigned char>(ch);
    if ((c < 0x20 && c != '\t') || c >= 0x7F) return false;
  }
  return text.find("=?") == std::string_view::npos;
}

std::string EncodeWords(std::string_view text) {
  std::string out;
  std::size_t pos = 0;
  while (pos < text.size()) {
    std::size_t n = std::min(kMaxWordBytes, text.size() - pos);
    // Back off so the next word does not start inside a UTF-8 sequence.
    while (n > 1 && pos + n < text.size() &&
           IsUtf8Continuation(static_cast<unsigned char>(text[pos + n]))) {
      --n;
    }
    if (!out.empty()) out.append("\r\n ");
    out.append("=?UTF-8?B?");
    out.append(crypto::Base64Encode(text.substr(pos, n)));
    out.append("?=");
    pos += n;
  }
  return out;
}

std::string FoldAtSpaces(std::string_view text, std::size_t used) {
  std::string out;
  std::size_t column = used;
  std::size_t pos = 0;
  bool first = true;
  while (true) {
    std::size_t space = text.find(' ', pos);
    std::string_view word =
        text.substr(pos, space == std::string_view::npos ? std::string_view::npos : space - pos);
    if (!first) {
      // Fold before a non-empty word that would overflow the line; an
      // empty one (two spaces) never starts a whitespace-only line.
      if (!word.empty() && column + 1 + word.size() > kMaxLine) {
        out.append("\r\n ");
        column = 1;
      } else {
        out.push_back(' ');
        ++column;
      }
    }
    out.append(word);
    column += word.size();
    first = false;
    if (space == std::string_view::npos) break;
    pos = space + 1;
  }
  return out;
}

std::string ToCrlf(std::string_view text) {
  std::string out;
  out.reserve(text.size() + text.size() / 32 + 2);
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '\r') {
      if (i + 1 < text.size() && text[i + 1] == '\n') ++i;
      out.append("\r\n");
    } else if (c == '\n') {
      out.append("\r\n");
    } else {
      out.push_back(c);
    }
  }
  if (!out.empty() && !out.ends_with("\r\n")) out.append("\r\n");
  return out;
}

bool Is7Bit(std::string_view crlf_text) {
  std::size_t line_start = 0;
  for (std::size_t i = 0; i < crlf_text.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(crlf_text[i]);
    if (c == 0 || c >= 0x80) return false;
    if (c == '\n') {
      if (i - line_start > 999) return false;  // 998 + the CR
      line_start = i + 1;
    }
  }
  return crlf_text.size() - line_start <= 998;
}

std::string QuotedPrintable(std::string_view crlf_text) {
  std::string out;
  out.reserve(crlf_text.size() + crlf_text.size() / 8);
  std::size_t pos = 0;
  while (pos < crlf_text.size()) {
    std::size_t end = crlf_text.find("\r\n", pos);
    if (end == std::string_view::npos) {
      AppendQpLine(out, crlf_text.substr(pos));
      break;
    }
    AppendQpLine(out, crlf_text.substr(pos, end - pos));
    pos = end + 2;
  }
  return out;
}

}  // namespace authd::delivery
