// The weight-gradient kernel (moe.grouped_matmul_wgrad) and the forward
// kernel on the adjoint's transposed weight. The target is spelled out, so
// the kernels do not depend on the machine: 16 lanes, 32 registers (6 x 4
// register tiles), 48K of L1d (row blocks of 48K / 2 / 256 B = 96 rows).
// RUN: moe-opt %s --split-input-file --moe-cpu-select-tiling="target=cpu-host:vector-bits=512,registers=32,l1d=48K,l2=1M,avx512f=true,avx512bf16=true" --moe-cpu-lower-to-kernels="target=cpu-host:vector-bits=512,registers=32,l1d=48K,l2=1M,avx512f=true,avx512bf16=true" | FileCheck %s

// f32, K = 13 = 2 x 6 + 1, N = 80 = one panel of 4 vectors + one of 1.
// Items: 3 experts x 2 panels x 3 K blocks of 6 (K is split so that the
// 64 workers get several items each), 6 per expert, each costing its
// expert's rows + 1. Workers take the items whose cost starts in their
// share; an item walks its group's rows in blocks of 96, copies the
// block's rows of the dy panel into its worker's scratch, and runs each
// tile over them, continuing from the partial sums stored in the output
// after the first block.
// CHECK-LABEL: func.func @wgrad_f32(
// CHECK-SAME:      %[[X:[a-z0-9]+]]: tensor<?x13xf32>, %[[DY:[a-z0-9]+]]: tensor<?x80xf32>, %[[OFF:[a-z0-9]+]]: tensor<4xi32>)
// CHECK-NOT:     moe.grouped_matmul_wgrad
// CHECK-DAG:     %[[XB:.+]] = bufferization.to_buffer %[[X]] read_only : tensor<?x13xf32> to memref<?x13xf32>
// CHECK-DAG:     %[[DYB:.+]] = bufferization.to_buffer %[[DY]] read_only : tensor<?x80xf32> to memref<?x80xf32>
// CHECK-DAG:     %[[OB:.+]] = bufferization.to_buffer %[[OFF]] read_only : tensor<4xi32> to memref<4xi32>
// CHECK-DAG:     %[[RX:.+]] = tensor.dim %[[X]]
// CHECK-DAG:     %[[RDY:.+]] = tensor.dim %[[DY]]
// CHECK:         %[[ROWS:.+]] = arith.minsi %[[RX]], %[[RDY]] : index
// CHECK:         %[[OUT:.+]] = memref.alloc() {alignment = 64 : i64} : memref<3x13x80xf32>
//                Cost prefix: starts[e + 1] = starts[e] + (rows_e + 1) * 6.
// CHECK:         %[[STARTS:.+]] = memref.alloca() : memref<4xindex>
// CHECK:         scf.for
// CHECK:           memref.load %[[OB]]
// CHECK:           arith.muli %{{.*}}, %[[C6:.*]] : index
// CHECK:           memref.store %{{.*}}, %[[STARTS]]
// CHECK:         %[[TOTAL:.+]] = memref.load %[[STARTS]]
// CHECK:         %[[WORKERS:.+]] = arith.minui %[[TOTAL]], %{{.*}} : index
// CHECK:         %[[SCRATCH:.+]] = memref.alloc(%[[WORKERS]]) {alignment = 64 : i64} : memref<?x96x64xf32>
// CHECK:         scf.parallel (%[[W:.+]]) = (%{{.*}}) to (%[[WORKERS]])
// CHECK:           arith.muli %[[W]], %[[TOTAL]] : index
// CHECK:           scf.for %[[E:[a-z0-9]+]] =
// CHECK:             arith.ceildivsi
// CHECK:             arith.ceildivsi
// CHECK:             scf.for %[[ITEM:[a-z0-9]+]] =
// CHECK:               %[[PANEL:.+]] = arith.divui %[[ITEM]], %{{.*}} : index
// CHECK:               %[[KBLOCK:.+]] = arith.remui %[[ITEM]], %{{.*}} : index
// CHECK:               %[[FULL:.+]] = arith.cmpi ult, %[[PANEL]], %{{.*}} : index
// CHECK:               scf.if %[[FULL]] {
// CHECK:                 arith.ceildivui %{{.*}}, %{{.*}} : index
// CHECK:                 scf.for %[[RB:[a-z0-9]+]] =
// CHECK:                   %[[FIRST:.+]] = arith.cmpi eq, %[[RB]], %{{.*}} : index
// CHECK:                   scf.for %[[PROW:[a-z0-9]+]] =
// CHECK:                     %[[LOCAL:.+]] = arith.subi %[[PROW]], %{{.*}} : index
// CHECK-COUNT-4:             vector.store %{{.*}}, %[[SCRATCH]][%[[W]], %[[LOCAL]], %{{.*}}] : memref<?x96x64xf32>, vector<16xf32>
// CHECK:                   scf.for %[[K0:[a-z0-9]+]] = %{{.*}} to %{{.*}} step %{{.*}} {
//                            From zero, or from the partial sums.
// CHECK:                     %[[INIT:.+]]:24 = scf.if %[[FIRST]] -> (vector<16xf32>
// CHECK:                     } else {
// CHECK-COUNT-24:              vector.load %[[OUT]][%[[E]], %{{.*}}, %{{.*}}] : memref<3x13x80xf32>, vector<16xf32>
// CHECK:                     }
//                            One row per step: 4 dy vectors from the
//                            scratch, 6 broadcasts.
// CHECK:                     %[[ACC:.+]]:24 = scf.for %[[ROW:[a-z0-9]+]] = %{{.*}} to %{{.*}} step %{{.*}} iter_args({{.*}}) -> (vector<16xf32>
// CHECK-COUNT-4:               vector.load %[[SCRATCH]][%[[W]], %{{.*}}, %{{.*}}] : memref<?x96x64xf32>, vector<16xf32>
// CHECK:                       memref.load %[[XB]][%[[ROW]], %[[K0]]] : memref<?x13xf32>
// CHECK:                       vector.broadcast %{{.*}} : f32 to vector<16xf32>
// CHECK-COUNT-4:               vector.fma
// CHECK:                       scf.yield
// CHECK-COUNT-24:            vector.store %{{.*}}, %[[OUT]][%[[E]], %{{.*}}, %{{.*}}] : memref<3x13x80xf32>, vector<16xf32>
// CHECK:                   }
//                          K = 13: the last K block ends with a 1-row tile.
// CHECK:                   %[[LAST:.+]] = arith.cmpi eq, %[[KBLOCK]], %{{.*}} : index
// CHECK:                   scf.if %[[LAST]] {
// CHECK:                     scf.for {{.*}} -> (vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>) {
// CHECK-COUNT-4:             vector.store %{{.*}}, %[[OUT]]
// CHECK:               } else {
//                        The last panel: 1 vector per row of K.
// CHECK:                 scf.for {{.*}} -> (vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>) {
// CHECK:         %[[RES:.+]] = bufferization.to_tensor %[[OUT]] restrict writable : memref<3x13x80xf32> to tensor<3x13x80xf32>
// CHECK:         return %[[RES]]
func.func @wgrad_f32(%xs: tensor<?x13xf32>, %dy: tensor<?x80xf32>,
                     %offsets: tensor<4xi32>) -> tensor<3x13x80xf32> {
  %dw = moe.grouped_matmul_wgrad %xs, %dy, %offsets
      : tensor<?x13xf32>, tensor<?x80xf32>, tensor<4xi32> -> tensor<3x13x80xf32>
  return %dw : tensor<3x13x80xf32>
}

// -----

// bf16: the operands are widened as they are loaded and the f32 sums
// rounded once as they are stored. A bf16 output cannot hold exact partial
// sums, so each tile passes over all of its group's rows at once: no row
// blocks, no scratch, no loads from the output.
// CHECK-LABEL: func.func @wgrad_bf16(
// CHECK:         %[[OUT:.+]] = memref.alloc() {alignment = 64 : i64} : memref<2x32x64xbf16>
// CHECK-NOT:     arith.ceildivui
// CHECK-NOT:     memref.alloc(
// CHECK:         scf.for {{.*}} -> (vector<16xf32>
// CHECK:           %[[DYV:.+]] = vector.load %{{.*}} : memref<?x64xbf16>, vector<16xbf16>
// CHECK:           arith.extf %[[DYV]] : vector<16xbf16> to vector<16xf32>
// CHECK:           %[[XS:.+]] = memref.load %{{.*}} : memref<?x32xbf16>
// CHECK:           arith.extf %[[XS]] : bf16 to f32
// CHECK:           vector.fma
// CHECK:         arith.truncf %{{.*}} : vector<16xf32> to vector<16xbf16>
// CHECK:         vector.store %{{.*}}, %[[OUT]]
// CHECK-NOT:     vector.load %{{.*}}, %[[OUT]]
// CHECK:         return
func.func @wgrad_bf16(%xs: tensor<?x32xbf16>, %dy: tensor<?x64xbf16>,
                      %offsets: tensor<3xi64>) -> tensor<2x32x64xbf16> {
  %dw = moe.grouped_matmul_wgrad %xs, %dy, %offsets
      : tensor<?x32xbf16>, tensor<?x64xbf16>, tensor<3xi64> -> tensor<2x32x64xbf16>
  return %dw : tensor<2x32x64xbf16>
}

// -----

// What the kernel does not cover is left to --moe-lower-to-linalg: f64,
// and an N the vector width does not divide.
// CHECK-LABEL: func.func @wgrad_not_covered(
// CHECK:         moe.grouped_matmul_wgrad {{.*}} -> tensor<2x8x4xf64>
// CHECK:         moe.grouped_matmul_wgrad {{.*}} -> tensor<2x8x20xf32>
func.func @wgrad_not_covered(%x64: tensor<?x8xf64>, %dy64: tensor<?x4xf64>,
                             %x: tensor<?x8xf32>, %dy: tensor<?x20xf32>,
                             %offsets: tensor<3xi32>)
    -> (tensor<2x8x4xf64>, tensor<2x8x20xf32>) {
  %a = moe.grouped_matmul_wgrad %x64, %dy64, %offsets
      : tensor<?x8xf64>, tensor<?x4xf64>, tensor<3xi32> -> tensor<2x8x4xf64>
  %b = moe.grouped_matmul_wgrad %x, %dy, %offsets
      : tensor<?x8xf32>, tensor<?x20xf32>, tensor<3xi32> -> tensor<2x8x20xf32>
  return %a, %b : tensor<2x8x4xf64>, tensor<2x8x20xf32>
}

// -----

// An AVX2 module target (8 lanes, 16 registers): 6 x 2 register tiles, row
// blocks of 32K / 2 / 64 B = 256 rows.
// CHECK-LABEL: func.func @wgrad_avx2(
// CHECK:         memref.alloc(%{{.*}}) {alignment = 64 : i64} : memref<?x256x16xf32>
// CHECK:         arith.ceildivui %{{.*}}, %[[RB:.*]] : index
// CHECK:         scf.for {{.*}} -> (vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>) {
// CHECK-COUNT-2:   vector.load %{{.*}} : memref<?x256x16xf32>, vector<8xf32>
// CHECK-COUNT-12:  vector.fma
module attributes {moe.target = #moe.target<name = "cpu-host", kind = "cpu", cube_cores = 0, vector_cores = 4, vector_width = 32, vector_block = 32, vector_registers = 16, features = ["fma", "avx2"], matrix = [], memory = [#moe.memory<"L1d", capacity = 32768, align = 64>, #moe.memory<"L2", capacity = 524288, align = 64>, #moe.memory<"L3", capacity = 8388608, align = 64>], copies = [], pipes = [], event_ids = 0, cross_core_event_ids = 0>} {
  func.func @wgrad_avx2(%xs: tensor<?x12xf32>, %dy: tensor<?x32xf32>,
                        %offsets: tensor<5xi32>) -> tensor<4x12x32xf32> {
    %dw = moe.grouped_matmul_wgrad %xs, %dy, %offsets
        : tensor<?x12xf32>, tensor<?x32xf32>, tensor<5xi32> -> tensor<4x12x32xf32>
    return %dw : tensor<4x12x32xf32>
  }
}

// -----

// The adjoint's d_input: moe.grouped_matmul on the weight transposed by
// linalg.transpose, which is no function argument. It still becomes the
// packed GEMM kernel: the pack function is called on the transposed tensor.
// CHECK-LABEL: func.func @adjoint_d_input(
// CHECK-SAME:      %[[DY:[a-z0-9]+]]: tensor<?x80xf32>, %[[W:[a-z0-9]+]]: tensor<4x32x80xf32>
// CHECK:         %[[WT:.+]] = linalg.transpose ins(%[[W]] : tensor<4x32x80xf32>) outs(%{{.*}} : tensor<4x80x32xf32>) permutation = [0, 2, 1]
// CHECK-NOT:     moe.grouped_matmul
// CHECK:         %[[PACKED:.+]] = call @__moe_pack_4x80x32xf32_nr32(%[[WT]]) : (tensor<4x80x32xf32>) -> tensor<4x1x80x32xf32>
// CHECK:         bufferization.to_buffer %[[PACKED]] read_only
// CHECK:         scf.parallel
// CHECK:         vector.fma
// CHECK:         return
func.func @adjoint_d_input(%dy: tensor<?x80xf32>, %w: tensor<4x32x80xf32>,
                           %offsets: tensor<5xi32>) -> tensor<?x32xf32> {
  %e = tensor.empty() : tensor<4x80x32xf32>
  %wt = linalg.transpose ins(%w : tensor<4x32x80xf32>)
      outs(%e : tensor<4x80x32xf32>) permutation = [0, 2, 1]
  %dx = moe.grouped_matmul %dy, %wt, %offsets
      : tensor<?x80xf32>, tensor<4x80x32xf32>, tensor<5xi32> -> tensor<?x32xf32>
  return %dx : tensor<?x32xf32>
}
