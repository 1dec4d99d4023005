// Double-precision CPU references for the standard kernels, and the check of
// a device's float results against them.
//
// Tolerance: a float computation that adds up `terms` rounded operations on
// values whose absolute terms sum to `magnitude` is within
// gamma(terms) * magnitude of the exact result, gamma(k) = k*u / (1 - k*u),
// u = 2^-24, whatever order it sums in (Higham, "Accuracy and Stability of
// Numerical Algorithms", 2nd ed., sections 3.1 and 4.2). A fused multiply-add
// only removes roundings, so the bound holds with or without FMA. The
// reference is computed in double from the same float inputs, so its own
// error (below 2^-53 per operation) is far inside the bound.
#ifndef HAL_CONFORMANCE_REFERENCE_KERNELS_H_
#define HAL_CONFORMANCE_REFERENCE_KERNELS_H_

#include <cstdint>
#include <vector>

#include "absl/types/span.h"
#include "gtest/gtest.h"

namespace hal::cts {

struct Reference {
  std::vector<double> values;
  // Per value: the sum of the absolute values of the terms it adds up.
  std::vector<double> magnitudes;
  // Rounded float operations on the path to each value (the k of gamma(k)).
  uint64_t terms = 0;
};

// y = a*x + y: a product and a sum (2 roundings).
Reference SaxpyReference(float a, absl::Span<const float> x, absl::Span<const float> y);

// One partial sum per `elements_per_workgroup` elements (the last may be
// shorter): up to elements_per_workgroup - 1 roundings each.
Reference ReducePartialsReference(absl::Span<const float> in, uint32_t elements_per_workgroup);

// C = alpha*A*B + beta*C, row-major A (MxK), B (KxN), C (MxN): K products,
// K-1 sums, the two scalings and the final sum (K+3 roundings at most).
Reference GemmReference(uint32_t m, uint32_t n, uint32_t k, float alpha, float beta,
                        absl::Span<const float> a, absl::Span<const float> b,
                        absl::Span<const float> c);

// c = a + b in two's complement, wrapping on overflow.
std::vector<int32_t> VectorAddReference(absl::Span<const int32_t> a, absl::Span<const int32_t> b);

// Success when every got[i] is within gamma(terms) * magnitudes[i] of
// values[i]; otherwise names the first mismatches, their error and bound.
::testing::AssertionResult MatchesReference(absl::Span<const float> got,
                                            const Reference& reference);

// Deterministic test data: uniform in [low, high) from `seed`.
std::vector<float> RandomFloats(size_t count, uint32_t seed, float low = -1.0f, float high = 1.0f);
std::vector<int32_t> RandomInts(size_t count, uint32_t seed);
// Bytes that differ from one offset to the next and from one seed to another.
std::vector<uint8_t> PatternBytes(size_t count, uint32_t seed);

}  // namespace hal::cts

#endif  // HAL_CONFORMANCE_REFERENCE_KERNELS_H_
