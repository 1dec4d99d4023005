// noop: does nothing; measures dispatch overhead. No bindings and no push
// constants, so the kernel takes no parameters at all.
extern "C" __global__ void __launch_bounds__(1) noop() {}
