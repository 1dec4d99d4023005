// OpenCL C twins of tests/fake_cuda/testdata/scale_kernels.cu, for the fake
// Level Zero driver's tests: the same kernel ABI (buffers as __global
// pointers, push constants as one by-value struct), so the same CPU twins
// (tests/fake_cuda/testdata/scale_kernels_cpu.cc) run them.
typedef struct {
  float factor;
  uint count;
  uint unused;
} ScaleConstants;

// y[i] = factor * x[i] for i < count; workgroup size 64.
__kernel __attribute__((reqd_work_group_size(64, 1, 1)))
void scale_f32(__global const float* x, __global float* y, ScaleConstants constants) {
  const uint i = (uint)get_global_id(0);
  if (i < constants.count) y[i] = constants.factor * x[i];
}

// data[i] += 1 for every work-item; no push constants; workgroup size 32.
__kernel __attribute__((reqd_work_group_size(32, 1, 1)))
void increment_u32(__global uint* data) {
  data[get_global_id(0)] += 1;
}
