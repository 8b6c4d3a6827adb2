//===- EmulatorCube.cpp - mmad --------------------------------------------===//
//
// C (L0C, f32) = (init ? 0 : C) + A (L0A) x B (L0B). The operands are read
// out of their fractal layout into row-major f32 tiles, and every element
// of C sums its products in f32 in increasing k, the order the cube's
// fractal steps along k take.
//
//===----------------------------------------------------------------------===//

#include "EmulatorOps.h"

#include "llvm/Support/FormatVariadic.h"

using namespace mlir;
using namespace mlir::moe_npu;
using namespace moec::npu;
using namespace moec::npu::emu;

llvm::Error moec::npu::emu::runMmad(const Instruction &instr, MmadOp op) {
  Buffer &a = instr.buffer(op.getA());
  Buffer &b = instr.buffer(op.getB());
  Buffer &c = instr.buffer(op.getC());
  int64_t m = a.rows(), k = a.cols(), n = b.cols();
  if (b.rows() != k || c.rows() != m || c.cols() != n)
    return instr.error(llvm::formatv("tiles A {0}x{1}, B {2}x{3} and C "
                                     "{4}x{5} do not form [m, k] x [k, n] -> "
                                     "[m, n]",
                                     m, k, b.rows(), n, c.rows(), c.cols()));
  if (!isFloat(a.kind()) || !isFloat(b.kind()) || c.kind() != ElementKind::F32)
    return instr.error("mmad multiplies float tiles into an f32 accumulator");
  llvm::Expected<int64_t> slotA = instr.slot(a, op.getASlot());
  if (!slotA)
    return slotA.takeError();
  llvm::Expected<int64_t> slotB = instr.slot(b, op.getBSlot());
  if (!slotB)
    return slotB.takeError();
  llvm::Expected<int64_t> slotC = instr.slot(c, op.getCSlot());
  if (!slotC)
    return slotC.takeError();
  bool init = instr.index(op.getInit()) != 0;

  if (llvm::Error err = instr.read(a, wholeSlot(a, *slotA)))
    return err;
  if (llvm::Error err = instr.read(b, wholeSlot(b, *slotB)))
    return err;
  if (!init)
    if (llvm::Error err = instr.read(c, wholeSlot(c, *slotC)))
      return err;
  if (llvm::Error err = instr.write(c, wholeSlot(c, *slotC)))
    return err;

  std::vector<float> lhs = a.readMatrix(*slotA);
  std::vector<float> rhs = b.readMatrix(*slotB);
  std::vector<float> acc =
      init ? std::vector<float>(m * n, 0.0f) : c.readMatrix(*slotC);
  for (int64_t i = 0; i < m; ++i)
    for (int64_t kk = 0; kk < k; ++kk) {
      float scale = lhs[i * k + kk];
      const float *row = &rhs[kk * n];
      float *out = &acc[i * n];
      for (int64_t j = 0; j < n; ++j)
        out[j] += scale * row[j];
    }
  c.writeMatrix(*slotC, acc);
  return llvm::Error::success();
}
