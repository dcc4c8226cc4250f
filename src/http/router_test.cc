#include "http/router.h"

#include <gtest/gtest.h>

namespace authd::http {
namespace {

TEST(Router, ExactMatchOnMethodAndPath) {
  Router router;
  router.Add("GET", "/a", Exec::kInline, [](const Request&) { return Response{}; });
  router.Add("POST", "/a", Exec::kHashing, [](const Request&) { return Response{}; });
  ASSERT_NE(router.Find("GET", "/a"), nullptr);
  EXPECT_EQ(router.Find("GET", "/a")->exec, Exec::kInline);
  EXPECT_EQ(router.Find("POST", "/a")->exec, Exec::kHashing);
  // Like Express (non-strict routing), one trailing slash is ignored.
  EXPECT_EQ(router.Find("GET", "/a/"), router.Find("GET", "/a"));
  EXPECT_EQ(router.Find("GET", "/a//"), nullptr);
  EXPECT_EQ(router.Find("GET", "/A"), router.Find("GET", "/a"));
  EXPECT_EQ(router.Find("PUT", "/a"), nullptr);
  EXPECT_EQ(router.Find("GET", "/"), nullptr);
}

TEST(Router, ParamRoutesMatchOneSegment) {
  Router router;
  router.AddParam("GET", "/cb/", Exec::kInline, [](const Request&) { return Response{}; });
  EXPECT_NE(router.Find("GET", "/cb/google"), nullptr);
  EXPECT_EQ(router.Find("GET", "/cb/"), nullptr);
  EXPECT_EQ(router.Find("GET", "/cb/a/b"), nullptr);
  EXPECT_EQ(router.Find("POST", "/cb/google"), nullptr);
}

}  // namespace
}  // namespace authd::http
