#version 450
// fill_f32: out[i] = value for i < n (kernels/README.md).
layout(local_size_x = 256) in;
layout(set = 0, binding = 0) writeonly buffer Out { float data[]; } out_buf;
layout(push_constant) uniform PushConstants { float value; uint n; } pc;

void main() {
  uint i = gl_GlobalInvocationID.x;
  if (i < pc.n) out_buf.data[i] = pc.value;
}
