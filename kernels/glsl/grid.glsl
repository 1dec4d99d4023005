// What the standard GLSL kernels share with their CPU versions
// (kernels/cpu/elementwise.h): workgroups are numbered x fastest, then y,
// then z, so a range larger than one grid dimension allows is dispatched as a
// 2-D or 3-D grid (kernels/README.md).

uint LinearWorkgroup() {
  return gl_WorkGroupID.x +
         gl_NumWorkGroups.x * (gl_WorkGroupID.y + gl_NumWorkGroups.y * gl_WorkGroupID.z);
}

// The element of this invocation in a 1-D range of n elements, or n for a
// workgroup past the end of the range (whose first element could wrap around
// 32 bits).
uint ElementIndex(uint n) {
  uint w = LinearWorkgroup();
  return w > n / gl_WorkGroupSize.x ? n : w * gl_WorkGroupSize.x + gl_LocalInvocationID.x;
}
