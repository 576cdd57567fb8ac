# The `torch` target from a PyTorch package's own folders, without its CMake
# config. A CUDA LibTorch's TorchConfig.cmake loads Caffe2's public/cuda.cmake,
# which stops when the CUDA toolkit (nvcc, headers) is missing: "Your installed
# Caffe2 version uses CUDA but I cannot find the CUDA libraries", as on a bare
# PyTorch image that ships only the CUDA runtime libraries. melclass compiles
# no CUDA code: it needs the headers under include/ and the libraries under
# lib/ (torch_cuda when present, linked even though nothing names it, so that
# its CUDA kernels register). The CUDA libraries those depend on are found at
# run time through the package's own RPATHs, hence --allow-shlib-undefined.
#   MELCLASS_TORCH_DIR        the package folder: python3 -c 'import torch, os; print(os.path.dirname(torch.__file__))'
#   MELCLASS_TORCH_CXX11_ABI  its libstdc++ ABI: python3 -c 'import torch; print(int(torch._C._GLIBCXX_USE_CXX11_ABI))'
# Sets Torch_VERSION from include/torch/version.h. bench/gpu.sh falls back to
# this when find_package(Torch) fails.

set(MELCLASS_TORCH_CXX11_ABI 1 CACHE STRING "libstdc++ ABI of MELCLASS_TORCH_DIR's libraries (0 or 1)")
set(_api "${MELCLASS_TORCH_DIR}/include/torch/csrc/api/include")
if(NOT EXISTS "${_api}/torch/version.h")
  message(FATAL_ERROR "MELCLASS_TORCH_DIR=${MELCLASS_TORCH_DIR}: no include/torch/csrc/api/include/torch/version.h there")
endif()
file(STRINGS "${_api}/torch/version.h" _lines REGEX "#define TORCH_VERSION_(MAJOR|MINOR|PATCH) ")
set(_parts "")
foreach(_line IN LISTS _lines)
  string(REGEX REPLACE ".* ([0-9]+)$" "\\1" _n "${_line}")
  list(APPEND _parts "${_n}")
endforeach()
list(JOIN _parts "." Torch_VERSION)

set(_libs "")
foreach(_name torch torch_cpu c10 torch_cuda c10_cuda)
  unset(_lib_${_name} CACHE)  # searched again in MELCLASS_TORCH_DIR, which may have changed
  find_library(_lib_${_name} ${_name} PATHS "${MELCLASS_TORCH_DIR}/lib" NO_DEFAULT_PATH)
  if(_lib_${_name})
    list(APPEND _libs "${_lib_${_name}}")
  elseif(_name MATCHES "^(torch|torch_cpu|c10)$")
    message(FATAL_ERROR "MELCLASS_TORCH_DIR=${MELCLASS_TORCH_DIR}: no lib${_name} in its lib/")
  endif()
endforeach()

add_library(torch INTERFACE IMPORTED)
set_target_properties(torch PROPERTIES
  INTERFACE_INCLUDE_DIRECTORIES "${MELCLASS_TORCH_DIR}/include;${_api}"
  INTERFACE_COMPILE_OPTIONS "-D_GLIBCXX_USE_CXX11_ABI=${MELCLASS_TORCH_CXX11_ABI}"
  INTERFACE_LINK_OPTIONS "LINKER:--no-as-needed;LINKER:--allow-shlib-undefined;LINKER:-rpath,${MELCLASS_TORCH_DIR}/lib"
  INTERFACE_LINK_LIBRARIES "${_libs}")
message(STATUS "melclass: torch from ${MELCLASS_TORCH_DIR} (${_libs})")
