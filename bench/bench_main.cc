#include "bench/bench_main.h"

#include "absl/flags/parse.h"

namespace hal::bench {

int RunBenchmarkMain(int argc, char** argv, benchmark::BenchmarkReporter* display_reporter) {
  // Initialize removes the --benchmark_* flags it recognized from argv.
  benchmark::Initialize(&argc, argv);
  absl::ParseCommandLine(argc, argv);
  benchmark::RunSpecifiedBenchmarks(display_reporter);
  benchmark::Shutdown();
  return 0;
}

}  // namespace hal::bench
