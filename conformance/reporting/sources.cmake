# hal-cts sources of conformance/reporting/ (see conformance/CMakeLists.txt).
