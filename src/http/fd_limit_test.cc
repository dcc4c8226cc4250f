#include "http/fd_limit.h"

#include <gtest/gtest.h>

namespace authd::http {
namespace {

TEST(FdLimit, ConnectionsKeepATenthOfTheDescriptorsAndAtLeast64) {
  EXPECT_EQ(ConnectionsFor(1024), 1024 - 102);
  EXPECT_EQ(ConnectionsFor(524288), 524288 - 52428);
  EXPECT_EQ(ConnectionsFor(256), 256 - 64);
  EXPECT_EQ(ConnectionsFor(64), 1);
  EXPECT_EQ(ConnectionsFor(0), 1);
}

TEST(FdLimit, RaisesTheSoftLimitToTheHardOne) {
  const OpenFileLimit l = RaiseOpenFileLimit();
  if (!l.error.empty()) GTEST_SKIP() << "setrlimit refused: " << l.error;
  EXPECT_EQ(l.soft, l.hard);
  EXPECT_GE(l.soft, l.before);
  EXPECT_EQ(CurrentOpenFileLimit(), l.soft);
}

}  // namespace
}  // namespace authd::http
