# hal-cts sources of conformance/coverage/ (see conformance/CMakeLists.txt).
