# hal-cts sources of conformance/abi/ (see conformance/CMakeLists.txt).
