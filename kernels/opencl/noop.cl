// noop: does nothing; measures dispatch overhead. No bindings and no push
// constants, so the kernel takes no parameters at all.
__kernel __attribute__((reqd_work_group_size(1, 1, 1))) void noop(void) {}
