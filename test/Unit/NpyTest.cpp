//===- NpyTest.cpp - NumPy .npy reader and writer -------------------------===//

#include "moec/Runtime/Npy.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"

#include "gtest/gtest.h"

using namespace moec;

namespace {

/// A .npy file with the given version, header text and data; the header
/// length field is computed, everything else is taken as given.
std::string npyFile(uint8_t major, llvm::StringRef header,
                    llvm::StringRef data = "") {
  std::string bytes("\x93NUMPY", 6);
  bytes += static_cast<char>(major);
  bytes += '\0';
  uint32_t length = static_cast<uint32_t>(header.size());
  for (int i = 0; i < (major == 1 ? 2 : 4); ++i)
    bytes += static_cast<char>((length >> (8 * i)) & 0xFF);
  return bytes + header.str() + data.str();
}

NpyArray parseOk(llvm::StringRef bytes) {
  llvm::Expected<NpyArray> array = parseNpy(bytes, "t.npy");
  if (!array) {
    ADD_FAILURE() << llvm::toString(array.takeError());
    return {};
  }
  return std::move(*array);
}

std::string parseError(llvm::StringRef bytes) {
  llvm::Expected<NpyArray> array = parseNpy(bytes, "t.npy");
  if (array)
    return "<parsed without error>";
  return llvm::toString(array.takeError());
}

/// The error of a version 1.0 file with header \p dict and \p data.
std::string headerError(llvm::StringRef dict, llvm::StringRef data = "") {
  return parseError(npyFile(1, dict.str() + "\n", data));
}

NpyArray makeArray(DType dtype, std::vector<int64_t> shape) {
  NpyArray array;
  array.dtype = dtype;
  array.shape = std::move(shape);
  array.data.resize(array.numElements() * byteSize(dtype));
  for (size_t i = 0; i < array.data.size(); ++i)
    array.data[i] = static_cast<char>(i * 7 + 1);
  return array;
}

void expectSameArray(const NpyArray &got, const NpyArray &want) {
  EXPECT_EQ(got.dtype, want.dtype);
  EXPECT_EQ(got.shape, want.shape);
  EXPECT_EQ(got.data, want.data);
}

NpyArray roundTrip(const NpyArray &array) {
  llvm::Expected<std::string> bytes = serializeNpy(array);
  if (!bytes) {
    ADD_FAILURE() << llvm::toString(bytes.takeError());
    return {};
  }
  EXPECT_EQ((bytes->size() - array.data.size()) % 64, 0u)
      << "data is not 64-byte aligned";
  return parseOk(*bytes);
}

TEST(NpyTest, RoundTripsEveryDType) {
  for (DType dtype : {DType::F32, DType::F16, DType::BF16, DType::F64,
                      DType::I32, DType::I64}) {
    NpyArray array = makeArray(dtype, {2, 3, 4});
    expectSameArray(roundTrip(array), array);
  }
}

TEST(NpyTest, RoundTripsScalarZeroSizeAndOneDim) {
  for (std::vector<int64_t> shape : std::vector<std::vector<int64_t>>{
           {}, {0, 4}, {0}, {5}, {1, 1, 1, 1, 1, 1, 1, 7}}) {
    NpyArray array = makeArray(DType::F64, shape);
    expectSameArray(roundTrip(array), array);
  }
  EXPECT_EQ(makeArray(DType::F32, {}).numElements(), 1u);
  EXPECT_EQ(makeArray(DType::F32, {0, 4}).numElements(), 0u);
}

TEST(NpyTest, WritesWhatNumPyWrites) {
  // np.save of np.zeros((3, 4), np.float32): 10 + 118 header bytes.
  llvm::Expected<std::string> bytes =
      serializeNpy(makeArray(DType::F32, {3, 4}));
  ASSERT_TRUE(bool(bytes)) << llvm::toString(bytes.takeError());
  std::string dict =
      "{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }";
  std::string header = dict + std::string(118 - dict.size() - 1, ' ') + "\n";
  EXPECT_EQ(bytes->substr(0, 128), npyFile(1, header));
  EXPECT_EQ(bytes->size(), 128u + 48u);

  llvm::Expected<std::string> oneDim =
      serializeNpy(makeArray(DType::BF16, {3}));
  ASSERT_TRUE(bool(oneDim));
  EXPECT_NE(oneDim->find("{'descr': '<u2', 'fortran_order': False, "
                         "'shape': (3,), }"),
            std::string::npos);
  llvm::Expected<std::string> scalar = serializeNpy(makeArray(DType::I64, {}));
  ASSERT_TRUE(bool(scalar));
  EXPECT_NE(scalar->find("'shape': (), }"), std::string::npos);
}

TEST(NpyTest, LongHeaderUsesVersion2) {
  NpyArray array = makeArray(DType::I32, std::vector<int64_t>(25000, 1));
  llvm::Expected<std::string> bytes = serializeNpy(array);
  ASSERT_TRUE(bool(bytes));
  EXPECT_EQ((*bytes)[6], 2);
  expectSameArray(parseOk(*bytes), array);
}

TEST(NpyTest, ParsesHandWrittenHeaders) {
  std::string f32x3(12, '\0');
  NpyArray v1 = parseOk(npyFile(
      1, "{'descr': '<f4', 'fortran_order': False, 'shape': (3,), }\n", f32x3));
  EXPECT_EQ(v1.dtype, DType::F32);
  EXPECT_EQ(v1.shape, (std::vector<int64_t>{3}));
  EXPECT_EQ(v1.data.size(), 12u);

  std::string i64x6(48, '\0');
  NpyArray v2 = parseOk(npyFile(
      2, "{\"shape\": (2, 3), \"descr\": \"<i8\", \"fortran_order\": False}\n",
      i64x6));
  EXPECT_EQ(v2.dtype, DType::I64);
  EXPECT_EQ(v2.shape, (std::vector<int64_t>{2, 3}));

  std::string f16x6(12, '\0');
  NpyArray v3 = parseOk(npyFile(3,
                                "{ 'fortran_order' : False , 'shape' : ( 2 , "
                                "3 , ) , 'descr' : '<f2' }   \n",
                                f16x6));
  EXPECT_EQ(v3.dtype, DType::F16);
  EXPECT_EQ(v3.shape, (std::vector<int64_t>{2, 3}));

  NpyArray python2 = parseOk(npyFile(
      1, "{'descr': '<i4', 'fortran_order': False, 'shape': (3L, 1L), }\n",
      f32x3));
  EXPECT_EQ(python2.shape, (std::vector<int64_t>{3, 1}));

  NpyArray scalar = parseOk(npyFile(
      1, "{'descr': '<f8', 'fortran_order': False, 'shape': ()}", "12345678"));
  EXPECT_TRUE(scalar.shape.empty());
}

TEST(NpyTest, ReadsBFloat16Spellings) {
  for (const char *descr : {"<u2", "<V2", "|V2"}) {
    NpyArray array = parseOk(npyFile(1,
                                     std::string("{'descr': '") + descr +
                                         "', 'fortran_order': False, "
                                         "'shape': (2,), }\n",
                                     "abcd"));
    EXPECT_EQ(array.dtype, DType::BF16) << descr;
  }
}

TEST(NpyTest, DataSizeMustMatchTheShape) {
  const char *dict = "{'descr': '<f4', 'fortran_order': False, "
                     "'shape': (3, 4), }";
  EXPECT_EQ(headerError(dict, std::string(40, '\0')),
            "t.npy: expected 48 bytes of data for shape (3, 4) <f4, file has "
            "40");
  EXPECT_EQ(headerError(dict, std::string(52, '\0')),
            "t.npy: expected 48 bytes of data for shape (3, 4) <f4, file has "
            "52");
  EXPECT_EQ(headerError("{'descr': '<f8', 'fortran_order': False, 'shape': "
                        "(4611686018427387904, 4), }"),
            "t.npy: the data of shape (4611686018427387904, 4) <f8 would be "
            "too large");
}

TEST(NpyTest, RejectsUnsupportedArrays) {
  EXPECT_EQ(headerError("{'descr': '>f4', 'fortran_order': False, 'shape': "
                        "(1,), }",
                        "abcd"),
            "t.npy: big-endian data ('>f4') is not supported; save with "
            "arr.astype('<f4')");
  EXPECT_EQ(headerError("{'descr': '<f4', 'fortran_order': True, 'shape': "
                        "(1,), }",
                        "abcd"),
            "t.npy: Fortran-order arrays are not supported; save with "
            "np.ascontiguousarray");
  EXPECT_EQ(headerError("{'descr': '<c8', 'fortran_order': False, 'shape': "
                        "(1,), }"),
            "t.npy: unsupported dtype '<c8'; expected <f4, <f2, <f8, <i4, "
            "<i8, or <u2, <V2, |V2 for bfloat16");
  EXPECT_EQ(headerError("{'descr': '>c8', 'fortran_order': False, 'shape': "
                        "(1,), }")
                .substr(0, 31),
            "t.npy: unsupported dtype '>c8';");
  EXPECT_EQ(headerError("{'descr': '', 'fortran_order': False, 'shape': ()}")
                .substr(0, 28),
            "t.npy: unsupported dtype '';");
  EXPECT_EQ(parseError(npyFile(4, "{}\n")),
            "t.npy: unsupported .npy version 4.0; expected 1.0, 2.0 or 3.0");
}

TEST(NpyTest, RejectsBadFiles) {
  EXPECT_EQ(parseError(""),
            "t.npy: not a .npy file: it does not start with \"\\x93NUMPY\"");
  EXPECT_EQ(parseError("PK\x03\x04 a zip file"),
            "t.npy: not a .npy file: it does not start with \"\\x93NUMPY\"");
  EXPECT_EQ(parseError("\x93NUMPY"),
            "t.npy: file ends inside the .npy version");
  EXPECT_EQ(parseError(std::string("\x93NUMPY\x02\x00\x10\x00", 10)),
            "t.npy: file ends inside the header length");
  std::string pastEnd = npyFile(1, "{}\n");
  pastEnd[8] = '\xE8'; // 1000
  pastEnd[9] = '\x03';
  EXPECT_EQ(parseError(pastEnd), "t.npy: header length 1000 goes past the end "
                                 "of the file (13 bytes)");
}

TEST(NpyTest, RejectsMalformedHeaders) {
  EXPECT_EQ(headerError("{'descr': '<f4', 'fortran_order': False}"),
            "t.npy: the header has no 'shape'");
  EXPECT_EQ(headerError("{'shape': (1,), 'fortran_order': False}"),
            "t.npy: the header has no 'descr'");
  EXPECT_EQ(headerError("{'descr': '<f4', 'descr': '<f4'}"),
            "t.npy: key 'descr' appears twice in the header");
  EXPECT_EQ(headerError("{'descr': '<f4', 'fortran_order': False, 'shape': "
                        "(1,), 'extra': 1}"),
            "t.npy: unexpected key 'extra' in the header; expected 'descr', "
            "'fortran_order' and 'shape'");

  // The message without its " at offset ..." suffix, which the first case
  // checks once.
  auto malformed = [](llvm::StringRef dict) {
    std::string message = headerError(dict);
    llvm::StringRef error = message;
    if (!error.consume_front("t.npy: malformed header: "))
      return "<not malformed: " + error.str() + ">";
    return error.take_front(error.find(" at offset ")).str();
  };
  EXPECT_EQ(headerError("{'shape': (3), "),
            "t.npy: malformed header: 'shape' is not a tuple: write a 1-tuple "
            "as (N,) at offset 13 of 16 in: {'shape': (3),");
  EXPECT_EQ(malformed("'descr': '<f4'"), "expected '{'");
  EXPECT_EQ(malformed(""), "expected '{'");
  EXPECT_EQ(malformed("{'descr': '<f4'"), "expected ',' or '}'");
  EXPECT_EQ(malformed("{'descr: '<f4'}"), "expected ':' after 'descr: '");
  EXPECT_EQ(malformed("{'descr': '<f4}"), "unterminated string");
  EXPECT_EQ(malformed("{'shape': (-1,)}"),
            "expected a non-negative integer in 'shape'");
  EXPECT_EQ(malformed("{'shape': (1 2)}"), "expected ',' or ')' in 'shape'");
  EXPECT_EQ(malformed("{'shape': (99999999999999999999,)}"),
            "dimension 99999999999999999999 is too large");
  EXPECT_EQ(malformed("{'shape': [1]}"), "expected a tuple for 'shape'");
  EXPECT_EQ(malformed("{'fortran_order': false}"), "expected True or False");
  EXPECT_EQ(malformed("{'descr': [('a', '<f4')]}"), "expected a quoted string");
  EXPECT_EQ(malformed("{'descr': 'a\\'b'}"),
            "escapes in strings are not supported");
  EXPECT_EQ(malformed("{1: 2}"), "expected a quoted string");
  EXPECT_EQ(malformed("{} x"), "unexpected text after the dict");
}

/// Every prefix and many one-byte corruptions of a valid file: each must give
/// an error or an array, never a crash or an out-of-bounds read (run the
/// tests under a sanitizer to check the latter).
TEST(NpyTest, SurvivesTruncationAndCorruption) {
  llvm::Expected<std::string> valid =
      serializeNpy(makeArray(DType::F32, {2, 3}));
  ASSERT_TRUE(bool(valid));
  for (size_t n = 0; n < valid->size(); ++n) {
    std::string error = parseError(valid->substr(0, n));
    EXPECT_TRUE(llvm::StringRef(error).starts_with("t.npy: ")) << error;
  }
  for (size_t i = 0; i < valid->size() - 24; ++i) {
    for (char c : {'\0', '\xFF', '(', ')', ',', '\'', '}', '1', ' '}) {
      std::string corrupt = *valid;
      corrupt[i] = c;
      llvm::Expected<NpyArray> array = parseNpy(corrupt, "t.npy");
      if (!array)
        llvm::consumeError(array.takeError());
    }
  }
}

TEST(NpyTest, WritesAndReadsFiles) {
  llvm::SmallString<128> path;
  ASSERT_FALSE(
      llvm::sys::fs::createTemporaryFile("moec-npy-test", "npy", path));
  NpyArray array = makeArray(DType::BF16, {4, 2});
  llvm::Error written = writeNpy(path, array);
  ASSERT_FALSE(bool(written)) << llvm::toString(std::move(written));
  llvm::Expected<NpyArray> read = readNpy(path);
  llvm::sys::fs::remove(path);
  ASSERT_TRUE(bool(read)) << llvm::toString(read.takeError());
  expectSameArray(*read, array);

  llvm::Expected<NpyArray> missing = readNpy("/nonexistent/dir/x.npy");
  ASSERT_FALSE(bool(missing));
  EXPECT_TRUE(llvm::StringRef(llvm::toString(missing.takeError()))
                  .starts_with("/nonexistent/dir/x.npy: cannot read: "));
  llvm::Error unwritable = writeNpy("/nonexistent/dir/x.npy", array);
  EXPECT_TRUE(llvm::StringRef(llvm::toString(std::move(unwritable)))
                  .starts_with("/nonexistent/dir/x.npy: cannot open for "
                               "writing: "));
}

TEST(NpyTest, RefusesToWriteInconsistentArrays) {
  NpyArray array = makeArray(DType::F32, {2, 2});
  array.data.pop_back();
  llvm::Error error = writeNpy("unused.npy", array);
  EXPECT_EQ(llvm::toString(std::move(error)),
            "unused.npy: cannot write shape (2, 2) <f4: it needs 16 bytes of "
            "data, the array has 15");
  array.shape = {-1};
  llvm::Expected<std::string> bytes = serializeNpy(array);
  ASSERT_FALSE(bool(bytes));
  EXPECT_EQ(llvm::toString(bytes.takeError()),
            "cannot write shape (-1,) <f4: a dimension is negative or the size "
            "overflows");
}

} // namespace
