#include "daemon/session_registry.h"

#include "gtest/gtest.h"

namespace hal::daemon {
namespace {

TEST(SessionRegistryTest, SnapshotsFollowTheCounters) {
  SessionRegistry registry;
  std::shared_ptr<SessionCounters> first = registry.Register("unix pid 1 uid 0");
  std::shared_ptr<SessionCounters> second = registry.Register("tcp 127.0.0.1:9");
  EXPECT_LT(first->id(), second->id());
  first->SetVirtualDevice("a");
  first->AddBuffer(100);
  first->AddBuffer(50);
  first->RemoveBuffer(100);
  first->AddStream();
  first->CountCommand();
  first->CountCommand();
  std::vector<SessionSnapshot> snapshot = registry.Snapshot();
  ASSERT_EQ(snapshot.size(), 2u);
  EXPECT_EQ(snapshot[0].virtual_device, "a");
  EXPECT_EQ(snapshot[0].peer, "unix pid 1 uid 0");
  EXPECT_EQ(snapshot[0].bytes_allocated, 50u);
  EXPECT_EQ(snapshot[0].buffers, 1u);
  EXPECT_EQ(snapshot[0].streams, 1u);
  EXPECT_EQ(snapshot[0].commands, 2u);
  EXPECT_EQ(snapshot[1].virtual_device, "");
  EXPECT_EQ(registry.AttachedTo("a"), 1u);
  EXPECT_EQ(registry.AttachedTo("b"), 0u);
  second->SetVirtualDevice("a");
  second->RemoveStream();
  EXPECT_EQ(registry.AttachedTo("a"), 2u);
  registry.Unregister(first->id());
  EXPECT_EQ(registry.Snapshot().size(), 1u);
  EXPECT_EQ(registry.Register("x")->id(), second->id() + 1) << "ids are never reused";
}

}  // namespace
}  // namespace hal::daemon
