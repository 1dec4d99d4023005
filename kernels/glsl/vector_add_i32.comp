#version 450
#extension GL_GOOGLE_include_directive : require
// vector_add_i32: c[i] = a[i] + b[i] for i < n, wrapping (kernels/README.md).
layout(local_size_x = 256) in;
#include "grid.glsl"
layout(set = 0, binding = 0) readonly buffer A { int data[]; } a;
layout(set = 0, binding = 1) readonly buffer B { int data[]; } b;
layout(set = 0, binding = 2) writeonly buffer C { int data[]; } c;
layout(push_constant) uniform PushConstants { uint n; } pc;

void main() {
  uint i = ElementIndex(pc.n);
  if (i < pc.n) c.data[i] = a.data[i] + b.data[i];
}
