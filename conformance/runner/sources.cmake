# hal-cts sources of conformance/runner/ (see conformance/CMakeLists.txt).
