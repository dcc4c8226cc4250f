#include "crypto/json_scan.h"

#include <cstdint>
#include <set>

namespace authd::crypto::internal {
namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

void AppendUtf8(std::uint32_t cp, std::string* out) {
  if (cp < 0x80) {
    out->push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out->push_back(static_cast<char>(0xc0 | (cp >> 6)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3f)));
  } else if (cp < 0x10000) {
    out->push_back(static_cast<char>(0xe0 | (cp >> 12)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3f)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3f)));
  } else {
    out->push_back(static_cast<char>(0xf0 | (cp >> 18)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3f)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3f)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3f)));
  }
}

// Recursive-descent scanner. Every read goes through Peek()/pos_ < size
// checks, and recursion is bounded by kMaxJsonDepth.
class Scanner {
 public:
  explicit Scanner(std::string_view text) : text_(text) {}

  std::optional<std::vector<JsonMember>> ScanTopLevel() {
    std::vector<JsonMember> members;
    std::set<std::string, std::less<>> seen;
    SkipWhitespace();
    if (!Consume('{')) return std::nullopt;
    SkipWhitespace();
    if (!Consume('}')) {
      while (true) {
        JsonMember m;
        if (!ParseString(&m.key)) return std::nullopt;
        if (!seen.insert(m.key).second) return std::nullopt;  // duplicate
        SkipWhitespace();
        if (!Consume(':')) return std::nullopt;
        SkipWhitespace();
        if (!ParseValue(/*depth=*/2, &m.kind, &m.value)) return std::nullopt;
        members.push_back(std::move(m));
        SkipWhitespace();
        if (Consume('}')) break;
        if (!Consume(',')) return std::nullopt;
        SkipWhitespace();
      }
    }
    SkipWhitespace();
    if (pos_ != text_.size()) return std::nullopt;  // trailing data
    return members;
  }

 private:
  bool AtEnd() const { return pos_ >= text_.size(); }
  char Peek() const { return AtEnd() ? '\0' : text_[pos_]; }
  bool Consume(char c) {
    if (AtEnd() || text_[pos_] != c) return false;
    ++pos_;
    return true;
  }
  void SkipWhitespace() {
    while (!AtEnd()) {
      const char c = text_[pos_];
      if (c != ' ' && c != '\t' && c != '\n' && c != '\r') return;
      ++pos_;
    }
  }

  // `depth` is the depth a container starting here would have. For strings
  // and numbers `out` receives the decoded string / literal text.
  bool ParseValue(int depth, JsonKind* kind, std::string* out) {
    switch (Peek()) {
      case '"':
        *kind = JsonKind::kString;
        return ParseString(out);
      case '{':
        *kind = JsonKind::kObject;
        return ParseObject(depth);
      case '[':
        *kind = JsonKind::kArray;
        return ParseArray(depth);
      case 't':
        *kind = JsonKind::kTrue;
        return ConsumeLiteral("true");
      case 'f':
        *kind = JsonKind::kFalse;
        return ConsumeLiteral("false");
      case 'n':
        *kind = JsonKind::kNull;
        return ConsumeLiteral("null");
      default:
        *kind = JsonKind::kNumber;
        return ParseNumber(out);
    }
  }

  // Nested values are validated but not kept.
  bool ParseNestedValue(int depth) {
    JsonKind kind;
    return ParseValue(depth, &kind, nullptr);
  }

  bool ParseObject(int depth) {
    if (depth > kMaxJsonDepth || !Consume('{')) return false;
    SkipWhitespace();
    if (Consume('}')) return true;
    while (true) {
      if (!ParseString(nullptr)) return false;
      SkipWhitespace();
      if (!Consume(':')) return false;
      SkipWhitespace();
      if (!ParseNestedValue(depth + 1)) return false;
      SkipWhitespace();
      if (Consume('}')) return true;
      if (!Consume(',')) return false;
      SkipWhitespace();
    }
  }

  bool ParseArray(int depth) {
    if (depth > kMaxJsonDepth || !Consume('[')) return false;
    SkipWhitespace();
    if (Consume(']')) return true;
    while (true) {
      if (!ParseNestedValue(depth + 1)) return false;
      SkipWhitespace();
      if (Consume(']')) return true;
      if (!Consume(',')) return false;
      SkipWhitespace();
    }
  }

  bool ConsumeLiteral(std::string_view literal) {
    if (text_.substr(pos_, literal.size()) != literal) return false;
    pos_ += literal.size();
    return true;
  }

  // -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
  bool ParseNumber(std::string* out) {
    const std::size_t start = pos_;
    Consume('-');
    if (Consume('0')) {
      // A leading zero stands alone.
    } else if (IsDigit(Peek())) {
      while (IsDigit(Peek())) ++pos_;
    } else {
      return false;
    }
    if (Consume('.')) {
      if (!IsDigit(Peek())) return false;
      while (IsDigit(Peek())) ++pos_;
    }
    if (Peek() == 'e' || Peek() == 'E') {
      ++pos_;
      if (Peek() == '+' || Peek() == '-') ++pos_;
      if (!IsDigit(Peek())) return false;
      while (IsDigit(Peek())) ++pos_;
    }
    if (out != nullptr) out->assign(text_.substr(start, pos_ - start));
    return true;
  }

  // Reads exactly four hex digits after "\u".
  bool ParseHex4(std::uint32_t* value) {
    if (text_.size() - pos_ < 4) return false;
    std::uint32_t v = 0;
    for (std::size_t i = 0; i < 4; ++i) {
      const int h = HexValue(text_[pos_ + i]);
      if (h < 0) return false;
      v = (v << 4) | static_cast<std::uint32_t>(h);
    }
    pos_ += 4;
    *value = v;
    return true;
  }

  // After the backslash. A high surrogate must be followed by an escaped low
  // surrogate; lone surrogates are not Unicode scalar values.
  bool ParseEscape(std::string* out) {
    if (AtEnd()) return false;
    const char c = text_[pos_++];
    char simple = 0;
    switch (c) {
      case '"':
        simple = '"';
        break;
      case '\\':
        simple = '\\';
        break;
      case '/':
        simple = '/';
        break;
      case 'b':
        simple = '\b';
        break;
      case 'f':
        simple = '\f';
        break;
      case 'n':
        simple = '\n';
        break;
      case 'r':
        simple = '\r';
        break;
      case 't':
        simple = '\t';
        break;
      case 'u':
        break;
      default:
        return false;
    }
    if (c != 'u') {
      if (out != nullptr) out->push_back(simple);
      return true;
    }
    std::uint32_t cp = 0;
    if (!ParseHex4(&cp)) return false;
    if (cp >= 0xdc00 && cp <= 0xdfff) return false;
    if (cp >= 0xd800 && cp <= 0xdbff) {
      std::uint32_t low = 0;
      if (!ConsumeLiteral("\\u") || !ParseHex4(&low)) return false;
      if (low < 0xdc00 || low > 0xdfff) return false;
      cp = 0x10000 + ((cp - 0xd800) << 10) + (low - 0xdc00);
    }
    if (out != nullptr) AppendUtf8(cp, out);
    return true;
  }

  // Validates one multi-byte UTF-8 sequence whose lead byte is at pos_
  // (Unicode 15 table 3-7: no overlongs, no surrogates, <= U+10FFFF).
  bool ParseUtf8Sequence(std::string* out) {
    const auto lead = static_cast<unsigned char>(text_[pos_]);
    std::size_t trail = 0;
    unsigned char lo = 0x80, hi = 0xbf;  // bounds for the second byte
    if (lead >= 0xc2 && lead <= 0xdf) {
      trail = 1;
    } else if (lead >= 0xe0 && lead <= 0xef) {
      trail = 2;
      if (lead == 0xe0) lo = 0xa0;
      if (lead == 0xed) hi = 0x9f;
    } else if (lead >= 0xf0 && lead <= 0xf4) {
      trail = 3;
      if (lead == 0xf0) lo = 0x90;
      if (lead == 0xf4) hi = 0x8f;
    } else {
      return false;
    }
    if (text_.size() - pos_ <= trail) return false;
    for (std::size_t i = 1; i <= trail; ++i) {
      const auto b = static_cast<unsigned char>(text_[pos_ + i]);
      const unsigned char min = i == 1 ? lo : 0x80;
      const unsigned char max = i == 1 ? hi : 0xbf;
      if (b < min || b > max) return false;
    }
    if (out != nullptr) out->append(text_.substr(pos_, trail + 1));
    pos_ += trail + 1;
    return true;
  }

  bool ParseString(std::string* out) {
    if (!Consume('"')) return false;
    if (out != nullptr) out->clear();
    while (!AtEnd()) {
      const auto c = static_cast<unsigned char>(text_[pos_]);
      if (c == '"') {
        ++pos_;
        return true;
      }
      if (c < 0x20) return false;  // raw control characters must be escaped
      if (c == '\\') {
        ++pos_;
        if (!ParseEscape(out)) return false;
      } else if (c < 0x80) {
        if (out != nullptr) out->push_back(static_cast<char>(c));
        ++pos_;
      } else if (!ParseUtf8Sequence(out)) {
        return false;
      }
    }
    return false;  // unterminated
  }

  std::string_view text_;
  std::size_t pos_ = 0;
};

}  // namespace

std::optional<std::vector<JsonMember>> ScanJsonObject(std::string_view text) {
  return Scanner(text).ScanTopLevel();
}

}  // namespace authd::crypto::internal
