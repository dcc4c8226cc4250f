#include "crypto/hmac.h"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include "crypto/encoding.h"
#include "crypto/openssl_util.h"

namespace authd::crypto {
namespace {

using internal::Die;
using internal::U8;

// A per-thread HMAC-SHA256 context that keeps its last key. Every token
// check and refresh hashes with the same JWT secret, so re-initialising
// with the remembered key (EVP_MAC_init with a null key) skips both the
// algorithm fetch of EVP_Q_mac and the key schedule.
class ThreadHmac {
 public:
  ThreadHmac() : ctx_(internal::NewHmacContext()) {
    char digest[] = "SHA256";
    params_[0] = OSSL_PARAM_construct_utf8_string("digest", digest, 0);
    params_[1] = OSSL_PARAM_construct_end();
    if (EVP_MAC_CTX_set_params(ctx_, params_) != 1) Die("HMAC setup");
  }
  ~ThreadHmac() { EVP_MAC_CTX_free(ctx_); }
  ThreadHmac(const ThreadHmac&) = delete;
  ThreadHmac& operator=(const ThreadHmac&) = delete;

  std::string Mac(std::string_view key, std::string_view message) {
    const bool same_key = keyed_ && key == key_;
    if (EVP_MAC_init(ctx_, same_key ? nullptr : U8(key), same_key ? 0 : key.size(), nullptr) != 1) {
      Die("HMAC-SHA256");
    }
    if (!same_key) {
      key_.assign(key);
      keyed_ = true;
    }
    unsigned char out[EVP_MAX_MD_SIZE];
    std::size_t out_len = 0;
    if (EVP_MAC_update(ctx_, U8(message), message.size()) != 1 ||
        EVP_MAC_final(ctx_, out, &out_len, sizeof(out)) != 1 || out_len != 32) {
      Die("HMAC-SHA256");
    }
    return std::string(reinterpret_cast<const char*>(out), out_len);
  }

 private:
  EVP_MAC_CTX* ctx_ = nullptr;
  OSSL_PARAM params_[2];
  std::string key_;  // the key ctx_ holds; never logged
  bool keyed_ = false;
};

}  // namespace

std::string HmacSha256(std::string_view key, std::string_view message) {
  thread_local ThreadHmac hmac;
  return hmac.Mac(key, message);
}

std::string Sha256(std::string_view message) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int out_len = 0;
  if (EVP_Digest(U8(message), message.size(), out, &out_len, EVP_sha256(), nullptr) != 1 ||
      out_len != 32) {
    Die("SHA-256");
  }
  return std::string(reinterpret_cast<const char*>(out), out_len);
}

std::string HmacSha256Hex(std::string_view key, std::string_view message) {
  return HexEncode(HmacSha256(key, message));
}

std::string Sha256Hex(std::string_view message) { return HexEncode(Sha256(message)); }

bool ConstantTimeEquals(std::string_view a, std::string_view b) {
  // Lengths are public (a MAC's length is fixed); only the contents must not
  // leak through timing.
  if (a.size() != b.size()) return false;
  if (a.empty()) return true;
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace authd::crypto
