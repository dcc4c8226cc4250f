// MIME encodings for plain-text e-mail: RFC 2047 encoded words for header
// text, RFC 2045 quoted-printable for bodies, and the CRLF line endings
// SMTP requires. Pure functions; thread-safe.
#ifndef AUTHD_DELIVERY_MIME_H_
#define AUTHD_DELIVERY_MIME_H_

#include <string>
#include <string_view>

namespace authd::delivery {

// True if `text` can go into a header as is: printable ASCII and blanks
// only, and no "=?" a reader could mistake for an encoded word.
bool IsPlainHeaderText(std::string_view text);

// `text` as "=?UTF-8?B?...?=" words of at most 75 characters, joined by
// CRLF + space (a folded header line). Never splits a UTF-8 sequence.
std::string EncodeWords(std::string_view text);

// Plain ASCII `text` folded at spaces so that lines stay within 78
// characters where words allow; `used` is what precedes it on the first
// line ("Subject: " = 9).
std::string FoldAtSpaces(std::string_view text, std::size_t used);

// `text` with every CRLF, lone CR and lone LF turned into CRLF, and a
// final CRLF added if missing (an empty text stays empty).
std::string ToCrlf(std::string_view text);

// True if CRLF-ended `text` is valid as 7bit: ASCII without NUL, and no
// line longer than 998 bytes.
bool Is7Bit(std::string_view crlf_text);

// Quoted-printable of CRLF-ended `text` (RFC 2045 §6.7): lines of at most
// 76 characters, soft breaks "=\r\n", '=' and non-ASCII as =XX, blanks
// before a line end encoded.
std::string QuotedPrintable(std::string_view crlf_text);

}  // namespace authd::delivery

#endif  // AUTHD_DELIVERY_MIME_H_
