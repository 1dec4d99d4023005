#version 450
#extension GL_GOOGLE_include_directive : require
// reduce_sum_f32: out[w] = sum of in[w*epw, min(n, (w+1)*epw)) for workgroup
// w < ceil(n/epw), w the linear workgroup index (kernels/README.md): each
// invocation sums a strided slice, then the workgroup reduces the 256 partial
// sums as a tree in shared memory.
layout(local_size_x = 256) in;
#include "grid.glsl"
layout(set = 0, binding = 0) readonly buffer In { float data[]; } in_buf;
layout(set = 0, binding = 1) writeonly buffer Out { float data[]; } out_buf;
layout(push_constant) uniform PushConstants { uint n; uint elements_per_workgroup; } pc;

shared float partial[256];

void main() {
  uint w = LinearWorkgroup();
  uint lane = gl_LocalInvocationID.x;
  uint epw = pc.elements_per_workgroup;
  // Workgroups past ceil(n / epw) write nothing, as on every backend; the
  // whole workgroup returns, so the barriers below stay uniform.
  if (epw == 0 || w >= pc.n / epw + (pc.n % epw == 0 ? 0 : 1)) return;
  uint begin = w * epw;
  uint end = begin + min(epw, pc.n - begin);
  float sum = 0.0;
  for (uint i = begin + lane; i < end; i += 256) sum += in_buf.data[i];
  partial[lane] = sum;
  barrier();
  for (uint width = 128; width > 0; width /= 2) {
    if (lane < width) partial[lane] += partial[lane + width];
    barrier();
  }
  if (lane == 0) out_buf.data[w] = partial[0];
}
