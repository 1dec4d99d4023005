#version 450
// gemm_f32: C = alpha * A * B + beta * C, row-major, A is MxK, B is KxN
// (kernels/README.md). Workgroup (x, y) computes the 16x16 tile of C at column
// 16x, row 16y; A and B are staged through shared memory 16 columns of K at a
// time. beta == 0 does not read C.
layout(local_size_x = 16, local_size_y = 16) in;
layout(set = 0, binding = 0) readonly buffer A { float data[]; } a;
layout(set = 0, binding = 1) readonly buffer B { float data[]; } b;
layout(set = 0, binding = 2) buffer C { float data[]; } c;
layout(push_constant) uniform PushConstants { uint m; uint n; uint k; float alpha; float beta; } pc;

shared float a_tile[16][16];
shared float b_tile[16][16];

void main() {
  uint col = gl_WorkGroupID.x * 16 + gl_LocalInvocationID.x;
  uint row = gl_WorkGroupID.y * 16 + gl_LocalInvocationID.y;
  uint tx = gl_LocalInvocationID.x;
  uint ty = gl_LocalInvocationID.y;
  float acc = 0.0;
  for (uint k0 = 0; k0 < pc.k; k0 += 16) {
    a_tile[ty][tx] = (row < pc.m && k0 + tx < pc.k) ? a.data[row * pc.k + k0 + tx] : 0.0;
    b_tile[ty][tx] = (col < pc.n && k0 + ty < pc.k) ? b.data[(k0 + ty) * pc.n + col] : 0.0;
    barrier();
    for (uint kk = 0; kk < 16; ++kk) acc += a_tile[ty][kk] * b_tile[kk][tx];
    barrier();
  }
  if (row < pc.m && col < pc.n) {
    uint at = row * pc.n + col;
    c.data[at] = pc.alpha * acc + (pc.beta == 0.0 ? 0.0 : pc.beta * c.data[at]);
  }
}
