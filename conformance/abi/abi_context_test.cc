// AbiContext: context_create (plain, partitioned where the device offers
// partitions, for a virtual device, with hal_context_memory_accounting),
// context_get_partition, context_destroy and context_trim_memory, through the
// driver table.
#include <atomic>
#include <cstring>
#include <thread>
#include <vector>

#include "conformance/abi/driver_table_test.h"
#include "conformance/coverage/coverage.h"
#include "conformance/status_matchers.h"

namespace hal::cts {
namespace {

// A context made in a test body, destroyed when it goes out of scope.
class ScopedContext {
 public:
  ScopedContext(const hal_driver_table& table, hal_drv_context* context)
      : table_(table), context_(context) {}
  ScopedContext(ScopedContext&& other) noexcept
      : table_(other.table_), context_(std::exchange(other.context_, nullptr)) {}
  ScopedContext& operator=(ScopedContext&&) = delete;
  ~ScopedContext() { reset(); }
  hal_drv_context* get() const { return context_; }
  // Destroys it now.
  void reset() {
    if (context_ != nullptr) table_.context_destroy(std::exchange(context_, nullptr));
  }

 private:
  const hal_driver_table& table_;
  hal_drv_context* context_;
};

// The accounting callbacks' side: what the driver's cache holds, by its
// charges and uncharges.
struct Ledger {
  std::atomic<int64_t> held{0};
  std::atomic<uint64_t> charge_calls{0};
  std::atomic<bool> refuse{false};

  static hal_result Charge(void* user, uint64_t bytes) {
    auto* ledger = static_cast<Ledger*>(user);
    ledger->charge_calls.fetch_add(1);
    if (ledger->refuse.load()) return HAL_ERROR_OUT_OF_MEMORY;
    ledger->held.fetch_add(static_cast<int64_t>(bytes));
    return HAL_SUCCESS;
  }
  static void Uncharge(void* user, uint64_t bytes) {
    static_cast<Ledger*>(user)->held.fetch_sub(static_cast<int64_t>(bytes));
  }
};

class AbiContext : public DriverTableTest {
 protected:
  // context_create with `desc` (its type set here); fails the test and
  // returns an empty scope on error.
  ScopedContext CreateContext(hal_context_desc desc) {
    desc.type = HAL_STRUCTURE_TYPE_CONTEXT_DESC;
    hal_drv_context* context = nullptr;
    EXPECT_HAL_RESULT(HAL_SUCCESS, table().context_create(device_index(), &desc, &context));
    return ScopedContext(table(), context);
  }
  // `desc` with a hal_context_memory_accounting over `ledger` chained to it.
  ScopedContext CreateAccountedContext(Ledger& ledger, uint64_t cache_limit,
                                       hal_context_desc desc = {}) {
    hal_context_memory_accounting accounting{};
    accounting.type = HAL_STRUCTURE_TYPE_CONTEXT_MEMORY_ACCOUNTING;
    accounting.cache_limit_bytes = cache_limit;
    accounting.user = &ledger;
    accounting.charge = &Ledger::Charge;
    accounting.uncharge = &Ledger::Uncharge;
    desc.next = &accounting;
    return CreateContext(desc);
  }
  uint32_t GrantedUnits(hal_drv_context* context) {
    uint32_t units = 0;
    EXPECT_HAL_RESULT(HAL_SUCCESS, table().context_get_partition(context, &units));
    return units;
  }
  // Allocates and frees buffers of several sizes in `context`, as a cache
  // would keep them: what a caching driver charges.
  void AllocateAndFree(hal_drv_context* context) {
    std::vector<hal_drv_buffer*> buffers;
    for (uint64_t size : {uint64_t{256}, uint64_t{4096}, uint64_t{65536}, uint64_t{1} << 20}) {
      hal_drv_buffer* buffer = nullptr;
      uint64_t allocated = 0;
      EXPECT_HAL_RESULT(HAL_SUCCESS, CallBufferAllocate(context, size, HAL_BUFFER_DEVICE, 0,
                                                        &buffer, &allocated));
      if (buffer != nullptr) buffers.push_back(buffer);
    }
    for (hal_drv_buffer* buffer : buffers) table().buffer_free(context, buffer);
  }
  bool HasMemoryCache() const {
    return properties().capabilities.has(Capability::kMemoryCache);
  }
};

HAL_CTS_COVERS("AbiContext.PlainContextServesBuffersAndStreams", {"context_create", "success"},
               {"context_destroy", "success"});
TEST_P(AbiContext, PlainContextServesBuffersAndStreams) {
  ScopedContext context = CreateContext({});
  ASSERT_NE(context.get(), nullptr);
  hal_drv_buffer* buffer = nullptr;
  uint64_t allocated = 0;
  ASSERT_HAL_RESULT(HAL_SUCCESS, CallBufferAllocate(context.get(), 4096, HAL_BUFFER_DEVICE, 0,
                                                    &buffer, &allocated));
  hal_stream_desc stream_desc{};
  stream_desc.type = HAL_STRUCTURE_TYPE_STREAM_DESC;
  hal_drv_stream* stream = nullptr;
  ASSERT_HAL_RESULT(HAL_SUCCESS, table().stream_create(context.get(), &stream_desc, &stream));
  EXPECT_HAL_RESULT(HAL_SUCCESS, table().stream_fill(stream, buffer, 0, 4096, 0x01020304u));
  uint32_t word = 0;
  EXPECT_HAL_RESULT(HAL_SUCCESS,
                    table().stream_copy_device_to_host(stream, buffer, 4092, &word, sizeof(word)));
  EXPECT_HAL_RESULT(HAL_SUCCESS, table().stream_synchronize(stream));
  EXPECT_EQ(word, 0x01020304u);
  table().stream_destroy(stream);
  table().buffer_free(context.get(), buffer);
}

HAL_CTS_COVERS("AbiContext.ContextsKeepTheirOwnMemory", {"context_create", "success"},
               {"context_destroy", "success"});
TEST_P(AbiContext, ContextsKeepTheirOwnMemory) {
  // Three contexts with a staging buffer each; destroying one leaves the
  // others' buffers and contents alone.
  std::vector<std::unique_ptr<ScopedContext>> contexts;
  std::vector<hal_drv_buffer*> buffers;
  for (uint8_t i = 0; i < 3; ++i) {
    contexts.push_back(std::make_unique<ScopedContext>(CreateContext({})));
    ASSERT_NE(contexts.back()->get(), nullptr);
    hal_drv_buffer* buffer = nullptr;
    uint64_t allocated = 0;
    ASSERT_HAL_RESULT(HAL_SUCCESS, CallBufferAllocate(contexts.back()->get(), 4096,
                                                      HAL_BUFFER_HOST_STAGING, 0, &buffer,
                                                      &allocated));
    void* host = nullptr;
    ASSERT_HAL_RESULT(HAL_SUCCESS, table().buffer_map(contexts.back()->get(), buffer, &host));
    std::memset(host, 0x10 + i, 4096);
    buffers.push_back(buffer);
  }
  table().buffer_free(contexts[1]->get(), buffers[1]);
  contexts[1]->reset();
  for (size_t i : {size_t{0}, size_t{2}}) {
    void* host = nullptr;
    ASSERT_HAL_RESULT(HAL_SUCCESS, table().buffer_map(contexts[i]->get(), buffers[i], &host));
    const auto* bytes = static_cast<const uint8_t*>(host);
    EXPECT_EQ(bytes[0], 0x10 + i);
    EXPECT_EQ(bytes[4095], 0x10 + i);
    table().buffer_free(contexts[i]->get(), buffers[i]);
  }
}

HAL_CTS_COVERS("AbiContext.ContextsOfSeveralThreadsAtOnce", {"context_create", "success"},
               {"context_destroy", "success"});
TEST_P(AbiContext, ContextsOfSeveralThreadsAtOnce) {
  std::vector<hal_result> results(4, HAL_SUCCESS);
  std::vector<std::thread> threads;
  for (size_t t = 0; t < results.size(); ++t) {
    threads.emplace_back([&, t] {
      for (int round = 0; round < 4 && results[t] == HAL_SUCCESS; ++round) {
        hal_context_desc desc{};
        desc.type = HAL_STRUCTURE_TYPE_CONTEXT_DESC;
        hal_drv_context* context = nullptr;
        results[t] = table().context_create(device_index(), &desc, &context);
        if (results[t] != HAL_SUCCESS) break;
        hal_drv_buffer* buffer = nullptr;
        uint64_t allocated = 0;
        results[t] =
            CallBufferAllocate(context, 65536, HAL_BUFFER_DEVICE, 0, &buffer, &allocated);
        if (buffer != nullptr) table().buffer_free(context, buffer);
        table().context_destroy(context);
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  for (hal_result result : results) EXPECT_EQ(result, HAL_SUCCESS) << ResultName(result);
}

HAL_CTS_COVERS("AbiContext.ContextWithoutAPartitionGetsTheWholeDevice",
               {"context_get_partition", "success"});
TEST_P(AbiContext, ContextWithoutAPartitionGetsTheWholeDevice) {
  const hal_device_properties props = DriverProperties();
  EXPECT_EQ(GrantedUnits(context()), props.partition_max_units);
  EXPECT_EQ(GrantedUnits(context()), props.partition_max_units) << "a second call differs";
}

HAL_CTS_COVERS("AbiContext.PartitionGrantsFollowTheRuleForEveryRequest",
               {"context_create", "success"}, {"context_get_partition", "success"});
TEST_P(AbiContext, PartitionGrantsFollowTheRuleForEveryRequest) {
  const hal_device_properties props = DriverProperties();
  // Every request from 1 unit to the whole device (the runtime refuses more),
  // at most 64 of them spread over the range.
  const uint32_t max_units = props.partition_max_units;
  const uint32_t step = std::max<uint32_t>(1, max_units / 64);
  for (uint32_t units = 1; units <= max_units; units += step) {
    hal_context_desc desc{};
    desc.partition_units = units;
    ScopedContext context = CreateContext(desc);
    ASSERT_NE(context.get(), nullptr) << units << " units";
    uint32_t expected = max_units;  // a request is ignored without partitions
    if (props.partition_kind != HAL_PARTITION_NONE) {
      const uint32_t alignment = props.partition_alignment;
      const uint32_t raised = std::max(units, props.partition_min_units);
      expected = std::min(max_units, (raised + alignment - 1) / alignment * alignment);
    }
    EXPECT_EQ(GrantedUnits(context.get()), expected) << "asked for " << units << " units";
  }
}

HAL_CTS_COVERS("AbiContext.SmallestPartitionsCoexist", {"context_create", "success"},
               {"context_get_partition", "success"});
TEST_P(AbiContext, SmallestPartitionsCoexist) {
  const hal_device_properties props = DriverProperties();
  if (props.partition_kind == HAL_PARTITION_NONE) {
    HAL_CTS_SKIP_UNSUPPORTED("the driver reports no partitions");
  }
  // As many of the smallest grants as the device holds, at most 8, at once.
  const uint32_t count =
      std::min<uint32_t>(8, props.partition_max_units / std::max(1u, props.partition_min_units));
  std::vector<std::unique_ptr<ScopedContext>> contexts;
  for (uint32_t i = 0; i < std::max(count, 1u); ++i) {
    hal_context_desc desc{};
    desc.partition_units = props.partition_min_units;
    contexts.push_back(std::make_unique<ScopedContext>(CreateContext(desc)));
    ASSERT_NE(contexts.back()->get(), nullptr) << "partition " << i;
    EXPECT_GE(GrantedUnits(contexts.back()->get()), props.partition_min_units);
  }
}

HAL_CTS_COVERS("AbiContext.VirtualDeviceContextServesCommands", {"context_create", "success"});
TEST_P(AbiContext, VirtualDeviceContextServesCommands) {
  hal_context_desc desc{};
  desc.flags = HAL_CONTEXT_FLAG_VIRTUAL_DEVICE;
  ScopedContext context = CreateContext(desc);
  ASSERT_NE(context.get(), nullptr);
  hal_drv_buffer* buffer = nullptr;
  uint64_t allocated = 0;
  ASSERT_HAL_RESULT(HAL_SUCCESS, CallBufferAllocate(context.get(), 1024, HAL_BUFFER_DEVICE, 0,
                                                    &buffer, &allocated));
  hal_stream_desc stream_desc{};
  stream_desc.type = HAL_STRUCTURE_TYPE_STREAM_DESC;
  hal_drv_stream* stream = nullptr;
  ASSERT_HAL_RESULT(HAL_SUCCESS, table().stream_create(context.get(), &stream_desc, &stream));
  std::vector<uint8_t> written(1024);
  for (size_t i = 0; i < written.size(); ++i) written[i] = static_cast<uint8_t>(i * 7);
  std::vector<uint8_t> read(1024);
  EXPECT_HAL_RESULT(HAL_SUCCESS, table().stream_copy_host_to_device(stream, written.data(), buffer,
                                                                    0, written.size()));
  EXPECT_HAL_RESULT(HAL_SUCCESS,
                    table().stream_copy_device_to_host(stream, buffer, 0, read.data(), read.size()));
  EXPECT_HAL_RESULT(HAL_SUCCESS, table().stream_synchronize(stream));
  EXPECT_EQ(read, written);
  table().stream_destroy(stream);
  table().buffer_free(context.get(), buffer);
}

HAL_CTS_COVERS("AbiContext.AccountingBalancesOnceTheContextIsDestroyed",
               {"hal_context_memory_accounting", "success"},
               {"hal_context_memory_accounting", "capability-absent"},
               {"context_destroy", "success"});
TEST_P(AbiContext, AccountingBalancesOnceTheContextIsDestroyed) {
  // Every device: what was charged is uncharged by context_destroy; a driver
  // without a cache (the runtime chains the struct only with the capability)
  // holds nothing to charge.
  Ledger ledger;
  {
    ScopedContext context = CreateAccountedContext(ledger, uint64_t{64} << 20);
    ASSERT_NE(context.get(), nullptr);
    AllocateAndFree(context.get());
    EXPECT_GE(ledger.held.load(), 0) << "more uncharged than charged";
    if (!HasMemoryCache()) {
      EXPECT_EQ(ledger.charge_calls.load(), 0u);
    }
  }
  EXPECT_EQ(ledger.held.load(), 0) << "context_destroy left bytes charged";
}

HAL_CTS_COVERS("AbiContext.AccountingHoldsAtMostTheCacheLimit",
               {"hal_context_memory_accounting", "success"});
TEST_P(AbiContext, AccountingHoldsAtMostTheCacheLimit) {
  HAL_CTS_REQUIRE_CAPABILITY(Capability::kMemoryCache);
  constexpr uint64_t kLimit = uint64_t{1} << 20;
  Ledger ledger;
  ScopedContext context = CreateAccountedContext(ledger, kLimit);
  ASSERT_NE(context.get(), nullptr);
  for (int round = 0; round < 3; ++round) {
    AllocateAndFree(context.get());
    EXPECT_GE(ledger.held.load(), 0);
    EXPECT_LE(ledger.held.load(), static_cast<int64_t>(kLimit)) << "round " << round;
  }
}

HAL_CTS_COVERS("AbiContext.AccountingWithAZeroLimitCachesNothing",
               {"hal_context_memory_accounting", "success"});
TEST_P(AbiContext, AccountingWithAZeroLimitCachesNothing) {
  HAL_CTS_REQUIRE_CAPABILITY(Capability::kMemoryCache);
  Ledger ledger;
  ScopedContext context = CreateAccountedContext(ledger, 0);
  ASSERT_NE(context.get(), nullptr);
  AllocateAndFree(context.get());
  EXPECT_EQ(ledger.held.load(), 0) << "a zero limit disables caching";
}

HAL_CTS_COVERS("AbiContext.RefusedChargesLeaveNothingCached",
               {"hal_context_memory_accounting", "out-of-memory"});
TEST_P(AbiContext, RefusedChargesLeaveNothingCached) {
  HAL_CTS_REQUIRE_CAPABILITY(Capability::kMemoryCache);
  Ledger ledger;
  ledger.refuse = true;
  ScopedContext context = CreateAccountedContext(ledger, uint64_t{64} << 20);
  ASSERT_NE(context.get(), nullptr);
  // A refused charge makes the driver give the bytes back, never fail a call.
  AllocateAndFree(context.get());
  AllocateAndFree(context.get());
  EXPECT_GT(ledger.charge_calls.load(), 0u) << "a caching driver never asked to cache a freed block";
  EXPECT_EQ(ledger.held.load(), 0);
}

HAL_CTS_COVERS("AbiContext.TrimMemoryUnchargesTheWholeCache",
               {"context_trim_memory", "success"});
TEST_P(AbiContext, TrimMemoryUnchargesTheWholeCache) {
  HAL_CTS_REQUIRE_CAPABILITY(Capability::kMemoryCache);
  Ledger ledger;
  ScopedContext context = CreateAccountedContext(ledger, uint64_t{64} << 20);
  ASSERT_NE(context.get(), nullptr);
  AllocateAndFree(context.get());
  table().context_trim_memory(context.get());
  EXPECT_EQ(ledger.held.load(), 0);
  // The context still allocates after a trim.
  AllocateAndFree(context.get());
  table().context_trim_memory(context.get());
  EXPECT_EQ(ledger.held.load(), 0);
}

HAL_CTS_COVERS("AbiContext.WithoutAMemoryCacheTheDeviceCachesNothing",
               {"context_trim_memory", "capability-absent"},
               {"hal_context_memory_accounting", "capability-absent"});
TEST_P(AbiContext, WithoutAMemoryCacheTheDeviceCachesNothing) {
  // Through the public API: a cache limit asked of a device without the
  // capability keeps nothing, and trimming has nothing to give back.
  DeviceOptions options;
  options.memory_cache_limit = uint64_t{16} << 20;
  HAL_CTS_ASSERT_OK_AND_ASSIGN(std::shared_ptr<Device> opened, physical_device().Open(options));
  for (uint64_t size : {uint64_t{4096}, uint64_t{1} << 20}) {
    HAL_CTS_ASSERT_OK_AND_ASSIGN(std::shared_ptr<Buffer> buffer, opened->Allocate(size));
  }
  if (HasMemoryCache()) {
    opened->TrimMemoryCache();
    EXPECT_EQ(opened->cached_bytes(), 0u) << "TrimMemoryCache left bytes cached";
    return;
  }
  EXPECT_EQ(opened->cached_bytes(), 0u);
  opened->TrimMemoryCache();
  EXPECT_EQ(opened->cached_bytes(), 0u);
  EXPECT_EQ(DriverProperties().capabilities & HAL_CAPABILITY_MEMORY_CACHE, 0u);
}

HAL_CTS_COVERS("AbiContext.AnotherContextsLifeLeavesThisOneWorking",
               {"context_create", "success"}, {"context_destroy", "success"});
TEST_P(AbiContext, AnotherContextsLifeLeavesThisOneWorking) {
  DrvBuffer buffer = AllocateBuffer(4096);
  DrvStream stream = CreateStream();
  ASSERT_TRUE(buffer && stream);
  ASSERT_HAL_RESULT(HAL_SUCCESS, table().stream_fill(stream.get(), buffer.get(), 0, 4096, 0x0a0b0c0d));
  for (int i = 0; i < 3; ++i) {
    ScopedContext other = CreateContext({});
    ASSERT_NE(other.get(), nullptr);
    AllocateAndFree(other.get());
  }
  EXPECT_EQ(ReadBack(stream, buffer.get(), 0, 4), (std::vector<uint8_t>{0x0d, 0x0c, 0x0b, 0x0a}));
}

HAL_CTS_COVERS("AbiContext.EveryOptionAtOnce", {"context_create", "success"},
               {"context_get_partition", "success"},
               {"hal_context_memory_accounting", "success"});
TEST_P(AbiContext, EveryOptionAtOnce) {
  // The whole device asked for explicitly, a virtual device's flag and the
  // accounting struct, together.
  const hal_device_properties props = DriverProperties();
  Ledger ledger;
  {
    hal_context_desc desc{};
    desc.partition_units = props.partition_max_units;
    desc.flags = HAL_CONTEXT_FLAG_VIRTUAL_DEVICE;
    ScopedContext context = CreateAccountedContext(ledger, uint64_t{8} << 20, desc);
    ASSERT_NE(context.get(), nullptr);
    EXPECT_EQ(GrantedUnits(context.get()), props.partition_max_units);
    AllocateAndFree(context.get());
  }
  EXPECT_EQ(ledger.held.load(), 0);
}

HAL_CTS_COVERS("AbiContext.OutOfMemoryLeavesTheLedgerAsItWas",
               {"buffer_allocate", "out-of-memory"},
               {"hal_context_memory_accounting", "success"});
TEST_P(AbiContext, OutOfMemoryLeavesTheLedgerAsItWas) {
  Ledger ledger;
  ScopedContext context = CreateAccountedContext(ledger, uint64_t{64} << 20);
  ASSERT_NE(context.get(), nullptr);
  AllocateAndFree(context.get());
  const int64_t before = ledger.held.load();
  hal_drv_buffer* buffer = nullptr;
  uint64_t allocated = 0;
  EXPECT_HAL_RESULT(HAL_ERROR_OUT_OF_MEMORY,
                    CallBufferAllocate(context.get(), uint64_t{1} << 62, HAL_BUFFER_DEVICE, 0,
                                       &buffer, &allocated));
  // A caching driver may trim its cache before it gives up, never charge more.
  EXPECT_LE(ledger.held.load(), before);
  EXPECT_GE(ledger.held.load(), 0);
}

HAL_CTS_INSTANTIATE_DEVICE_TESTS(AbiContext);

}  // namespace
}  // namespace hal::cts
