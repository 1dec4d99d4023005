# cmake -DSOURCE=<kernel.cl> -DOUTPUT=<out.cl> -DDEPFILE=<out.cl.d> -P HalOpenClSource.cmake
#
# Makes an OpenCL C kernel source self-contained, as hal_add_kernel_bundle's
# opencl-c images must be (the driver compiles the text alone, at run time):
# each `#include "file"` line is replaced by that file's text, found beside
# the file that includes it, recursively, each file pasted once (a file
# included again is dropped, as its include guard would drop it). Includes in
# <> are left for the run-time compiler. Unlike a preprocessor run, nothing
# else changes: macros, comments and #if blocks reach the run-time compiler,
# which may define other macros than the build's compiler. DEPFILE lists the
# files pasted, for the build to track.
cmake_minimum_required(VERSION 3.25)
if(NOT SOURCE OR NOT OUTPUT OR NOT DEPFILE)
  message(FATAL_ERROR "HalOpenClSource.cmake needs -DSOURCE, -DOUTPUT and -DDEPFILE")
endif()

set(hal_pasted_files)

# Appends `path`'s text, its quoted includes pasted, to the variable `out`.
# The text is cut at each include line rather than split into lines: CMake
# lists split at semicolons, which OpenCL C is full of.
function(hal_paste_includes path out)
  get_filename_component(path "${path}" REALPATH)
  if(path IN_LIST hal_pasted_files)
    return()
  endif()
  if(NOT EXISTS "${path}")
    message(FATAL_ERROR "${SOURCE}: cannot paste ${path}: no such file")
  endif()
  list(APPEND hal_pasted_files "${path}")
  get_filename_component(directory "${path}" DIRECTORY)
  file(READ "${path}" rest)
  set(text "${${out}}")
  while(rest MATCHES "(^|\n)([ \t]*#[ \t]*include[ \t]*\"([^\"\n;]+)\"[^\n]*)")
    set(include_line "${CMAKE_MATCH_2}")
    set(included "${directory}/${CMAKE_MATCH_3}")
    string(FIND "${rest}" "${include_line}" at)
    string(SUBSTRING "${rest}" 0 ${at} before)
    string(LENGTH "${include_line}" length)
    math(EXPR after "${at} + ${length}")
    string(SUBSTRING "${rest}" ${after} -1 rest)
    string(APPEND text "${before}")
    hal_paste_includes("${included}" text)
  endwhile()
  string(APPEND text "${rest}")
  set(${out} "${text}" PARENT_SCOPE)
  set(hal_pasted_files "${hal_pasted_files}" PARENT_SCOPE)
endfunction()

set(pasted "")
hal_paste_includes("${SOURCE}" pasted)
file(WRITE "${OUTPUT}" "${pasted}")
set(dependencies)
foreach(path IN LISTS hal_pasted_files)
  string(REPLACE " " "\\ " path "${path}")
  list(APPEND dependencies "${path}")
endforeach()
list(JOIN dependencies " " dependencies)
file(WRITE "${DEPFILE}" "${OUTPUT}: ${dependencies}\n")
