#version 450
// saxpy_f32: y[i] = a * x[i] + y[i] for i < n (kernels/README.md).
layout(local_size_x = 256) in;
layout(set = 0, binding = 0) readonly buffer X { float data[]; } x;
layout(set = 0, binding = 1) buffer Y { float data[]; } y;
layout(push_constant) uniform PushConstants { float a; uint n; } pc;

void main() {
  uint i = gl_GlobalInvocationID.x;
  if (i < pc.n) y.data[i] = pc.a * x.data[i] + y.data[i];
}
