#include "qr/qr_png.h"

#include <qrencode.h>
#include <zlib.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>

#include "crypto/encoding.h"

namespace authd::qr {
namespace {

// Byte-mode capacity of the largest symbol (version 40) at level M.
constexpr std::size_t kMaxTextBytes = 2331;

struct QrCodeFree {
  void operator()(QRcode* code) const { QRcode_free(code); }
};
using QrCodePtr = std::unique_ptr<QRcode, QrCodeFree>;

core::Error TooLong() {
  return core::InvalidArgument(
      "", "text is too long for a QR code (at most " + std::to_string(kMaxTextBytes) + " bytes)");
}

core::Result<QrCodePtr> Encode(std::string_view text) {
  if (text.empty()) {
    return core::InvalidArgument("", "text for a QR code must not be empty");
  }
  if (text.size() > kMaxTextBytes) return TooLong();
  errno = 0;
  QrCodePtr code(QRcode_encodeData(static_cast<int>(text.size()),
                                   reinterpret_cast<const unsigned char*>(text.data()),
                                   /*version=*/0, QR_ECLEVEL_M));
  if (code) return code;
  const int err = errno;
  if (err == ERANGE) return TooLong();
  return core::Internal(std::string("libqrencode: QRcode_encodeData failed: ") +
                        std::strerror(err));
}

void AppendBigEndian32(std::string& out, std::uint32_t v) {
  out.push_back(static_cast<char>((v >> 24) & 0xff));
  out.push_back(static_cast<char>((v >> 16) & 0xff));
  out.push_back(static_cast<char>((v >> 8) & 0xff));
  out.push_back(static_cast<char>(v & 0xff));
}

// Length, type, data, CRC-32 of type and data (PNG spec §5.3).
void AppendChunk(std::string& out, const char (&type)[5], std::string_view data) {
  AppendBigEndian32(out, static_cast<std::uint32_t>(data.size()));
  out.append(type, 4);
  out.append(data);
  uLong crc = crc32(0L, Z_NULL, 0);
  crc = crc32(crc, reinterpret_cast<const Bytef*>(type), 4);
  crc = crc32(crc, reinterpret_cast<const Bytef*>(data.data()), static_cast<uInt>(data.size()));
  AppendBigEndian32(out, static_cast<std::uint32_t>(crc));
}

// The unfiltered scanlines of the image: per row, filter type 0 (None) and
// the pixels packed MSB first, 1 = white, 0 = black; the bits past the
// image width in the last byte are 0.
std::string Scanlines(const QRcode& code, int scale, int margin) {
  const int side = (code.width + 2 * margin) * scale;
  const std::size_t row_bytes = (static_cast<std::size_t>(side) + 7) / 8;
  std::string raw;
  raw.reserve(static_cast<std::size_t>(side) * (row_bytes + 1));
  std::string row(row_bytes + 1, '\0');
  const int modules = code.width + 2 * margin;
  for (int my = 0; my < modules; ++my) {
    row.assign(row_bytes + 1, '\0');
    const int qy = my - margin;
    for (int px = 0; px < side; ++px) {
      const int qx = px / scale - margin;
      const bool inside = qx >= 0 && qx < code.width && qy >= 0 && qy < code.width;
      const bool black = inside && (code.data[qy * code.width + qx] & 1) != 0;
      if (!black) {
        row[1 + px / 8] =
            static_cast<char>(static_cast<unsigned char>(row[1 + px / 8]) | (0x80u >> (px % 8)));
      }
    }
    for (int i = 0; i < scale; ++i) raw.append(row);
  }
  return raw;
}

core::Result<std::string> Deflate(const std::string& raw) {
  uLongf size = compressBound(static_cast<uLong>(raw.size()));
  std::string out(size, '\0');
  const int rc = compress2(reinterpret_cast<Bytef*>(out.data()), &size,
                           reinterpret_cast<const Bytef*>(raw.data()),
                           static_cast<uLong>(raw.size()), Z_BEST_COMPRESSION);
  if (rc != Z_OK) {
    return core::Internal("zlib: compress2 failed with code " + std::to_string(rc));
  }
  out.resize(size);
  return out;
}

}  // namespace

core::Result<std::string> QrPng(std::string_view text, int scale, int margin) {
  if (scale < 1 || scale > kMaxScale || margin < 0 || margin > kMaxMargin) {
    return core::InvalidArgument("", "QR code scale or margin out of range");
  }
  auto code = Encode(text);
  if (!code.ok()) return code.error();
  auto idat = Deflate(Scanlines(**code, scale, margin));
  if (!idat.ok()) return idat.error();

  const auto side = static_cast<std::uint32_t>(((*code)->width + 2 * margin) * scale);
  std::string ihdr;
  AppendBigEndian32(ihdr, side);  // width
  AppendBigEndian32(ihdr, side);  // height
  ihdr.push_back(1);              // bit depth
  ihdr.push_back(0);              // colour type: grayscale
  ihdr.push_back(0);              // compression: deflate
  ihdr.push_back(0);              // filter method: adaptive (every row uses None)
  ihdr.push_back(0);              // interlace: none

  std::string png("\x89PNG\r\n\x1a\n", 8);
  AppendChunk(png, "IHDR", ihdr);
  AppendChunk(png, "IDAT", *idat);
  AppendChunk(png, "IEND", "");
  return png;
}

core::Result<std::string> QrPngDataUrl(std::string_view text) {
  auto png = QrPng(text);
  if (!png.ok()) return png.error();
  return "data:image/png;base64," + crypto::Base64Encode(*png);
}

}  // namespace authd::qr
