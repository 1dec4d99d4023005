// The main() of every harness: Google Benchmark's flags first, then hal's own
// (--bundle) through Abseil flags, which rejects anything left unrecognized.
#ifndef HAL_BENCH_BENCH_MAIN_H_
#define HAL_BENCH_BENCH_MAIN_H_

#include "benchmark/benchmark.h"

namespace hal::bench {

// Runs the registered benchmarks and returns the process exit code.
// `display_reporter` replaces the console output when not null.
int RunBenchmarkMain(int argc, char** argv,
                     benchmark::BenchmarkReporter* display_reporter = nullptr);

}  // namespace hal::bench

#endif  // HAL_BENCH_BENCH_MAIN_H_
