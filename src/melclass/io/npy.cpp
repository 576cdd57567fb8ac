#include "melclass/io/npy.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <limits>

#include <ATen/ATen.h>

#include "melclass/core/atomic_file.h"
#include "melclass/core/error.h"

namespace fs = std::filesystem;

namespace melclass::io {
namespace {

constexpr char kMagic[] = "\x93NUMPY";
constexpr size_t kMagicSize = 6;
constexpr uint64_t kMaxHeaderBytes = 1 << 20;
constexpr uint64_t kHeadBytes = 512;  ///< first read of a file: prefix + usual header

[[noreturn]] void fail(const fs::path& path, const std::string& message) {
  throw Error("npy", path.string(), message);
}

// Returns the text after `'key':` in a Python dict literal, or npos.
size_t find_value(const std::string& dict, const std::string& key) {
  for (const char quote : {'\'', '"'}) {
    const std::string token = std::string(1, quote) + key + quote;
    size_t pos = dict.find(token);
    if (pos == std::string::npos) continue;
    pos = dict.find(':', pos + token.size());
    if (pos == std::string::npos) return pos;
    pos = dict.find_first_not_of(" \t", pos + 1);
    return pos;
  }
  return std::string::npos;
}

void parse_descr(const fs::path& path, const std::string& dict, NpyHeader& h) {
  size_t pos = find_value(dict, "descr");
  if (pos == std::string::npos || (dict[pos] != '\'' && dict[pos] != '"'))
    fail(path, "header has no 'descr' string");
  const size_t end = dict.find(dict[pos], pos + 1);
  if (end == std::string::npos) fail(path, "unterminated 'descr'");
  const std::string descr = dict.substr(pos + 1, end - pos - 1);
  if (descr.size() != 3) fail(path, "unsupported dtype '" + descr + "' (need float16/32/64)");
  const char order = descr[0];
  // '|' (no byte order) only goes with 1-byte types: never a float.
  if (order != '<' && order != '>' && order != '=')
    fail(path, "unsupported dtype '" + descr + "' (need float16/32/64)");
  h.little_endian = order != '>';
  h.kind = descr[1];
  h.item_size = descr[2] - '0';
  if (h.kind != 'f' || (h.item_size != 2 && h.item_size != 4 && h.item_size != 8))
    fail(path, "unsupported dtype '" + descr + "' (need float16/32/64)");
}

void parse_order(const fs::path& path, const std::string& dict, NpyHeader& h) {
  const size_t pos = find_value(dict, "fortran_order");
  if (pos == std::string::npos) fail(path, "header has no 'fortran_order'");
  if (dict.compare(pos, 4, "True") == 0) {
    h.fortran_order = true;
  } else if (dict.compare(pos, 5, "False") == 0) {
    h.fortran_order = false;
  } else {
    fail(path, "invalid 'fortran_order' value");
  }
}

void parse_shape(const fs::path& path, const std::string& dict, NpyHeader& h) {
  size_t pos = find_value(dict, "shape");
  if (pos == std::string::npos || dict[pos] != '(') fail(path, "header has no 'shape' tuple");
  const size_t end = dict.find(')', pos);
  if (end == std::string::npos) fail(path, "unterminated 'shape' tuple");
  const std::string body = dict.substr(pos + 1, end - pos - 1);
  size_t i = 0;
  while (i < body.size()) {
    while (i < body.size() && (body[i] == ' ' || body[i] == ',')) ++i;
    if (i >= body.size()) break;
    if (!std::isdigit(static_cast<unsigned char>(body[i])))
      fail(path, "invalid dimension in shape (" + body + ")");
    uint64_t value = 0;
    while (i < body.size() && std::isdigit(static_cast<unsigned char>(body[i]))) {
      value = value * 10 + static_cast<uint64_t>(body[i] - '0');
      if (value > (1ull << 40)) fail(path, "dimension too large in shape (" + body + ")");
      ++i;
    }
    while (i < body.size() && body[i] == 'L') ++i;  // Python 2 longs
    h.shape.push_back(static_cast<int64_t>(value));
  }
}

uint64_t checked_bytes(const fs::path& path, const NpyHeader& h) {
  uint64_t count = 1;
  for (int64_t d : h.shape) {
    if (d != 0 && count > std::numeric_limits<uint64_t>::max() / static_cast<uint64_t>(d) / 8)
      fail(path, "shape is too large");
    count *= static_cast<uint64_t>(d);
  }
  return count * static_cast<uint64_t>(h.item_size);
}

// An open file, read with pread: no stream buffer or locale between the page
// cache and the tensor, one open per file.
class File {
 public:
  explicit File(const fs::path& path)
      : path_(path), fd_(::open(path.c_str(), O_RDONLY | O_CLOEXEC)) {
    if (fd_ < 0) fail(path, std::string("cannot open file: ") + std::strerror(errno));
    struct stat st {};
    if (::fstat(fd_, &st) != 0) {
      const std::string why = std::strerror(errno);
      ::close(fd_);
      fail(path, "cannot read file: " + why);
    }
    size_ = static_cast<uint64_t>(st.st_size);
  }
  ~File() { ::close(fd_); }
  File(const File&) = delete;
  File& operator=(const File&) = delete;

  uint64_t size() const { return size_; }

  /// Up to n bytes at offset into dst (fewer only at the end of the file).
  uint64_t read_at(uint64_t offset, char* dst, uint64_t n) const {
    uint64_t done = 0;
    while (done < n) {
      const ssize_t got = ::pread(fd_, dst + done, n - done, static_cast<off_t>(offset + done));
      if (got < 0 && errno == EINTR) continue;
      if (got < 0) fail(path_, std::string("cannot read file: ") + std::strerror(errno));
      if (got == 0) break;
      done += static_cast<uint64_t>(got);
    }
    return done;
  }

 private:
  fs::path path_;
  int fd_;
  uint64_t size_ = 0;
};

uint64_t read_le(const unsigned char* bytes, int n) {
  uint64_t v = 0;
  for (int i = n - 1; i >= 0; --i) v = (v << 8) | bytes[i];
  return v;
}

}  // namespace

namespace {

NpyHeader read_header(const fs::path& path, const File& in) {
  const uint64_t file_size = in.size();
  // One read covers the prefix and a header of the usual size (numpy pads it to
  // 64 or 128 bytes); only a longer header needs a second read.
  char head[kHeadBytes] = {};
  const uint64_t got = in.read_at(0, head, std::min<uint64_t>(file_size, kHeadBytes));
  const auto* prefix = reinterpret_cast<const unsigned char*>(head);
  if (got < 10 || std::memcmp(prefix, kMagic, kMagicSize) != 0)
    fail(path, "not a .npy file (bad magic)");
  NpyHeader h;
  h.major_version = prefix[6];
  int len_bytes = 2;
  if (h.major_version == 2 || h.major_version == 3) {
    if (got < 12) fail(path, "file is truncated inside the header");
    len_bytes = 4;
  } else if (h.major_version != 1) {
    fail(path, "unsupported .npy format version " + std::to_string(h.major_version));
  }
  const uint64_t header_len = read_le(prefix + 8, len_bytes);
  const uint64_t dict_offset = 8 + static_cast<uint64_t>(len_bytes);
  h.data_offset = dict_offset + header_len;
  if (header_len > kMaxHeaderBytes || h.data_offset > file_size)
    fail(path, "file is truncated inside the header");
  std::string dict(header_len, '\0');
  if (h.data_offset <= got) {
    std::memcpy(dict.data(), head + dict_offset, header_len);
  } else if (in.read_at(dict_offset, dict.data(), header_len) != header_len) {
    fail(path, "file is truncated");
  }
  parse_descr(path, dict, h);
  parse_order(path, dict, h);
  parse_shape(path, dict, h);
  h.data_bytes = checked_bytes(path, h);
  const uint64_t actual = file_size - h.data_offset;
  if (actual < h.data_bytes)
    fail(path, "file is truncated: header promises " + std::to_string(h.data_bytes) +
                   " data bytes, file holds " + std::to_string(actual));
  if (actual > h.data_bytes)
    fail(path, "file size does not match header: " + std::to_string(actual - h.data_bytes) +
                   " unexpected trailing bytes");
  return h;
}

at::Tensor read_data(const fs::path& path, const File& in, const NpyHeader& h) {
  std::vector<int64_t> storage_shape = h.shape;
  if (h.fortran_order) std::reverse(storage_shape.begin(), storage_shape.end());
  const at::ScalarType type =
      h.item_size == 2 ? at::kHalf : (h.item_size == 4 ? at::kFloat : at::kDouble);
  at::Tensor raw = at::empty(storage_shape, at::TensorOptions().dtype(type));
  if (in.read_at(h.data_offset, static_cast<char*>(raw.data_ptr()), h.data_bytes) != h.data_bytes)
    fail(path, "file is truncated");
  if (!h.little_endian && h.item_size > 1) {
    auto* bytes = static_cast<unsigned char*>(raw.data_ptr());
    for (uint64_t i = 0; i < h.data_bytes; i += static_cast<uint64_t>(h.item_size))
      std::reverse(bytes + i, bytes + i + h.item_size);
  }
  if (h.fortran_order && raw.dim() > 1) {
    std::vector<int64_t> perm(static_cast<size_t>(raw.dim()));
    for (size_t i = 0; i < perm.size(); ++i) perm[i] = static_cast<int64_t>(perm.size() - 1 - i);
    raw = raw.permute(perm);
  }
  return raw.to(at::kFloat).contiguous();
}

}  // namespace

NpyHeader read_npy_header(const fs::path& path) { return read_header(path, File(path)); }

at::Tensor read_npy(const fs::path& path, const std::function<void(const NpyHeader&)>& check) {
  const File in(path);
  const NpyHeader h = read_header(path, in);
  if (check) check(h);
  return read_data(path, in, h);
}

void write_npy(const fs::path& path, const at::Tensor& tensor) {
  const at::Tensor t = tensor.to(at::kFloat).contiguous().cpu();
  std::string shape = "(";
  for (int64_t d : t.sizes()) shape += std::to_string(d) + ", ";
  if (t.dim() > 1) shape.resize(shape.size() - 2);
  if (t.dim() == 1) shape.resize(shape.size() - 1);
  shape += ")";
  std::string dict = "{'descr': '<f4', 'fortran_order': False, 'shape': " + shape + ", }";
  const size_t unpadded = 10 + dict.size() + 1;
  dict.append((64 - unpadded % 64) % 64, ' ');
  dict += '\n';
  write_file_atomically(path, [&](std::ostream& out) {
    out.write(kMagic, kMagicSize);
    const unsigned char version_and_len[4] = {1, 0, static_cast<unsigned char>(dict.size() & 0xff),
                                              static_cast<unsigned char>(dict.size() >> 8)};
    out.write(reinterpret_cast<const char*>(version_and_len), 4);
    out.write(dict.data(), static_cast<std::streamsize>(dict.size()));
    out.write(static_cast<const char*>(t.data_ptr()),
              static_cast<std::streamsize>(t.numel() * sizeof(float)));
  });
}

}  // namespace melclass::io
