#version 450
// noop: does nothing; measures dispatch overhead.
layout(local_size_x = 1) in;

void main() {}
