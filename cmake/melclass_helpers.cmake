# Shared compile settings and the one precompiled header every target reuses.
# torch/torch.h costs ~16 s per translation unit on 2 cores; compiled once as a
# PCH it costs that once per build.

set(MELCLASS_WARNINGS -Wall -Wextra -Wno-unused-parameter)

add_library(melclass_pch OBJECT ${PROJECT_SOURCE_DIR}/cmake/pch_stub.cpp)
target_link_libraries(melclass_pch PUBLIC torch nlohmann_json::nlohmann_json)
target_compile_options(melclass_pch PRIVATE ${MELCLASS_WARNINGS})
if(MELCLASS_USE_PCH)
  target_precompile_headers(melclass_pch PRIVATE
    <torch/torch.h> <nlohmann/json.hpp> <string> <vector> <filesystem>)
endif()

# melclass_target(NAME) applies warnings, include dirs and the shared PCH.
function(melclass_target name)
  target_compile_options(${name} PRIVATE ${MELCLASS_WARNINGS})
  if(MELCLASS_USE_PCH)
    target_precompile_headers(${name} REUSE_FROM melclass_pch)
  endif()
endfunction()

# melclass_stage(NAME SOURCES... DEPS deps...) declares one pipeline stage
# as a static library melclass_NAME.
function(melclass_stage name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  add_library(melclass_${name} STATIC ${ARG_SOURCES})
  target_include_directories(melclass_${name} PUBLIC ${PROJECT_SOURCE_DIR}/src)
  target_link_libraries(melclass_${name} PUBLIC ${ARG_DEPS})
  melclass_target(melclass_${name})
endfunction()

# MELCLASS_TORCH_OLD_ABI: whether LibTorch was built with the pre-C++11
# libstdc++ ABI (the "pre-cxx11" LibTorch packages and wheels before 2.7): its
# TorchConfig then adds -D_GLIBCXX_USE_CXX11_ABI=0 to every target, and C++
# libraries built by the system (Debian's GoogleTest and Google Benchmark)
# no longer link with them (std::string symbols differ).
get_target_property(_melclass_torch_opts torch INTERFACE_COMPILE_OPTIONS)
if(_melclass_torch_opts MATCHES "_GLIBCXX_USE_CXX11_ABI=0")
  set(MELCLASS_TORCH_OLD_ABI ON)
else()
  set(MELCLASS_TORCH_OLD_ABI OFF)
endif()
