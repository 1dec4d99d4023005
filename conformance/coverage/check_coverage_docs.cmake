# Checks that docs/cts.md holds, between its coverage-table markers, exactly
# the table `hal-cts --coverage` prints. With -DUPDATE=ON it rewrites that
# part of the file instead.
#   cmake -DHAL_CTS=<hal-cts> -DDOC=<docs/cts.md> [-DUPDATE=ON] -P check_coverage_docs.cmake
set(begin_marker "<!-- coverage-table-begin -->")
set(end_marker "<!-- coverage-table-end -->")
execute_process(COMMAND "${HAL_CTS}" --coverage
                OUTPUT_VARIABLE generated ERROR_VARIABLE errors RESULT_VARIABLE result)
if(NOT result EQUAL 0)
  message(FATAL_ERROR "${HAL_CTS} --coverage failed (${result}): ${errors}")
endif()
file(READ "${DOC}" doc)
string(FIND "${doc}" "${begin_marker}\n" begin)
string(FIND "${doc}" "${end_marker}" end)
if(begin EQUAL -1 OR end EQUAL -1 OR end LESS begin)
  message(FATAL_ERROR "${DOC} lacks the lines ${begin_marker} and ${end_marker}")
endif()
string(LENGTH "${begin_marker}\n" marker_length)
math(EXPR table_start "${begin} + ${marker_length}")
math(EXPR table_length "${end} - ${table_start}")
string(SUBSTRING "${doc}" ${table_start} ${table_length} documented)
if(documented STREQUAL generated)
  return()
endif()
if(UPDATE)
  string(SUBSTRING "${doc}" 0 ${table_start} head)
  string(SUBSTRING "${doc}" ${end} -1 tail)
  file(WRITE "${DOC}" "${head}${generated}${tail}")
  message(STATUS "updated the coverage table of ${DOC}")
  return()
endif()
file(WRITE "${CMAKE_CURRENT_BINARY_DIR}/coverage-table.md" "${generated}")
message(FATAL_ERROR
  "the coverage table of ${DOC} differs from what `hal-cts --coverage` prints "
  "(written to ${CMAKE_CURRENT_BINARY_DIR}/coverage-table.md). Regenerate it with\n"
  "  cmake -DHAL_CTS=${HAL_CTS} -DDOC=${DOC} -DUPDATE=ON -P ${CMAKE_CURRENT_LIST_FILE}")
