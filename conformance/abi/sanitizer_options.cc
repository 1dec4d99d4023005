// The out-of-memory tests (AbiMemory, AbiDevice, AbiContext) ask a driver for
// more than any machine has; the sanitizers' allocators would abort the
// process instead of letting the driver's allocation fail, as it does in a
// vendor's build. Read by the sanitizer runtimes at start-up; the
// environment's ASAN_OPTIONS/TSAN_OPTIONS still apply on top.
extern "C" __attribute__((visibility("default"))) const char* __asan_default_options() {
  return "allocator_may_return_null=1";
}
extern "C" __attribute__((visibility("default"))) const char* __tsan_default_options() {
  return "allocator_may_return_null=1";
}
