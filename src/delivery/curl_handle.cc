#include "delivery/curl_handle.h"

#include <mutex>

namespace authd::delivery {

void EnsureCurlGlobalInit() {
  static std::once_flag once;
  // A failure here resurfaces as curl_easy_init returning null.
  std::call_once(once, [] { (void)curl_global_init(CURL_GLOBAL_DEFAULT); });
}

CurlEasy NewCurlEasy() {
  EnsureCurlGlobalInit();
  return CurlEasy(curl_easy_init());
}

bool SlistAppend(CurlSlist& list, const std::string& item) {
  curl_slist* grown = curl_slist_append(list.get(), item.c_str());
  if (grown == nullptr) return false;
  (void)list.release();  // `grown` is the same list, now one longer
  list.reset(grown);
  return true;
}

std::string CurlErrorText(std::string_view what, CURLcode rc, const char* error_buffer,
                          long reply) {
  std::string text(what);
  text.append(": ");
  text.append(curl_easy_strerror(rc));
  if (error_buffer != nullptr && error_buffer[0] != '\0') {
    text.append(": ");
    text.append(error_buffer);
  }
  if (reply != 0) {
    text.append(" (reply ");
    text.append(std::to_string(reply));
    text.push_back(')');
  }
  return text;
}

}  // namespace authd::delivery
