#include "backends/common/host_range_index.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <thread>
#include <vector>

namespace hal::driver_support {
namespace {

struct Named {
  int id;
};

// Two ranges side by side in one allocation, as a sub-allocator's buffers
// are, and a third apart from them.
class HostRangeIndexTest : public ::testing::Test {
 protected:
  void SetUp() override {
    index_.Add(memory_.data(), 4096, &first_);
    index_.Add(memory_.data() + 4096, 100, &second_);
    index_.Add(apart_.data(), apart_.size(), &third_);
  }

  std::vector<uint8_t> memory_ = std::vector<uint8_t>(8192);
  std::vector<uint8_t> apart_ = std::vector<uint8_t>(64);
  Named first_{1}, second_{2}, third_{3};
  HostRangeIndex<Named> index_;
};

TEST_F(HostRangeIndexTest, FindsTheRangeHoldingAWholeRangeAndItsOffset) {
  uint64_t offset = 99;
  EXPECT_EQ(index_.Find(memory_.data() + 1024, 3072, &offset), &first_);
  EXPECT_EQ(offset, 1024u);
  EXPECT_EQ(index_.Find(memory_.data() + 4096, 100, &offset), &second_);
  EXPECT_EQ(offset, 0u);
  EXPECT_EQ(index_.Find(apart_.data() + 63, 1, &offset), &third_);
  EXPECT_EQ(offset, 63u);
}

TEST_F(HostRangeIndexTest, FindsNothingForARangeStraddlingTwo) {
  uint64_t offset = 99;
  EXPECT_EQ(index_.Find(memory_.data() + 4000, 200, &offset), nullptr);
  EXPECT_EQ(offset, 99u) << "left as it was";
}

TEST_F(HostRangeIndexTest, FindsNothingPastTheEnd) {
  uint64_t offset = 0;
  EXPECT_EQ(index_.Find(memory_.data() + 4096 + 50, 51, &offset), nullptr)
      << "one byte past the range's size";
  EXPECT_EQ(index_.Find(memory_.data() + 4096 + 100, 1, &offset), nullptr)
      << "the byte just past the end";
  EXPECT_EQ(index_.Find(apart_.data() + apart_.size(), 1, &offset), nullptr);
}

TEST_F(HostRangeIndexTest, FindsNothingBeforeEveryRangeOrForNoBytes) {
  uint64_t offset = 0;
  const uint8_t elsewhere[16] = {};
  EXPECT_EQ(index_.Find(elsewhere, sizeof(elsewhere), &offset), nullptr);
  EXPECT_EQ(index_.Find(nullptr, 1, &offset), nullptr);
  EXPECT_EQ(index_.Find(memory_.data(), 0, &offset), nullptr);
}

TEST_F(HostRangeIndexTest, ARemovedRangeIsNotFound) {
  index_.Remove(memory_.data());
  uint64_t offset = 0;
  EXPECT_EQ(index_.Find(memory_.data(), 1, &offset), nullptr);
  EXPECT_EQ(index_.Find(memory_.data() + 4095, 1, &offset), nullptr);
  EXPECT_EQ(index_.Find(memory_.data() + 4096, 1, &offset), &second_) << "the neighbour stays";
  index_.Remove(memory_.data());  // removing what is absent does nothing
}

TEST_F(HostRangeIndexTest, AddsRemovesAndFindsFromSeveralThreads) {
  std::vector<std::vector<uint8_t>> memory(4, std::vector<uint8_t>(256));
  std::vector<Named> values(4);
  std::vector<std::thread> threads;
  for (size_t t = 0; t < memory.size(); ++t) {
    threads.emplace_back([&, t] {
      for (int round = 0; round < 200; ++round) {
        index_.Add(memory[t].data(), 256, &values[t]);
        uint64_t offset = 0;
        EXPECT_EQ(index_.Find(memory[t].data() + 8, 8, &offset), &values[t]);
        index_.Remove(memory[t].data());
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  uint64_t offset = 0;
  EXPECT_EQ(index_.Find(memory_.data(), 1, &offset), &first_);
}

}  // namespace
}  // namespace hal::driver_support
