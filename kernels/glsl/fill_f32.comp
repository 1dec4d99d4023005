#version 450
#extension GL_GOOGLE_include_directive : require
// fill_f32: out[i] = value for i < n (kernels/README.md).
layout(local_size_x = 256) in;
#include "grid.glsl"
layout(set = 0, binding = 0) writeonly buffer Out { float data[]; } out_buf;
layout(push_constant) uniform PushConstants { float value; uint n; } pc;

void main() {
  uint i = ElementIndex(pc.n);
  if (i < pc.n) out_buf.data[i] = pc.value;
}
