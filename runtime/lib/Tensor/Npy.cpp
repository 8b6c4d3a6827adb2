//===- Npy.cpp - read and write NumPy .npy files --------------------------===//
//
// Format (numpy/lib/format.py): the magic "\x93NUMPY", major and minor version
// bytes, the header length (u16 for 1.0, u32 for 2.0 and 3.0, little endian),
// then the header: a Python dict literal with exactly the keys 'descr',
// 'fortran_order' and 'shape', padded with spaces and ending in '\n'. The data
// follows.
//
//===----------------------------------------------------------------------===//

#include "moec/Runtime/Npy.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/CheckedArithmetic.h"
#include "llvm/Support/Endian.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/raw_ostream.h"

#include <optional>

using namespace llvm;

namespace moec {
namespace {

constexpr StringLiteral kMagic("\x93NUMPY");

Error fail(StringRef name, const Twine &message) {
  return createStringError(name + ": " + message);
}

struct DescrEntry {
  StringLiteral descr;
  DType dtype;
};

/// The descrs read; the first one of each dtype is what writeNpy() stores.
constexpr DescrEntry kDescrs[] = {
    {"<f4", DType::F32},  {"<f2", DType::F16},  {"<u2", DType::BF16},
    {"<V2", DType::BF16}, {"|V2", DType::BF16}, {"<f8", DType::F64},
    {"<i4", DType::I32},  {"<i8", DType::I64},
};

std::optional<DType> lookUpDescr(StringRef descr) {
  for (const DescrEntry &entry : kDescrs)
    if (entry.descr == descr)
      return entry.dtype;
  return std::nullopt;
}

Expected<DType> parseDescr(StringRef descr, StringRef name) {
  if (std::optional<DType> dtype = lookUpDescr(descr))
    return *dtype;
  StringRef type = descr;
  if (type.consume_front(">") && lookUpDescr(("<" + type).str()))
    return fail(name, "big-endian data ('" + descr +
                          "') is not supported; save with arr.astype('<" +
                          type + "')");
  return fail(name, "unsupported dtype '" + descr +
                        "'; expected <f4, <f2, <f8, <i4, <i8, or <u2, <V2, "
                        "|V2 for bfloat16");
}

std::string shapeString(ArrayRef<int64_t> shape) {
  std::string result = "(";
  for (int64_t dim : shape)
    result += std::to_string(dim) + (shape.size() == 1 ? "," : ", ");
  if (shape.size() > 1)
    result.resize(result.size() - 2);
  return result + ")";
}

/// The number of data bytes of \p shape, or nothing if a dimension is
/// negative or the product overflows.
std::optional<int64_t> byteSize(DType dtype, ArrayRef<int64_t> shape) {
  std::optional<int64_t> size = moec::byteSize(dtype);
  for (int64_t dim : shape)
    if (size)
      size = dim < 0 ? std::nullopt : checkedMul<int64_t>(*size, dim);
  return size;
}

/// The header's dict. Each field is set once its key has been parsed.
struct Header {
  std::optional<std::string> descr;
  std::optional<bool> fortranOrder;
  std::optional<std::vector<int64_t>> shape;
};

/// A recursive-descent parser of the subset of Python literals that .npy
/// headers use: a dict of string keys whose values are strings, True/False or
/// tuples of non-negative ints. Every read checks the bounds of the text.
class HeaderParser {
public:
  HeaderParser(StringRef text, StringRef name) : text(text), name(name) {}

  Expected<Header> parse() {
    Header header;
    skipSpace();
    if (!consume('{'))
      return error("expected '{'");
    skipSpace();
    while (!consume('}')) {
      if (Error err = parseEntry(header))
        return std::move(err);
      skipSpace();
      if (consume(','))
        skipSpace();
      else if (peek() != '}')
        return error("expected ',' or '}'");
    }
    skipSpace();
    if (pos != text.size())
      return error("unexpected text after the dict");
    return header;
  }

private:
  Error parseEntry(Header &header) {
    Expected<std::string> key = parseString();
    if (!key)
      return key.takeError();
    skipSpace();
    if (!consume(':'))
      return error("expected ':' after '" + *key + "'");
    skipSpace();
    if (*key == "descr")
      return parseInto(header.descr, *key, &HeaderParser::parseString);
    if (*key == "fortran_order")
      return parseInto(header.fortranOrder, *key, &HeaderParser::parseBool);
    if (*key == "shape")
      return parseInto(header.shape, *key, &HeaderParser::parseShape);
    return fail(name, "unexpected key '" + *key +
                          "' in the header; expected 'descr', "
                          "'fortran_order' and 'shape'");
  }

  template <typename T>
  Error parseInto(std::optional<T> &field, StringRef key,
                  Expected<T> (HeaderParser::*parseValue)()) {
    if (field)
      return fail(name, "key '" + key + "' appears twice in the header");
    Expected<T> value = (this->*parseValue)();
    if (!value)
      return value.takeError();
    field = std::move(*value);
    return Error::success();
  }

  /// No escapes: the values numpy writes never need them.
  Expected<std::string> parseString() {
    char quote = peek();
    if (quote != '\'' && quote != '"')
      return error("expected a quoted string");
    size_t end = text.find(quote, pos + 1);
    if (end == StringRef::npos)
      return error("unterminated string");
    StringRef value = text.slice(pos + 1, end);
    if (value.contains('\\'))
      return error("escapes in strings are not supported");
    pos = end + 1;
    return value.str();
  }

  Expected<bool> parseBool() {
    StringRef word = text.substr(pos).take_while(isAlnum);
    if (word != "True" && word != "False")
      return error("expected True or False");
    pos += word.size();
    return word == "True";
  }

  /// A tuple, so one dimension needs its trailing comma: "(3)" is an int.
  Expected<std::vector<int64_t>> parseShape() {
    if (!consume('('))
      return error("expected a tuple for 'shape'");
    std::vector<int64_t> shape;
    bool trailingComma = false;
    skipSpace();
    while (!consume(')')) {
      Expected<int64_t> dim = parseDim();
      if (!dim)
        return dim.takeError();
      shape.push_back(*dim);
      skipSpace();
      trailingComma = consume(',');
      skipSpace();
      if (!trailingComma && peek() != ')')
        return error("expected ',' or ')' in 'shape'");
    }
    if (shape.size() == 1 && !trailingComma)
      return error("'shape' is not a tuple: write a 1-tuple as (N,)");
    return shape;
  }

  /// Python 2 wrote longs with an 'L' suffix; numpy still reads those.
  Expected<int64_t> parseDim() {
    StringRef digits = text.substr(pos).take_while(isDigit);
    int64_t dim;
    if (digits.empty())
      return error("expected a non-negative integer in 'shape'");
    if (digits.getAsInteger(10, dim))
      return error("dimension " + digits + " is too large");
    pos += digits.size();
    consume('L');
    return dim;
  }

  char peek() const { return pos < text.size() ? text[pos] : '\0'; }

  bool consume(char c) {
    if (pos >= text.size() || text[pos] != c)
      return false;
    ++pos;
    return true;
  }

  void skipSpace() {
    while (pos < text.size() && isSpace(text[pos]))
      ++pos;
  }

  Error error(const Twine &message) {
    return fail(name, "malformed header: " + message + " at offset " +
                          Twine(pos) + " of " + Twine(text.size()) +
                          " in: " + text.rtrim().take_front(200));
  }

  StringRef text;
  StringRef name;
  size_t pos = 0;
};

/// Splits \p bytes into the header text and the data after it.
Error splitFile(StringRef bytes, StringRef name, StringRef &header,
                StringRef &data) {
  if (!bytes.starts_with(kMagic))
    return fail(name, "not a .npy file: it does not start with \"\\x93NUMPY\"");
  if (bytes.size() < kMagic.size() + 2)
    return fail(name, "file ends inside the .npy version");
  unsigned major = static_cast<uint8_t>(bytes[6]);
  unsigned minor = static_cast<uint8_t>(bytes[7]);
  if (major < 1 || major > 3 || minor != 0)
    return fail(name, "unsupported .npy version " + Twine(major) + "." +
                          Twine(minor) + "; expected 1.0, 2.0 or 3.0");
  size_t lengthSize = major == 1 ? 2 : 4;
  size_t headerStart = 8 + lengthSize;
  if (bytes.size() < headerStart)
    return fail(name, "file ends inside the header length");
  uint64_t headerLength =
      major == 1
          ? support::endian::read16le(bytes.data() + 8)
          : static_cast<uint64_t>(support::endian::read32le(bytes.data() + 8));
  if (headerLength > bytes.size() - headerStart)
    return fail(name, "header length " + Twine(headerLength) +
                          " goes past the end of the file (" +
                          Twine(bytes.size()) + " bytes)");
  header = bytes.substr(headerStart, headerLength);
  data = bytes.substr(headerStart + headerLength);
  return Error::success();
}

} // namespace

StringRef npyDescr(DType dtype) {
  for (const DescrEntry &entry : kDescrs)
    if (entry.dtype == dtype)
      return entry.descr;
  llvm_unreachable("unknown DType");
}

size_t NpyArray::numElements() const {
  size_t count = 1;
  for (int64_t dim : shape)
    count *= static_cast<size_t>(dim);
  return count;
}

Expected<NpyArray> parseNpy(StringRef bytes, StringRef nameForErrors) {
  StringRef name = nameForErrors;
  StringRef headerText, data;
  if (Error err = splitFile(bytes, name, headerText, data))
    return std::move(err);
  Expected<Header> header = HeaderParser(headerText, name).parse();
  if (!header)
    return header.takeError();
  const char *missing = !header->descr          ? "descr"
                        : !header->fortranOrder ? "fortran_order"
                        : !header->shape        ? "shape"
                                                : nullptr;
  if (missing)
    return fail(name, "the header has no '" + Twine(missing) + "'");
  if (*header->fortranOrder)
    return fail(name, "Fortran-order arrays are not supported; save with "
                      "np.ascontiguousarray");
  Expected<DType> dtype = parseDescr(*header->descr, name);
  if (!dtype)
    return dtype.takeError();

  NpyArray array;
  array.dtype = *dtype;
  array.shape = std::move(*header->shape);
  std::optional<int64_t> size = byteSize(array.dtype, array.shape);
  std::string what = shapeString(array.shape) + " " + *header->descr;
  if (!size)
    return fail(name, "the data of shape " + what + " would be too large");
  if (static_cast<uint64_t>(*size) != data.size())
    return fail(name, "expected " + Twine(*size) + " bytes of data for shape " +
                          what + ", file has " + Twine(data.size()));
  array.data.assign(data.begin(), data.end());
  return array;
}

Expected<NpyArray> readNpy(StringRef path) {
  ErrorOr<std::unique_ptr<MemoryBuffer>> buffer =
      MemoryBuffer::getFile(path, /*IsText=*/false,
                            /*RequiresNullTerminator=*/false);
  if (!buffer)
    return fail(path, "cannot read: " + buffer.getError().message());
  return parseNpy((*buffer)->getBuffer(), path);
}

Expected<std::string> serializeNpy(const NpyArray &array) {
  std::string what =
      shapeString(array.shape) + " " + npyDescr(array.dtype).str();
  std::optional<int64_t> size = byteSize(array.dtype, array.shape);
  if (!size)
    return createStringError("cannot write shape " + what +
                             ": a dimension is negative or the size overflows");
  if (array.data.size() != static_cast<uint64_t>(*size))
    return createStringError("cannot write shape " + what + ": it needs " +
                             Twine(*size) + " bytes of data, the array has " +
                             Twine(array.data.size()));

  std::string dict =
      "{'descr': '" + npyDescr(array.dtype).str() +
      "', 'fortran_order': False, 'shape': " + shapeString(array.shape) + ", }";
  // Pad with spaces before the final '\n' so that the data is 64-byte aligned.
  auto paddedLength = [&](size_t prefix) {
    size_t unpadded = prefix + dict.size() + 1;
    return dict.size() + 1 + (64 - unpadded % 64) % 64;
  };
  uint8_t major = paddedLength(10) <= 0xFFFF ? 1 : 2;
  size_t prefix = major == 1 ? 10 : 12;
  size_t headerLength = paddedLength(prefix);
  dict.resize(headerLength - 1, ' ');
  dict += '\n';

  std::string bytes(kMagic);
  bytes += static_cast<char>(major);
  bytes += '\0';
  char length[4];
  support::endian::write32le(length, static_cast<uint32_t>(headerLength));
  bytes.append(length, major == 1 ? 2 : 4);
  bytes += dict;
  bytes.append(array.data.begin(), array.data.end());
  return bytes;
}

Error writeNpy(StringRef path, const NpyArray &array) {
  Expected<std::string> bytes = serializeNpy(array);
  if (!bytes)
    return fail(path, toString(bytes.takeError()));
  std::error_code ec;
  raw_fd_ostream os(path, ec);
  if (ec)
    return fail(path, "cannot open for writing: " + ec.message());
  os << *bytes;
  os.close();
  if (os.has_error()) {
    std::error_code writeError = os.error();
    os.clear_error();
    return fail(path, "cannot write: " + writeError.message());
  }
  return Error::success();
}

} // namespace moec
