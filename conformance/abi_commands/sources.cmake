# hal-cts sources of conformance/abi_commands/ (see conformance/CMakeLists.txt).
