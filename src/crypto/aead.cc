#include "crypto/aead.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <climits>
#include <cstring>
#include <memory>

#include "crypto/encoding.h"
#include "crypto/hmac.h"
#include "crypto/openssl_util.h"

namespace authd::crypto {
namespace {

using internal::Die;
using internal::U8;

constexpr std::string_view kPrefix = "v1.";
constexpr std::size_t kNonceBytes = 12;
constexpr std::size_t kTagBytes = 16;

// OpenSSL takes int lengths.
bool FitsInt(std::string_view s) { return s.size() <= static_cast<std::size_t>(INT_MAX); }

const EVP_CIPHER* Aes256Gcm() {
  static EVP_CIPHER* cipher = EVP_CIPHER_fetch(nullptr, "AES-256-GCM", nullptr);  // never freed
  if (cipher == nullptr) Die("AES-256-GCM fetch");
  return cipher;
}

struct CtxFree {
  void operator()(EVP_CIPHER_CTX* ctx) const { EVP_CIPHER_CTX_free(ctx); }
};
using CipherCtx = std::unique_ptr<EVP_CIPHER_CTX, CtxFree>;

CipherCtx NewCtx() {
  CipherCtx ctx(EVP_CIPHER_CTX_new());
  if (!ctx) Die("EVP_CIPHER_CTX_new");
  return ctx;
}

}  // namespace

namespace internal {

std::string SealWithNonce(std::string_view key32, std::string_view nonce12,
                          std::string_view plaintext, std::string_view aad) {
  if (key32.size() != kAeadKeyBytes || nonce12.size() != kNonceBytes || !FitsInt(plaintext) ||
      !FitsInt(aad)) {
    return {};
  }
  // nonce || ciphertext (same length as plaintext in GCM) || tag
  std::string raw(kNonceBytes + plaintext.size() + kTagBytes, '\0');
  std::memcpy(raw.data(), nonce12.data(), kNonceBytes);
  auto* ct = reinterpret_cast<unsigned char*>(raw.data()) + kNonceBytes;
  CipherCtx ctx = NewCtx();
  int len = 0;
  if (EVP_EncryptInit_ex2(ctx.get(), Aes256Gcm(), U8(key32), U8(nonce12), nullptr) != 1 ||
      (!aad.empty() &&
       EVP_EncryptUpdate(ctx.get(), nullptr, &len, U8(aad), static_cast<int>(aad.size())) != 1)) {
    Die("AES-256-GCM seal");
  }
  int total = 0;
  if (!plaintext.empty()) {
    if (EVP_EncryptUpdate(ctx.get(), ct, &len, U8(plaintext), static_cast<int>(plaintext.size())) !=
        1) {
      Die("AES-256-GCM seal");
    }
    total = len;
  }
  if (EVP_EncryptFinal_ex(ctx.get(), ct + total, &len) != 1 ||
      static_cast<std::size_t>(total) + static_cast<std::size_t>(len) != plaintext.size() ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_AEAD_GET_TAG, static_cast<int>(kTagBytes),
                          ct + plaintext.size()) != 1) {
    Die("AES-256-GCM seal");
  }
  std::string out(kPrefix);
  out.append(Base64UrlEncode(raw));
  return out;
}

}  // namespace internal

std::string Seal(std::string_view key32, std::string_view plaintext, std::string_view aad,
                 SecureRandom& random) {
  if (key32.size() != kAeadKeyBytes) return {};
  char nonce[kNonceBytes];
  random.Fill(nonce, sizeof(nonce));
  return internal::SealWithNonce(key32, std::string_view(nonce, sizeof(nonce)), plaintext, aad);
}

std::optional<std::string> Open(std::string_view key32, std::string_view sealed,
                                std::string_view aad) {
  if (key32.size() != kAeadKeyBytes || !sealed.starts_with(kPrefix) || !FitsInt(aad)) {
    return std::nullopt;
  }
  const std::optional<std::string> raw = Base64UrlDecode(sealed.substr(kPrefix.size()));
  if (!raw || raw->size() < kNonceBytes + kTagBytes) return std::nullopt;
  const std::string_view bytes(*raw);
  const std::string_view nonce = bytes.substr(0, kNonceBytes);
  const std::string_view ciphertext =
      bytes.substr(kNonceBytes, bytes.size() - kNonceBytes - kTagBytes);
  unsigned char tag[kTagBytes];
  std::memcpy(tag, bytes.data() + bytes.size() - kTagBytes, kTagBytes);
  if (!FitsInt(ciphertext)) return std::nullopt;

  std::string plain(ciphertext.size(), '\0');
  auto* out = reinterpret_cast<unsigned char*>(plain.data());
  CipherCtx ctx = NewCtx();
  int len = 0;
  if (EVP_DecryptInit_ex2(ctx.get(), Aes256Gcm(), U8(key32), U8(nonce), nullptr) != 1 ||
      (!aad.empty() &&
       EVP_DecryptUpdate(ctx.get(), nullptr, &len, U8(aad), static_cast<int>(aad.size())) != 1)) {
    Die("AES-256-GCM open");
  }
  int total = 0;
  if (!ciphertext.empty()) {
    if (EVP_DecryptUpdate(ctx.get(), out, &len, U8(ciphertext),
                          static_cast<int>(ciphertext.size())) != 1) {
      Die("AES-256-GCM open");
    }
    total = len;
  }
  if (EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_AEAD_SET_TAG, static_cast<int>(kTagBytes), tag) !=
      1) {
    Die("AES-256-GCM open");
  }
  // Final verifies the tag; until it succeeds `plain` is unauthenticated and
  // must not escape (not even in freed memory).
  if (EVP_DecryptFinal_ex(ctx.get(), out + total, &len) != 1 ||
      static_cast<std::size_t>(total) + static_cast<std::size_t>(len) != plain.size()) {
    OPENSSL_cleanse(plain.data(), plain.size());
    return std::nullopt;
  }
  return plain;
}

std::string DeriveKey(std::string_view secret, std::string_view purpose) {
  std::string label("authd/");
  label.append(purpose);
  return HmacSha256(secret, label);
}

}  // namespace authd::crypto
