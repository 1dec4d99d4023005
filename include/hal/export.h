// HAL_API marks what libhal exports: the public classes and functions of
// include/hal/. libhal is built with hidden visibility, so everything else
// (hal::internal, the Abseil and JSON code inlined into it) stays private to
// the library and cannot be linked against or clash with a user's copy.
#ifndef HAL_EXPORT_H_
#define HAL_EXPORT_H_

#define HAL_API __attribute__((visibility("default")))
// A member of a HAL_API class that only libhal calls (a constructor taking
// internal state): kept out of the exports.
#define HAL_INTERNAL __attribute__((visibility("hidden")))

#endif  // HAL_EXPORT_H_
