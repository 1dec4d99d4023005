// Kernels for the fake libcuda's tests, in the kernel ABI (buffers as
// pointers, push constants as one by-value struct). Their CPU twins are in
// scale_kernels_cpu.cc; the fake runs those after checking the launch
// against the layout nvcc wrote into the cubin (.nv.info) or PTX (.entry).
struct ScaleConstants {
  float factor;
  unsigned int count;
  unsigned int unused;
};

// y[i] = factor * x[i] for i < count; workgroup size 64.
extern "C" __global__ void __launch_bounds__(64) scale_f32(const float* x, float* y,
                                                          ScaleConstants constants) {
  const unsigned int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i < constants.count) y[i] = constants.factor * x[i];
}

// data[i] += 1 for every thread; no push constants; workgroup size 32.
extern "C" __global__ void __launch_bounds__(32) increment_u32(unsigned int* data) {
  data[blockIdx.x * blockDim.x + threadIdx.x] += 1;
}
