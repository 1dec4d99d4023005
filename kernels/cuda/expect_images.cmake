# cmake -DHAL_PACK=<hal-pack> -DBUNDLE=<file.halb> -DEXPECTED=<format>,... -P expect_images.cmake
# Fails unless `hal-pack --list BUNDLE` shows an image of every EXPECTED format
# holding every kernel: the standard bundle has the CUDA images nvcc built.
execute_process(COMMAND "${HAL_PACK}" --list "${BUNDLE}"
                OUTPUT_VARIABLE listing RESULT_VARIABLE failed)
if(failed)
  message(FATAL_ERROR "hal-pack --list ${BUNDLE} failed (${failed})")
endif()
string(REPLACE "," ";" expected "${EXPECTED}")
foreach(format IN LISTS expected)
  string(REGEX MATCH "\n  image  ${format}  [0-9]+ bytes" found "${listing}")
  if(NOT found)
    message(FATAL_ERROR "${BUNDLE} has no ${format} image of every kernel:\n${listing}")
  endif()
endforeach()
