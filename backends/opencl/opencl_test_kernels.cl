// Kernels of the OpenCL driver's ABI tests, in the kernel ABI's OpenCL form:
// __global pointer bindings in order, then the push constants as one struct
// by value; the workgroup size is the reqd_work_group_size.
typedef struct {
  float a;
  uint n;
} ScaleConstants;

// y[i] = a * x[i] for i < n.
__kernel __attribute__((reqd_work_group_size(64, 1, 1))) void scale(__global const float* x,
                                                                    __global float* y,
                                                                    ScaleConstants constants) {
  const uint i = get_global_id(0);
  if (i < constants.n) y[i] = constants.a * x[i];
}

// Push constants passed as a pointer, against the kernel ABI.
__kernel __attribute__((reqd_work_group_size(64, 1, 1))) void constants_by_pointer(
    __global float* y, __global const ScaleConstants* constants) {
  y[get_global_id(0)] = constants->a;
}

// A by-value argument before a binding, against the kernel ABI.
__kernel __attribute__((reqd_work_group_size(1, 1, 1))) void mixed_arguments(
    __global float* y, float a, __global float* z) {
  y[0] = a;
  z[0] = a;
}

// No argument, nothing done: the empty dispatch.
__kernel __attribute__((reqd_work_group_size(1, 1, 1))) void empty(void) {}
