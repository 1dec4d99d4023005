// The runtime's side of a caching driver's memory accounting
// (runtime/memory_cache_account.h), driven through the callbacks of the
// hal_context_memory_accounting it chains, as a driver calls them: the
// cache's bytes are counted and charged to the tenant; a charge the quota
// has no room for is refused with HAL_ERROR_OUT_OF_MEMORY and changes
// nothing, and is no refusal of the tenant's own allocations.
#include "runtime/memory_cache_account.h"

#include "gtest/gtest.h"

namespace hal::internal {
namespace {

class CountingTenant final : public Tenant {
 public:
  explicit CountingTenant(uint64_t quota) : quota_(quota) {}
  const std::string& tenant_name() const override { return name_; }
  int priority() const override { return 0; }
  absl::Status Charge(uint64_t bytes, uint64_t) override {
    if (!TryCharge(bytes)) {
      ++refusals;
      return absl::ResourceExhaustedError("over quota");
    }
    return absl::OkStatus();
  }
  void Uncharge(uint64_t bytes) override { used -= bytes; }
  bool TryCharge(uint64_t bytes) override {
    if (bytes > quota_ - used) return false;
    used += bytes;
    return true;
  }
  absl::Status ChargePin(uint64_t) override { return absl::OkStatus(); }
  void UnchargePin(uint64_t) override {}

  uint64_t used = 0;
  int refusals = 0;

 private:
  const std::string name_ = "tenant";
  const uint64_t quota_;
};

TEST(MemoryCacheAccountTest, TheDescCarriesTheLimitAndItsCallbacks) {
  MemoryCacheAccount account(nullptr, 4096);
  const hal_context_memory_accounting& desc = account.desc();
  EXPECT_EQ(desc.type, HAL_STRUCTURE_TYPE_CONTEXT_MEMORY_ACCOUNTING);
  EXPECT_EQ(desc.next, nullptr);
  EXPECT_EQ(desc.cache_limit_bytes, 4096u);
  EXPECT_EQ(account.limit_bytes(), 4096u);
  EXPECT_NE(desc.charge, nullptr);
  EXPECT_NE(desc.uncharge, nullptr);
}

TEST(MemoryCacheAccountTest, APlainContextsCacheIsCountedAndChargedToNoOne) {
  MemoryCacheAccount account(nullptr, 1 << 20);
  const hal_context_memory_accounting& desc = account.desc();
  EXPECT_EQ(desc.charge(desc.user, 3000), HAL_SUCCESS);
  EXPECT_EQ(desc.charge(desc.user, 1000), HAL_SUCCESS);
  EXPECT_EQ(account.cached_bytes(), 4000u);
  desc.uncharge(desc.user, 3000);
  EXPECT_EQ(account.cached_bytes(), 1000u);
}

TEST(MemoryCacheAccountTest, ATenantsCacheIsChargedToItsQuota) {
  CountingTenant tenant(10000);
  ASSERT_TRUE(tenant.Charge(6000, 6000).ok());  // a live buffer
  MemoryCacheAccount account(&tenant, 1 << 20);
  const hal_context_memory_accounting& desc = account.desc();
  EXPECT_EQ(desc.charge(desc.user, 4000), HAL_SUCCESS);
  EXPECT_EQ(tenant.used, 10000u);
  EXPECT_EQ(account.cached_bytes(), 4000u);
  // Over the quota: refused, nothing changed, no refusal counted.
  EXPECT_EQ(desc.charge(desc.user, 1), HAL_ERROR_OUT_OF_MEMORY);
  EXPECT_EQ(tenant.used, 10000u);
  EXPECT_EQ(account.cached_bytes(), 4000u);
  EXPECT_EQ(tenant.refusals, 0);
  desc.uncharge(desc.user, 4000);
  EXPECT_EQ(tenant.used, 6000u);
  EXPECT_EQ(account.cached_bytes(), 0u);
}

}  // namespace
}  // namespace hal::internal
