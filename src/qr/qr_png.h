// QR code images for TOTP enrollment: the otpauth:// URL as a PNG, and as
// the `data:image/png;base64,...` URL the reference answers in `qrCode`.
//
// Encoding: libqrencode, the whole text as one 8-bit (byte mode) segment, so
// every byte ('@', '?', '&', UTF-8, NUL) is carried exactly; error correction
// level M and the smallest version that fits, as node-qrcode's defaults.
// The mask is libqrencode's choice, so the symbol may differ in its modules
// from node-qrcode's (which also splits the text into mixed-mode segments)
// while decoding to the same text.
//
// Image: 1-bit grayscale, non-interlaced; each module is a scale x scale
// square, black on white, inside a white quiet zone of `margin` modules.
// Thread-safety: stateless; safe to call concurrently (libqrencode is built
// with pthreads).
#ifndef AUTHD_QR_QR_PNG_H_
#define AUTHD_QR_QR_PNG_H_

#include <string>
#include <string_view>

#include "core/status.h"

namespace authd::qr {

// Upper bounds of the arguments of QrPng; larger ones are kInvalidArgument.
inline constexpr int kMaxScale = 16;
inline constexpr int kMaxMargin = 16;

// The PNG file bytes of the QR code of `text`: scale pixels per module
// (1..kMaxScale), a quiet zone of margin modules (0..kMaxMargin).
// Errors: kInvalidArgument for empty text, text too long for a version 40-M
// symbol (more than 2331 bytes) or out-of-range scale/margin; kInternal if
// libqrencode or zlib fail otherwise (e.g. out of memory).
core::Result<std::string> QrPng(std::string_view text, int scale = 4, int margin = 4);

// "data:image/png;base64," + standard padded base64 of QrPng(text) with the
// default scale and margin. Same errors as QrPng.
core::Result<std::string> QrPngDataUrl(std::string_view text);

}  // namespace authd::qr

#endif  // AUTHD_QR_QR_PNG_H_
