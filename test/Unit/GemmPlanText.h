//===- GemmPlanText.h - a hand-written moe_npu plan of one GEMM -*- C++ -*-===//
//
// C[M, N] = A[M, K] x B[K, N] as a plan: bm x bn output tiles dealt to the
// blocks, K in steps of bk, L1 and L0A/L0B double-buffered with the usual
// ping-pong flags, partial tiles where M, N or K are not multiples (loads
// zero-fill, FixPipe writes what fits). The emulator and cost model tests
// share it; their wait indices follow its order: FIX->M, MTE1->MTE2,
// MTE2->MTE1, M->MTE1, MTE1->M, M->FIX, then the five drains.
//
//===----------------------------------------------------------------------===//

#ifndef MOEC_TEST_UNIT_GEMMPLANTEXT_H
#define MOEC_TEST_UNIT_GEMMPLANTEXT_H

#include <cstdint>
#include <string>

namespace moec::test {

struct GemmPlanShape {
  /// Rows of A and C; 0 makes them dynamic (`?`).
  int64_t m = 0;
  int64_t n = 0, k = 0, bm = 0, bn = 0, bk = 0, grid = 1;
  /// Element types of A and B, and of C.
  std::string element = "f32", result = "f32";
};

inline std::string gemmPlanText(const GemmPlanShape &g) {
  std::string text = R"mlir(
!a = memref<@M@x@K@x@T@, #moe_npu.space<gm>>
!b = memref<@K@x@N@x@T@, #moe_npu.space<gm>>
!c = memref<@M@x@N@x@C@, #moe_npu.space<gm>>
!l1a = memref<2x@BM@x@BK@x@T@, #moe_npu.space<l1>>
!l1b = memref<2x@BK@x@BN@x@T@, #moe_npu.space<l1>>
!l0a = memref<2x@BM@x@BK@x@T@, #moe_npu.space<l0a>>
!l0b = memref<2x@BK@x@BN@x@T@, #moe_npu.space<l0b>>
!l0c = memref<1x@BM@x@BN@xf32, #moe_npu.space<l0c>>
func.func @gemm(%A: !a, %B: !b, %C: !c) attributes {moe_npu.plan} {
  moe_npu.kernel "gemm" grid = @GRID@ subblocks = 2 cube {
  ^bb0(%block: index):
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %c2 = arith.constant 2 : index
    %grid = arith.constant @GRID@ : index
    %bm = arith.constant @BM@ : index
    %bn = arith.constant @BN@ : index
    %bk = arith.constant @BK@ : index
    %kdim = arith.constant @K@ : index
    %ksteps = arith.constant @KSTEPS@ : index
    %tiles_n = arith.constant @TILESN@ : index
    %m = memref.dim %A, %c0 : !a
    %tiles_m = arith.ceildivui %m, %bm : index
    %tiles = arith.muli %tiles_m, %tiles_n : index
    %l1a = moe_npu.alloc "l1_a" offset = 0 : !l1a
    %l1b = moe_npu.alloc "l1_b" offset = @L1B@ : !l1b
    %l0a = moe_npu.alloc "l0a" offset = 0 : !l0a
    %l0b = moe_npu.alloc "l0b" offset = 0 : !l0b
    %l0c = moe_npu.alloc "l0c" offset = 0 : !l0c
    moe_npu.set_flag <mte1> -> <mte2> [%c0]
    moe_npu.set_flag <mte1> -> <mte2> [%c1]
    moe_npu.set_flag <m> -> <mte1> [%c0]
    moe_npu.set_flag <m> -> <mte1> [%c1]
    moe_npu.set_flag <fix> -> <m> [%c0]
    scf.for %tile = %block to %tiles step %grid {
      %ti = arith.divui %tile, %tiles_n : index
      %tj = arith.remui %tile, %tiles_n : index
      %row = arith.muli %ti, %bm : index
      %col = arith.muli %tj, %bn : index
      %left = arith.subi %m, %row : index
      %rows = arith.minsi %left, %bm : index
      moe_npu.wait_flag <fix> -> <m> [%c0]
      scf.for %kk = %c0 to %ksteps step %c1 {
        %s = arith.remui %kk, %c2 : index
        %k = arith.muli %kk, %bk : index
        %kleft = arith.subi %kdim, %k : index
        %krows = arith.minsi %kleft, %bk : index
        %first = arith.cmpi eq, %kk, %c0 : index
        moe_npu.wait_flag <mte1> -> <mte2> [%s]
        moe_npu.load %A[%row, %k] -> %l1a[%s] rows %rows : !a, !l1a
        moe_npu.load %B[%k, %col] -> %l1b[%s] rows %krows : !b, !l1b
        moe_npu.set_flag <mte2> -> <mte1> [%s]
        moe_npu.wait_flag <mte2> -> <mte1> [%s]
        moe_npu.wait_flag <m> -> <mte1> [%s]
        moe_npu.copy %l1a[%s] -> %l0a[%s] : !l1a, !l0a
        moe_npu.copy %l1b[%s] -> %l0b[%s] : !l1b, !l0b
        moe_npu.set_flag <mte1> -> <mte2> [%s]
        moe_npu.set_flag <mte1> -> <m> [%s]
        moe_npu.wait_flag <mte1> -> <m> [%s]
        moe_npu.mmad %l0a[%s], %l0b[%s] -> %l0c[%c0] init %first : !l0a, !l0b, !l0c
        moe_npu.set_flag <m> -> <mte1> [%s]
      }
      moe_npu.set_flag <m> -> <fix> [%c0]
      moe_npu.wait_flag <m> -> <fix> [%c0]
      moe_npu.fixpipe %l0c[%c0] -> %C[%row, %col] rows %rows : !l0c, !c
      moe_npu.set_flag <fix> -> <m> [%c0]
    }
    moe_npu.wait_flag <mte1> -> <mte2> [%c0]
    moe_npu.wait_flag <mte1> -> <mte2> [%c1]
    moe_npu.wait_flag <m> -> <mte1> [%c0]
    moe_npu.wait_flag <m> -> <mte1> [%c1]
    moe_npu.wait_flag <fix> -> <m> [%c0]
  }
  return
}
)mlir";
  int64_t elementBytes = g.element == "f32" ? 4 : 2;
  auto replace = [&](const std::string &key, const std::string &value) {
    for (size_t at = text.find(key); at != std::string::npos;
         at = text.find(key, at + value.size()))
      text.replace(at, key.size(), value);
  };
  replace("@M@", g.m ? std::to_string(g.m) : "?");
  replace("@T@", g.element);
  replace("@C@", g.result);
  for (auto [key, value] : {std::pair<const char *, int64_t>{"@N@", g.n},
                            {"@K@", g.k},
                            {"@BM@", g.bm},
                            {"@BN@", g.bn},
                            {"@BK@", g.bk},
                            {"@GRID@", g.grid},
                            {"@KSTEPS@", (g.k + g.bk - 1) / g.bk},
                            {"@TILESN@", (g.n + g.bn - 1) / g.bn},
                            {"@L1B@", 2 * g.bm * g.bk * elementBytes}})
    replace(key, std::to_string(value));
  return text;
}

} // namespace moec::test

#endif // MOEC_TEST_UNIT_GEMMPLANTEXT_H
