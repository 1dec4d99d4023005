#include "backends/hip/hip_errors.h"

#include <string>

#include "backends/hip/hip_api.h"

namespace hal::hip {
namespace {

// Every hipError_t of Debian's ROCm 5.2 hip_runtime_api.h under its first
// name (later names of a value are aliases: hipErrorMemoryAllocation is
// hipErrorOutOfMemory), its hal_result and whether it is sticky: after an
// illegal address, a kernel's exception, a device assert, an uncorrectable
// ECC error or a timeout the HIP runtime answers every later call on the
// device with the same error. hip_errors_test checks the table against the
// header.
#define HAL_HIP_ERROR(code, result) \
  { code, #code, result, false }
#define HAL_HIP_STICKY(code, result) \
  { code, #code, result, true }
constexpr gpu::VendorError kHipErrors[] = {
    HAL_HIP_ERROR(hipSuccess, HAL_SUCCESS),
    HAL_HIP_ERROR(hipErrorInvalidValue, HAL_ERROR_INVALID_ARGUMENT),
    HAL_HIP_ERROR(hipErrorOutOfMemory, HAL_ERROR_OUT_OF_MEMORY),
    HAL_HIP_ERROR(hipErrorNotInitialized, HAL_ERROR_UNAVAILABLE),
    HAL_HIP_ERROR(hipErrorDeinitialized, HAL_ERROR_UNAVAILABLE),
    HAL_HIP_ERROR(hipErrorProfilerDisabled, HAL_ERROR_UNSUPPORTED),
    HAL_HIP_ERROR(hipErrorProfilerNotInitialized, HAL_ERROR_FAILED_PRECONDITION),
    HAL_HIP_ERROR(hipErrorProfilerAlreadyStarted, HAL_ERROR_FAILED_PRECONDITION),
    HAL_HIP_ERROR(hipErrorProfilerAlreadyStopped, HAL_ERROR_FAILED_PRECONDITION),
    {hipErrorInvalidConfiguration, "hipErrorInvalidConfiguration", HAL_ERROR_INVALID_ARGUMENT,
     false},
    HAL_HIP_ERROR(hipErrorInvalidPitchValue, HAL_ERROR_INVALID_ARGUMENT),
    HAL_HIP_ERROR(hipErrorInvalidSymbol, HAL_ERROR_INVALID_ARGUMENT),
    {hipErrorInvalidDevicePointer, "hipErrorInvalidDevicePointer", HAL_ERROR_INVALID_ARGUMENT,
     false},
    {hipErrorInvalidMemcpyDirection, "hipErrorInvalidMemcpyDirection", HAL_ERROR_INVALID_ARGUMENT,
     false},
    HAL_HIP_ERROR(hipErrorInsufficientDriver, HAL_ERROR_UNAVAILABLE),
    {hipErrorMissingConfiguration, "hipErrorMissingConfiguration", HAL_ERROR_INVALID_ARGUMENT,
     false},
    HAL_HIP_STICKY(hipErrorPriorLaunchFailure, HAL_ERROR_UNAVAILABLE),
    {hipErrorInvalidDeviceFunction, "hipErrorInvalidDeviceFunction", HAL_ERROR_INVALID_ARGUMENT,
     false},
    HAL_HIP_ERROR(hipErrorNoDevice, HAL_ERROR_UNAVAILABLE),
    HAL_HIP_ERROR(hipErrorInvalidDevice, HAL_ERROR_INVALID_ARGUMENT),
    HAL_HIP_ERROR(hipErrorInvalidImage, HAL_ERROR_INVALID_ARGUMENT),
    HAL_HIP_ERROR(hipErrorInvalidContext, HAL_ERROR_FAILED_PRECONDITION),
    {hipErrorContextAlreadyCurrent, "hipErrorContextAlreadyCurrent", HAL_ERROR_FAILED_PRECONDITION,
     false},
    HAL_HIP_ERROR(hipErrorMapFailed, HAL_ERROR_INTERNAL),
    HAL_HIP_ERROR(hipErrorUnmapFailed, HAL_ERROR_INTERNAL),
    HAL_HIP_ERROR(hipErrorArrayIsMapped, HAL_ERROR_FAILED_PRECONDITION),
    HAL_HIP_ERROR(hipErrorAlreadyMapped, HAL_ERROR_FAILED_PRECONDITION),
    HAL_HIP_ERROR(hipErrorNoBinaryForGpu, HAL_ERROR_INVALID_ARGUMENT),
    HAL_HIP_ERROR(hipErrorAlreadyAcquired, HAL_ERROR_FAILED_PRECONDITION),
    HAL_HIP_ERROR(hipErrorNotMapped, HAL_ERROR_FAILED_PRECONDITION),
    HAL_HIP_ERROR(hipErrorNotMappedAsArray, HAL_ERROR_FAILED_PRECONDITION),
    {hipErrorNotMappedAsPointer, "hipErrorNotMappedAsPointer", HAL_ERROR_FAILED_PRECONDITION,
     false},
    HAL_HIP_STICKY(hipErrorECCNotCorrectable, HAL_ERROR_UNAVAILABLE),
    HAL_HIP_ERROR(hipErrorUnsupportedLimit, HAL_ERROR_INVALID_ARGUMENT),
    {hipErrorContextAlreadyInUse, "hipErrorContextAlreadyInUse", HAL_ERROR_FAILED_PRECONDITION,
     false},
    HAL_HIP_ERROR(hipErrorPeerAccessUnsupported, HAL_ERROR_UNSUPPORTED),
    HAL_HIP_ERROR(hipErrorInvalidKernelFile, HAL_ERROR_INVALID_ARGUMENT),
    HAL_HIP_ERROR(hipErrorInvalidGraphicsContext, HAL_ERROR_FAILED_PRECONDITION),
    HAL_HIP_ERROR(hipErrorInvalidSource, HAL_ERROR_INVALID_ARGUMENT),
    HAL_HIP_ERROR(hipErrorFileNotFound, HAL_ERROR_INVALID_ARGUMENT),
    {hipErrorSharedObjectSymbolNotFound, "hipErrorSharedObjectSymbolNotFound", HAL_ERROR_NOT_FOUND,
     false},
    HAL_HIP_ERROR(hipErrorSharedObjectInitFailed, HAL_ERROR_INTERNAL),
    HAL_HIP_ERROR(hipErrorOperatingSystem, HAL_ERROR_INTERNAL),
    HAL_HIP_ERROR(hipErrorInvalidHandle, HAL_ERROR_INVALID_ARGUMENT),
    HAL_HIP_ERROR(hipErrorIllegalState, HAL_ERROR_FAILED_PRECONDITION),
    HAL_HIP_ERROR(hipErrorNotFound, HAL_ERROR_NOT_FOUND),
    HAL_HIP_ERROR(hipErrorNotReady, HAL_NOT_READY),
    HAL_HIP_STICKY(hipErrorIllegalAddress, HAL_ERROR_UNAVAILABLE),
    {hipErrorLaunchOutOfResources, "hipErrorLaunchOutOfResources", HAL_ERROR_INVALID_ARGUMENT,
     false},
    HAL_HIP_STICKY(hipErrorLaunchTimeOut, HAL_ERROR_UNAVAILABLE),
    HAL_HIP_ERROR(hipErrorPeerAccessAlreadyEnabled, HAL_ERROR_FAILED_PRECONDITION),
    {hipErrorPeerAccessNotEnabled, "hipErrorPeerAccessNotEnabled", HAL_ERROR_FAILED_PRECONDITION,
     false},
    {hipErrorSetOnActiveProcess, "hipErrorSetOnActiveProcess", HAL_ERROR_FAILED_PRECONDITION,
     false},
    HAL_HIP_ERROR(hipErrorContextIsDestroyed, HAL_ERROR_UNAVAILABLE),
    HAL_HIP_STICKY(hipErrorAssert, HAL_ERROR_UNAVAILABLE),
    HAL_HIP_ERROR(hipErrorHostMemoryAlreadyRegistered, HAL_ERROR_FAILED_PRECONDITION),
    HAL_HIP_ERROR(hipErrorHostMemoryNotRegistered, HAL_ERROR_FAILED_PRECONDITION),
    HAL_HIP_STICKY(hipErrorLaunchFailure, HAL_ERROR_UNAVAILABLE),
    HAL_HIP_ERROR(hipErrorCooperativeLaunchTooLarge, HAL_ERROR_INVALID_ARGUMENT),
    HAL_HIP_ERROR(hipErrorNotSupported, HAL_ERROR_UNSUPPORTED),
    {hipErrorStreamCaptureUnsupported, "hipErrorStreamCaptureUnsupported", HAL_ERROR_UNSUPPORTED,
     false},
    HAL_HIP_ERROR(hipErrorStreamCaptureInvalidated, HAL_ERROR_FAILED_PRECONDITION),
    {hipErrorStreamCaptureMerge, "hipErrorStreamCaptureMerge", HAL_ERROR_FAILED_PRECONDITION,
     false},
    HAL_HIP_ERROR(hipErrorStreamCaptureUnmatched, HAL_ERROR_FAILED_PRECONDITION),
    {hipErrorStreamCaptureUnjoined, "hipErrorStreamCaptureUnjoined", HAL_ERROR_FAILED_PRECONDITION,
     false},
    HAL_HIP_ERROR(hipErrorStreamCaptureIsolation, HAL_ERROR_FAILED_PRECONDITION),
    {hipErrorStreamCaptureImplicit, "hipErrorStreamCaptureImplicit", HAL_ERROR_FAILED_PRECONDITION,
     false},
    HAL_HIP_ERROR(hipErrorCapturedEvent, HAL_ERROR_FAILED_PRECONDITION),
    HAL_HIP_ERROR(hipErrorStreamCaptureWrongThread, HAL_ERROR_FAILED_PRECONDITION),
    HAL_HIP_ERROR(hipErrorGraphExecUpdateFailure, HAL_ERROR_FAILED_PRECONDITION),
    HAL_HIP_ERROR(hipErrorUnknown, HAL_ERROR_INTERNAL),
    HAL_HIP_ERROR(hipErrorRuntimeMemory, HAL_ERROR_INTERNAL),
    HAL_HIP_ERROR(hipErrorRuntimeOther, HAL_ERROR_INTERNAL),
};
#undef HAL_HIP_STICKY
#undef HAL_HIP_ERROR

}  // namespace

const gpu::VendorErrorTable& HipErrors() {
  // Destroyed when the runtime unloads the driver (a leaked singleton would
  // be lost at every unload).
  static const gpu::VendorErrorTable table(kHipErrors, HAL_ERROR_INTERNAL);
  return table;
}

namespace {

// What the loaded library says of `code` beyond the table's name: the name
// hipGetErrorName gives a code the table lacks (a newer runtime's), and
// hipGetErrorString's text where it is more than the name (ROCm's often is
// the name itself).
std::string LibraryDescription(hipError_t code) {
  const HipApi& api = Api();
  const gpu::VendorError* known = HipErrors().Find(code);
  const std::string name = known != nullptr                 ? known->name
                           : api.hipGetErrorName != nullptr ? api.hipGetErrorName(code)
                                                            : "";
  const char* text = api.hipGetErrorString != nullptr ? api.hipGetErrorString(code) : nullptr;
  std::string description = known != nullptr ? "" : name;
  if (text != nullptr && name != text) {
    description += (description.empty() ? "" : ": ") + std::string(text);
  }
  return description;
}

}  // namespace

hal_result Check(hipError_t result, const char* function, gpu::ContextHealth* health) {
  return result == hipSuccess
             ? HAL_SUCCESS
             : HipErrors().Check(result, function, LibraryDescription(result), health);
}

}  // namespace hal::hip
