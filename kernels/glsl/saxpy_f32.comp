#version 450
#extension GL_GOOGLE_include_directive : require
// saxpy_f32: y[i] = a * x[i] + y[i] for i < n (kernels/README.md).
layout(local_size_x = 256) in;
#include "grid.glsl"
layout(set = 0, binding = 0) readonly buffer X { float data[]; } x;
layout(set = 0, binding = 1) buffer Y { float data[]; } y;
layout(push_constant) uniform PushConstants { float a; uint n; } pc;

void main() {
  uint i = ElementIndex(pc.n);
  if (i < pc.n) y.data[i] = pc.a * x.data[i] + y.data[i];
}
