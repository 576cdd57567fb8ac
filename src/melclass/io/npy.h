#pragma once
// NumPy .npy reader/writer (format versions 1.0, 2.0 and 3.0).
// Reference: NEP 1, "A simple file format for NumPy arrays",
// https://numpy.org/doc/stable/reference/generated/numpy.lib.format.html

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include <ATen/core/Tensor.h>

namespace melclass::io {

/// What a .npy header declares, validated against the file size.
struct NpyHeader {
  int major_version = 1;
  char kind = 'f';    ///< NumPy type kind; only 'f' (float) is accepted.
  int item_size = 4;  ///< 2, 4 or 8 bytes.
  bool little_endian = true;
  bool fortran_order = false;
  std::vector<int64_t> shape;
  uint64_t data_offset = 0;  ///< byte offset of the array data.
  uint64_t data_bytes = 0;   ///< product(shape) * item_size.
};

/// Reads and validates the header only. Throws Error("npy", path, ...) when the
/// magic, version, header dict or dtype is invalid, or when the data size the
/// header promises differs from what the file holds; nothing is allocated
/// before that check.
NpyHeader read_npy_header(const std::filesystem::path& path);

/// Reads a float16/32/64 array of either endianness and memory order into a
/// contiguous float32 CPU tensor of the declared shape, opening the file once.
/// check (optional) runs on the validated header before the data buffer is
/// allocated, so a caller's shape check that throws costs no allocation.
at::Tensor read_npy(const std::filesystem::path& path,
                    const std::function<void(const NpyHeader&)>& check = {});

/// Writes a float32 tensor as a little-endian C-order version 1.0 .npy file,
/// atomically (no partial file on failure).
void write_npy(const std::filesystem::path& path, const at::Tensor& tensor);

}  // namespace melclass::io
