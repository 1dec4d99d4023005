# hal-cts sources of conformance/numerics/ (see conformance/CMakeLists.txt).
