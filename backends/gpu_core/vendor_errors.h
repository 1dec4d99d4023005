// A vendor's error codes (CUresult, hipError_t: both plain ints) mapped to the
// ABI's hal_result, with each code's name, and the set of sticky codes after
// which the vendor's context is unusable. The vendor driver supplies the
// table; this class answers lookups and formats messages the same way for
// every vendor: "cuMemAlloc: CUDA_ERROR_OUT_OF_MEMORY (2): out of memory".
#ifndef HAL_BACKENDS_GPU_CORE_VENDOR_ERRORS_H_
#define HAL_BACKENDS_GPU_CORE_VENDOR_ERRORS_H_

#include <span>
#include <string>
#include <string_view>
#include <unordered_map>

#include "hal/driver/hal_driver.h"

namespace hal::gpu {

class ContextHealth;

struct VendorError {
  int code;
  const char* name;  // the vendor's own name, e.g. "CUDA_ERROR_OUT_OF_MEMORY"
  hal_result result;
  bool sticky;  // the context is lost: every later call on it fails the same way
};

class VendorErrorTable {
 public:
  // `errors` must outlive the table (a static array). `unknown_result` is what
  // a code missing from the table maps to (a newer vendor library's code).
  VendorErrorTable(std::span<const VendorError> errors, hal_result unknown_result);

  // The entry of `code`, or nullptr when the table lacks it.
  const VendorError* Find(int code) const;
  hal_result ResultOf(int code) const;
  bool IsSticky(int code) const;
  // "<function>: <NAME> (<code>)" plus ": <description>" when one is given.
  // An unknown code reads "unknown error" in place of the name.
  std::string Describe(std::string_view function, int code, std::string_view description) const;
  // The ABI's result of a vendor call that returned `code` (0 is success),
  // with the thread's message set on failure. A sticky code marks `health`
  // (when given) lost and answers HAL_ERROR_UNAVAILABLE.
  hal_result Check(int code, std::string_view function, std::string_view description,
                   ContextHealth* health) const;

 private:
  std::unordered_map<int, const VendorError*> by_code_;
  hal_result unknown_result_;
};

}  // namespace hal::gpu

#endif  // HAL_BACKENDS_GPU_CORE_VENDOR_ERRORS_H_
