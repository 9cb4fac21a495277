# ugwGenerate.cmake - run the ugw generator from a CMake build.
#
#   ugw_generate(<target> SCHEMA <file.toml> PREFIX <p>
#                [NO_FIXTURES] [CLI <exe>] [HEADER_DIR <dir>]
#                [COMPAT_BASELINE <old.toml>])
#
# Generates the C bindings of <file.toml> into the build tree
# (${CMAKE_CURRENT_BINARY_DIR}/<target>_generated, never the source tree),
# again whenever the schema or the generator changes, and defines:
#   - a library <target> (static or shared by BUILD_SHARED_LIBS) whose public
#     headers are <p>_events.h, <p>_events_client.h and, unless NO_FIXTURES,
#     <p>_fixtures.h, linked to ugw::runtime. Every generated name is
#     <p>_.../<P>_...; the runtime's names stay ugw_...;
#   - with CLI <exe>: an executable <exe> with ugw's subcommands (validate,
#     convert, fixtures, send, serve, sign, verify, demo) for this schema,
#     linked to ugw::cli; the commands that sign, send or receive come from
#     ugw's commands module (lib/ugw/ugw-commands.so, loaded when one runs);
#     with ugw as a subproject, a link to it is made beside <exe>;
#   - <target>_GENERATED_DIR in the caller's scope: the output folder; the
#     fixtures are in its fixtures/ subfolder (unless NO_FIXTURES).
# HEADER_DIR puts the headers in a subfolder (include them as <dir/p_events.h>).
# The output folder also holds the exported documents (events.schema.json,
# events.strict.schema.json, openapi.json, openapi.strict.json).
#
# COMPAT_BASELINE <old.toml>: a released version of the schema. Before each
# generation `ugw-codegen diff --check-version <old.toml> <file.toml>` runs,
# and the build fails on a change that breaks receivers or senders unless the
# schema's `version` is higher than the baseline's; <target>_check_compat runs
# the same check on its own.
#
# A schema may include others (include = ["ugw:events.toml", "common.toml"],
# docs/SCHEMA.md): the generator lists every file it read in a depfile, so
# editing an included schema regenerates as editing <file.toml> does.
#
# The generator needs Python 3.11+ with jinja2 (Debian: python3-jinja2); it is
# looked for in $UGW_PYTHON, /usr/bin/python3, then python3 on PATH, or set the
# cache variable UGW_PYTHON.

# cmake -DUGW_MODULE=<file> -DUGW_MODULE_LINK=<path> -P ugwGenerate.cmake:
# the link to ugw's commands module that ugw_generate(... CLI) makes beside
# its executable (none when that place is the module itself).
if(CMAKE_SCRIPT_MODE_FILE AND DEFINED UGW_MODULE_LINK)
  get_filename_component(_ugw_a "${UGW_MODULE}" REALPATH)
  get_filename_component(_ugw_b "${UGW_MODULE_LINK}" REALPATH)
  if(NOT _ugw_a STREQUAL _ugw_b)
    file(CREATE_LINK "${UGW_MODULE}" "${UGW_MODULE_LINK}" SYMBOLIC)
  endif()
  return()
endif()

include_guard(GLOBAL)
set_property(GLOBAL PROPERTY UGW_GENERATE_FILE "${CMAKE_CURRENT_LIST_FILE}")

# ugw_find_python(<out>): a Python 3.11+ that imports jinja2 and tomllib, or "".
function(ugw_find_python out)
  if(UGW_PYTHON)
    set(${out} "${UGW_PYTHON}" PARENT_SCOPE)
    return()
  endif()
  set(candidates)
  if(DEFINED ENV{UGW_PYTHON})
    list(APPEND candidates "$ENV{UGW_PYTHON}")
  endif()
  list(APPEND candidates /usr/bin/python3)
  find_program(_ugw_path_python3 NAMES python3 NO_CACHE)
  if(_ugw_path_python3)
    list(APPEND candidates "${_ugw_path_python3}")
  endif()
  foreach(py IN LISTS candidates)
    if(EXISTS "${py}")
      execute_process(COMMAND "${py}" -c "import jinja2, tomllib"
                      RESULT_VARIABLE rc OUTPUT_QUIET ERROR_QUIET)
      if(rc EQUAL 0)
        message(STATUS "ugw: the generator runs with ${py}")
        set(UGW_PYTHON "${py}" CACHE FILEPATH "Python 3.11+ with jinja2 for the ugw generator")
        set(${out} "${py}" PARENT_SCOPE)
        return()
      endif()
    endif()
  endforeach()
  list(JOIN candidates ", " tried)
  message(STATUS "ugw: no Python 3.11+ with jinja2 found (tried ${tried}); "
                 "install it with: apt-get install python3-jinja2")
  set(${out} "" PARENT_SCOPE)
endfunction()

# The files of the generator, for dependencies.
function(ugw_codegen_sources out)
  get_property(dir GLOBAL PROPERTY UGW_CODEGEN_DIR)
  file(GLOB files CONFIGURE_DEPENDS ${dir}/*.py ${dir}/ugwgen/*.py ${dir}/ugwgen/*.txt
                                    ${dir}/templates/*.j2)
  set(${out} ${files} PARENT_SCOPE)
endfunction()

function(ugw_generate target)
  cmake_parse_arguments(A "NO_FIXTURES" "SCHEMA;PREFIX;CLI;HEADER_DIR;COMPAT_BASELINE" "" ${ARGN})
  if(A_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "ugw_generate(${target}): unknown arguments: ${A_UNPARSED_ARGUMENTS}")
  endif()
  if(NOT A_SCHEMA OR NOT A_PREFIX)
    message(FATAL_ERROR "ugw_generate(${target}): SCHEMA <file.toml> and PREFIX <p> are required")
  endif()
  if(NOT A_PREFIX MATCHES "^[a-z][a-z0-9_]*$")
    message(FATAL_ERROR "ugw_generate(${target}): PREFIX '${A_PREFIX}' must be a lower-case C identifier")
  endif()
  if(A_CLI AND NOT TARGET ugw::cli)
    message(FATAL_ERROR "ugw_generate(${target}): CLI needs ugw::cli (build ugw with UGW_BUILD_CLI=ON)")
  endif()
  ugw_find_python(py)
  if(NOT py)
    message(FATAL_ERROR "ugw_generate(${target}): the generator needs Python 3.11+ with jinja2: "
                        "apt-get install python3-jinja2 (or set UGW_PYTHON)")
  endif()
  get_property(codegen_dir GLOBAL PROPERTY UGW_CODEGEN_DIR)
  ugw_codegen_sources(codegen_files)

  get_filename_component(schema "${A_SCHEMA}" ABSOLUTE BASE_DIR "${CMAKE_CURRENT_SOURCE_DIR}")
  file(RELATIVE_PATH schema_name "${CMAKE_CURRENT_SOURCE_DIR}" "${schema}")
  set(out "${CMAKE_CURRENT_BINARY_DIR}/${target}_generated")
  set(hdir "${out}")
  set(args --schema "${schema}" --name "${schema_name}" --out "${out}" --prefix "${A_PREFIX}" --quiet)
  if(A_HEADER_DIR)
    set(hdir "${out}/${A_HEADER_DIR}")
    list(APPEND args --header-dir "${A_HEADER_DIR}")
  endif()
  set(sources "${out}/${A_PREFIX}_events.c")
  set(headers "${hdir}/${A_PREFIX}_events.h" "${hdir}/${A_PREFIX}_events_client.h")
  if(A_NO_FIXTURES)
    list(APPEND args --no-fixtures)
  else()
    list(APPEND sources "${out}/${A_PREFIX}_fixtures.c")
    list(APPEND headers "${hdir}/${A_PREFIX}_fixtures.h")
  endif()
  set(cli_main)
  if(A_CLI)
    list(APPEND args --cli)
    set(cli_main "${out}/${A_PREFIX}_cli_main.c")
  endif()

  # The generator rewrites only files whose bytes change, so the stamp is
  # what the build tracks.
  set(stamp "${out}/codegen.stamp")
  # The schema files it includes (include = [...]) are in the depfile the
  # generator writes, so that editing one regenerates too.
  set(depfile "${out}/codegen.d")
  set(compat_command)
  set(baseline)
  if(A_COMPAT_BASELINE)
    get_filename_component(baseline "${A_COMPAT_BASELINE}" ABSOLUTE BASE_DIR "${CMAKE_CURRENT_SOURCE_DIR}")
    set(compat_command COMMAND "${py}" "${codegen_dir}/ugw_codegen.py" diff --check-version --prefix "${A_PREFIX}"
        "${baseline}" "${schema}")
    add_custom_target(${target}_check_compat ${compat_command}
      COMMENT "ugw: ${schema_name} against its baseline ${A_COMPAT_BASELINE}" VERBATIM)
  endif()
  add_custom_command(
    OUTPUT "${stamp}"
    BYPRODUCTS ${sources} ${headers} ${cli_main}
    ${compat_command}
    COMMAND "${py}" "${codegen_dir}/ugw_codegen.py" ${args} --stamp "${stamp}" --depfile "${depfile}"
    DEPENDS "${schema}" ${baseline} ${codegen_files}
    DEPFILE "${depfile}"
    COMMENT "ugw: generating ${A_PREFIX}_* bindings from ${schema_name}"
    VERBATIM)
  add_custom_target(${target}_generate DEPENDS "${stamp}")

  add_library(${target} ${sources})
  add_dependencies(${target} ${target}_generate)
  target_include_directories(${target} PUBLIC "$<BUILD_INTERFACE:${out}>")
  target_link_libraries(${target} PUBLIC ugw::runtime)
  set_target_properties(${target} PROPERTIES POSITION_INDEPENDENT_CODE ON C_VISIBILITY_PRESET hidden)
  target_compile_features(${target} PRIVATE c_std_11)

  if(A_CLI)
    add_executable(${A_CLI} "${cli_main}")
    add_dependencies(${A_CLI} ${target}_generate)
    target_link_libraries(${A_CLI} PRIVATE ${target} ugw::cli)
    target_compile_features(${A_CLI} PRIVATE c_std_11)
    # With ugw in the same build (a subproject), the commands module is not
    # installed yet: a link to it beside <exe>, where <exe> looks first.
    # An installed ugw's module is found where it was installed.
    if(TARGET ugw_cli_module)
      get_property(_ugw_generate_file GLOBAL PROPERTY UGW_GENERATE_FILE)
      add_dependencies(${A_CLI} ugw_cli_module)
      add_custom_command(TARGET ${A_CLI} POST_BUILD
        COMMAND ${CMAKE_COMMAND} -DUGW_MODULE=$<TARGET_FILE:ugw_cli_module>
                -DUGW_MODULE_LINK=$<TARGET_FILE_DIR:${A_CLI}>/$<TARGET_FILE_NAME:ugw_cli_module>
                -P ${_ugw_generate_file}
        VERBATIM)
    endif()
  endif()
  set(${target}_GENERATED_DIR "${out}" PARENT_SCOPE)
endfunction()
