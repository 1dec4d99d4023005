# hal-cts sources of conformance/scale/ (see conformance/CMakeLists.txt):
# many queues and events at once, memory pressure, virtual devices.
target_sources(hal-cts PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/scale_limits.cc
  ${CMAKE_CURRENT_LIST_DIR}/increment_chain.cc
  ${CMAKE_CURRENT_LIST_DIR}/tenants.cc
  ${CMAKE_CURRENT_LIST_DIR}/stream_scale_test.cc
  ${CMAKE_CURRENT_LIST_DIR}/memory_pressure_test.cc
  ${CMAKE_CURRENT_LIST_DIR}/virtual_device_quota_test.cc
  ${CMAKE_CURRENT_LIST_DIR}/virtual_device_isolation_test.cc
  ${CMAKE_CURRENT_LIST_DIR}/virtual_device_overcommit_test.cc
  ${CMAKE_CURRENT_LIST_DIR}/virtual_device_compute_test.cc
)
