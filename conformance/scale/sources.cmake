# hal-cts sources of conformance/scale/ (see conformance/CMakeLists.txt).
