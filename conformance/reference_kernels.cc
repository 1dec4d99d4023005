#include "conformance/reference_kernels.h"

#include <algorithm>
#include <cmath>
#include <random>

namespace hal::cts {
namespace {

constexpr double kFloatUnitRoundoff = 0x1p-24;

double Gamma(uint64_t terms) {
  const double ku = static_cast<double>(terms) * kFloatUnitRoundoff;
  return ku / (1.0 - ku);
}

}  // namespace

Reference SaxpyReference(float a, absl::Span<const float> x, absl::Span<const float> y) {
  Reference reference;
  reference.terms = 2;
  for (size_t i = 0; i < x.size(); ++i) {
    const double product = static_cast<double>(a) * x[i];
    reference.values.push_back(product + y[i]);
    reference.magnitudes.push_back(std::abs(product) + std::abs(static_cast<double>(y[i])));
  }
  return reference;
}

Reference ReducePartialsReference(absl::Span<const float> in, uint32_t elements_per_workgroup) {
  Reference reference;
  reference.terms = elements_per_workgroup - 1;
  for (size_t begin = 0; begin < in.size(); begin += elements_per_workgroup) {
    const size_t end = std::min(in.size(), begin + elements_per_workgroup);
    double sum = 0.0;
    double magnitude = 0.0;
    for (size_t i = begin; i < end; ++i) {
      sum += in[i];
      magnitude += std::abs(static_cast<double>(in[i]));
    }
    reference.values.push_back(sum);
    reference.magnitudes.push_back(magnitude);
  }
  return reference;
}

Reference GemmReference(uint32_t m, uint32_t n, uint32_t k, float alpha, float beta,
                        absl::Span<const float> a, absl::Span<const float> b,
                        absl::Span<const float> c) {
  Reference reference;
  reference.terms = static_cast<uint64_t>(k) + 3;
  for (uint32_t row = 0; row < m; ++row) {
    for (uint32_t column = 0; column < n; ++column) {
      double dot = 0.0;
      double dot_magnitude = 0.0;
      for (uint32_t i = 0; i < k; ++i) {
        const double product =
            static_cast<double>(a[size_t{row} * k + i]) * b[size_t{i} * n + column];
        dot += product;
        dot_magnitude += std::abs(product);
      }
      const double old_c = c[size_t{row} * n + column];
      reference.values.push_back(alpha * dot + beta * old_c);
      reference.magnitudes.push_back(std::abs(static_cast<double>(alpha)) * dot_magnitude +
                                     std::abs(beta * old_c));
    }
  }
  return reference;
}

std::vector<int32_t> VectorAddReference(absl::Span<const int32_t> a, absl::Span<const int32_t> b) {
  std::vector<int32_t> c(a.size());
  for (size_t i = 0; i < a.size(); ++i) {
    // Unsigned arithmetic wraps without undefined behaviour; the conversion
    // back is modular (C++20).
    c[i] = static_cast<int32_t>(static_cast<uint32_t>(a[i]) + static_cast<uint32_t>(b[i]));
  }
  return c;
}

::testing::AssertionResult MatchesReference(absl::Span<const float> got,
                                            const Reference& reference) {
  if (got.size() != reference.values.size()) {
    return ::testing::AssertionFailure()
           << "got " << got.size() << " values, the reference has " << reference.values.size();
  }
  const double gamma = Gamma(reference.terms);
  constexpr int kMaxReported = 8;
  int mismatches = 0;
  ::testing::AssertionResult failure = ::testing::AssertionFailure();
  for (size_t i = 0; i < got.size(); ++i) {
    const double error = std::abs(static_cast<double>(got[i]) - reference.values[i]);
    const double bound = gamma * reference.magnitudes[i];
    if (error <= bound) continue;  // false for NaN too
    if (++mismatches <= kMaxReported) {
      failure << "\n  [" << i << "] got " << got[i] << ", expected " << reference.values[i]
              << " (error " << error << " > bound " << bound << ")";
    }
  }
  if (mismatches == 0) return ::testing::AssertionSuccess();
  return failure << "\n  " << mismatches << " of " << got.size()
                 << " values outside the rounding bound (terms " << reference.terms << ")";
}

std::vector<float> RandomFloats(size_t count, uint32_t seed, float low, float high) {
  std::mt19937 generator(seed);
  std::uniform_real_distribution<float> distribution(low, high);
  std::vector<float> values(count);
  for (float& value : values) value = distribution(generator);
  return values;
}

std::vector<int32_t> RandomInts(size_t count, uint32_t seed) {
  std::mt19937 generator(seed);
  std::vector<int32_t> values(count);
  for (int32_t& value : values) value = static_cast<int32_t>(generator());
  return values;
}

std::vector<uint8_t> PatternBytes(size_t count, uint32_t seed) {
  std::vector<uint8_t> bytes(count);
  for (size_t i = 0; i < count; ++i) {
    // A multiplicative hash, so that a copy landing at a wrong offset (even
    // one a multiple of 256 away) reads different bytes.
    uint32_t mixed = static_cast<uint32_t>(i) * 2654435761u + seed * 40503u + 1;
    mixed ^= mixed >> 15;
    bytes[i] = static_cast<uint8_t>(mixed);
  }
  return bytes;
}

}  // namespace hal::cts
