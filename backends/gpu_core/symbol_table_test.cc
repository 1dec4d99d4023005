#include "backends/gpu_core/symbol_table.h"

#include <map>
#include <string>
#include <utility>

#include "gtest/gtest.h"

namespace hal::gpu {
namespace {

void A() {}
void B() {}
void C() {}

using Fn = void (*)();

// A library knowing each name from a first version on.
struct FakeLibrary {
  std::map<std::string, std::pair<int, Fn>> symbols;
  std::map<std::string, int> asked_versions;

  SymbolResolver Resolver() {
    return [this](const char* name, int version, void** out) {
      asked_versions[name] = version;
      const auto it = symbols.find(name);
      if (it == symbols.end()) return ResolveStatus::kNotFound;
      if (version < it->second.first) return ResolveStatus::kVersionNotSufficient;
      *out = reinterpret_cast<void*>(it->second.second);
      return ResolveStatus::kFound;
    };
  }
};

TEST(SymbolTableTest, ResolvesEveryRequiredFunctionAtItsPinnedVersion) {
  FakeLibrary library{{{"cuInit", {2000, &A}}, {"cuMemAlloc", {3020, &B}}}, {}};
  Fn init = nullptr, alloc = nullptr;
  const SymbolSpec specs[] = {{"cuInit", 12000, 0, nullptr, &init},
                              {"cuMemAlloc", 12000, 0, nullptr, &alloc}};
  const SymbolResolution resolution = ResolveSymbols(specs, library.Resolver());
  EXPECT_TRUE(resolution.complete());
  EXPECT_EQ(init, &A);
  EXPECT_EQ(alloc, &B);
  EXPECT_EQ(library.asked_versions["cuMemAlloc"], 12000);
}

TEST(SymbolTableTest, ListsEveryMissingRequiredFunction) {
  FakeLibrary library{{{"cuInit", {2000, &A}}}, {}};
  Fn init = nullptr, alloc = nullptr, free = nullptr;
  const SymbolSpec specs[] = {{"cuInit", 12000, 0, nullptr, &init},
                              {"cuMemAlloc", 12000, 0, nullptr, &alloc},
                              {"cuMemFree", 12000, 0, nullptr, &free}};
  const SymbolResolution resolution = ResolveSymbols(specs, library.Resolver());
  EXPECT_FALSE(resolution.complete());
  EXPECT_EQ(resolution.MissingRequiredList(), "cuMemAlloc, cuMemFree");
  EXPECT_EQ(alloc, nullptr);
}

TEST(SymbolTableTest, FallsBackToAnOlderVersionOnlyWhenTheLibraryIsTooOld) {
  FakeLibrary library{{{"cuEventElapsedTime", {2000, &A}}, {"cuNew", {12080, &B}}}, {}};
  Fn elapsed = nullptr, newer = nullptr;
  const SymbolSpec specs[] = {{"cuEventElapsedTime", 12080, 12000, nullptr, &elapsed},
                              {"cuNew", 12090, 0, nullptr, &newer}};
  library.symbols["cuEventElapsedTime"].first = 12090;  // answers "not sufficient" at 12080
  SymbolResolution resolution = ResolveSymbols(specs, library.Resolver());
  EXPECT_EQ(resolution.MissingRequiredList(), "cuEventElapsedTime");
  library.symbols["cuEventElapsedTime"].first = 12000;
  resolution = ResolveSymbols(specs, library.Resolver());
  EXPECT_TRUE(resolution.complete());
  EXPECT_EQ(elapsed, &A);
  EXPECT_EQ(library.asked_versions["cuEventElapsedTime"], 12080) << "the pinned version first";
}

TEST(SymbolTableTest, AnOptionalGroupIsAllOrNothing) {
  FakeLibrary library{{{"cuInit", {2000, &A}}, {"cuGreenCtxCreate", {12040, &B}},
                       {"cuMemMap", {10020, &C}}, {"cuMemUnmap", {10020, &C}}},
                      {}};
  Fn init = nullptr, green_create = nullptr, green_destroy = nullptr, map = nullptr,
     unmap = nullptr;
  const SymbolSpec specs[] = {{"cuInit", 12000, 0, nullptr, &init},
                              {"cuGreenCtxCreate", 12040, 0, "green contexts", &green_create},
                              {"cuGreenCtxDestroy", 12040, 0, "green contexts", &green_destroy},
                              {"cuMemMap", 12000, 0, "virtual memory", &map},
                              {"cuMemUnmap", 12000, 0, "virtual memory", &unmap}};
  const SymbolResolution resolution = ResolveSymbols(specs, library.Resolver());
  EXPECT_TRUE(resolution.complete()) << "optional functions never fail the driver";
  EXPECT_FALSE(resolution.HasGroup("green contexts"));
  EXPECT_EQ(green_create, nullptr) << "found, but its group is incomplete";
  EXPECT_EQ(resolution.missing_optional, std::vector<std::string>{"cuGreenCtxDestroy"});
  EXPECT_TRUE(resolution.HasGroup("virtual memory"));
  EXPECT_EQ(map, &C);
}

}  // namespace
}  // namespace hal::gpu
