// RUN: moe-opt %s --split-input-file --verify-diagnostics --moe-cpu-split-weight-packing | FileCheck %s
// Running the pass again changes nothing: @f then calls its companions,
// which are not split themselves.
// RUN: moe-opt %s --split-input-file --verify-diagnostics --moe-cpu-split-weight-packing -o %t.once
// RUN: moe-opt %t.once --split-input-file -o %t.reprinted
// RUN: moe-opt %t.once --split-input-file --moe-cpu-split-weight-packing -o %t.twice
// RUN: diff %t.reprinted %t.twice

// A function on buffers as --buffer-results-to-out-params leaves it: each
// pack call reads a weight argument and writes a static allocation. %w1 is
// packed twice (two layouts) and %w0 once; the arguments in between are not
// weights.
// CHECK-LABEL: func.func @f(
// CHECK-SAME: %[[X:[a-z0-9]+]]: memref<?x64xf32>, %[[W1:[a-z0-9]+]]: memref<64x32xf32>, %[[W0:[a-z0-9]+]]: memref<4x64x32xf32>, %[[OUT:[a-z0-9]+]]: memref<?x32xf32>)
// @f keeps its signature: allocate the packed buffers (cache-line aligned,
// whatever the out-parameter allocations had), prepack, run.
// CHECK-NEXT: %[[B0:.+]] = memref.alloc() {alignment = 64 : i64} : memref<4x2x64x16xf32>
// CHECK-NEXT: %[[B1:.+]] = memref.alloc() {alignment = 64 : i64} : memref<1x2x64x16xf32>
// CHECK-NEXT: %[[B2:.+]] = memref.alloc() {alignment = 64 : i64} : memref<1x1x64x32xf32>
// CHECK-NEXT: call @f__prepack(%[[W1]], %[[W0]], %[[B0]], %[[B1]], %[[B2]])
// CHECK-NEXT: call @f__packed(%[[B0]], %[[B1]], %[[B2]], %[[X]], %[[W1]], %[[W0]], %[[OUT]])
// CHECK-NEXT: return
// CHECK-NEXT: }

// The packed variant: @f's body with the packed buffers as leading arguments
// and no pack call or allocation of them.
// CHECK: func.func @f__packed(%[[P0:[a-z0-9]+]]: memref<4x2x64x16xf32>, %[[P1:[a-z0-9]+]]: memref<1x2x64x16xf32>, %[[P2:[a-z0-9]+]]: memref<1x1x64x32xf32>, %{{.*}}: memref<?x64xf32>, %{{.*}}: memref<64x32xf32>, %{{.*}}: memref<4x64x32xf32>, %[[POUT:[a-z0-9]+]]: memref<?x32xf32>) attributes {moe.packed_of = @f}
// CHECK-NOT: call @__moe_pack
// CHECK-NOT: memref.alloc
// CHECK: call @use(%[[P0]], %[[P1]], %[[P2]], %[[POUT]])
// CHECK-NEXT: return
// CHECK-NEXT: }

// The pack-once entry: each weight argument once, in argument order, marked
// with its index in @f; then one out-buffer per pack call, in call order.
// CHECK: func.func @f__prepack(%[[PW1:[a-z0-9]+]]: memref<64x32xf32> {moe.weight_of = 1 : i64}, %[[PW0:[a-z0-9]+]]: memref<4x64x32xf32> {moe.weight_of = 2 : i64}, %[[Q0:[a-z0-9]+]]: memref<4x2x64x16xf32>, %[[Q1:[a-z0-9]+]]: memref<1x2x64x16xf32>, %[[Q2:[a-z0-9]+]]: memref<1x1x64x32xf32>) attributes {moe.prepack_of = @f}
// CHECK-NEXT: call @pack_experts(%[[PW0]], %[[Q0]])
// CHECK-NEXT: call @pack_dense(%[[PW1]], %[[Q1]])
// CHECK-NEXT: call @pack_dense_wide(%[[PW1]], %[[Q2]])
// CHECK-NEXT: return
// CHECK-NEXT: }

// Private functions are not split.
// CHECK-NOT: func.func @pack_experts__prepack
// CHECK-NOT: func.func @use__packed
func.func @f(%x: memref<?x64xf32>, %w1: memref<64x32xf32>,
             %w0: memref<4x64x32xf32>, %out: memref<?x32xf32>) {
  %p0 = memref.alloc() {alignment = 64 : i64} : memref<4x2x64x16xf32>
  call @pack_experts(%w0, %p0) : (memref<4x64x32xf32>, memref<4x2x64x16xf32>) -> ()
  %p1 = memref.alloc() {alignment = 64 : i64} : memref<1x2x64x16xf32>
  call @pack_dense(%w1, %p1) : (memref<64x32xf32>, memref<1x2x64x16xf32>) -> ()
  %p2 = memref.alloc() : memref<1x1x64x32xf32>
  call @pack_dense_wide(%w1, %p2) : (memref<64x32xf32>, memref<1x1x64x32xf32>) -> ()
  call @use(%p0, %p1, %p2, %out)
      : (memref<4x2x64x16xf32>, memref<1x2x64x16xf32>, memref<1x1x64x32xf32>,
         memref<?x32xf32>) -> ()
  return
}
func.func private @pack_experts(memref<4x64x32xf32>, memref<4x2x64x16xf32>)
    attributes {moe.weight_pack}
func.func private @pack_dense(memref<64x32xf32>, memref<1x2x64x16xf32>)
    attributes {moe.weight_pack}
func.func private @pack_dense_wide(memref<64x32xf32>, memref<1x1x64x32xf32>)
    attributes {moe.weight_pack}
func.func private @use(memref<4x2x64x16xf32>, memref<1x2x64x16xf32>,
                       memref<1x1x64x32xf32>, memref<?x32xf32>)

// -----

// Results stay results: @f__packed returns what @f returned, and @f returns
// what @f__packed gives back.
// CHECK-LABEL: func.func @with_result(
// CHECK-SAME: %[[W:[a-z0-9]+]]: memref<64x32xf32>) -> f32
// CHECK-NEXT: %[[B:.+]] = memref.alloc() {alignment = 64 : i64} : memref<1x2x64x16xf32>
// CHECK-NEXT: call @with_result__prepack(%[[W]], %[[B]])
// CHECK-NEXT: %[[R:.+]] = call @with_result__packed(%[[B]], %[[W]]) : (memref<1x2x64x16xf32>, memref<64x32xf32>) -> f32
// CHECK-NEXT: return %[[R]] : f32
// CHECK: func.func @with_result__packed(%[[P:[a-z0-9]+]]: memref<1x2x64x16xf32>, %{{.*}}: memref<64x32xf32>) -> f32
// CHECK: memref.load %[[P]]
// CHECK: func.func @with_result__prepack(
func.func @with_result(%w: memref<64x32xf32>) -> f32 {
  %p = memref.alloc() : memref<1x2x64x16xf32>
  call @pack(%w, %p) : (memref<64x32xf32>, memref<1x2x64x16xf32>) -> ()
  %c0 = arith.constant 0 : index
  %v = memref.load %p[%c0, %c0, %c0, %c0] : memref<1x2x64x16xf32>
  return %v : f32
}
func.func private @pack(memref<64x32xf32>, memref<1x2x64x16xf32>)
    attributes {moe.weight_pack}

// -----

// Left alone: a pack call whose weight is not an argument (here a view of
// one), a call of a function not tagged moe.weight_pack, a pack call into a
// buffer that is not an allocation of the function, and a private function.
// CHECK-LABEL: func.func @not_an_argument(
// CHECK-NEXT: memref.subview
// CHECK-NEXT: memref.alloc
// CHECK-NEXT: memref.cast
// CHECK-NEXT: call @pack(
// CHECK-LABEL: func.func @untagged(
// CHECK-NEXT: memref.alloc
// CHECK-NEXT: call @not_a_pack(
// CHECK-LABEL: func.func @into_argument(
// CHECK-NEXT: call @pack(
// CHECK-LABEL: func.func private @private_packs(
// CHECK-NEXT: memref.alloc
// CHECK-NEXT: call @pack(
// CHECK-NOT: __prepack
// CHECK-NOT: __packed
func.func @not_an_argument(%w: memref<128x32xf32>) {
  %view = memref.subview %w[0, 0] [64, 32] [1, 1]
      : memref<128x32xf32> to memref<64x32xf32, strided<[32, 1]>>
  %p = memref.alloc() : memref<1x2x64x16xf32>
  %c = memref.cast %view : memref<64x32xf32, strided<[32, 1]>> to memref<64x32xf32>
  call @pack(%c, %p) : (memref<64x32xf32>, memref<1x2x64x16xf32>) -> ()
  return
}
func.func @untagged(%w: memref<64x32xf32>) {
  %p = memref.alloc() : memref<1x2x64x16xf32>
  call @not_a_pack(%w, %p) : (memref<64x32xf32>, memref<1x2x64x16xf32>) -> ()
  return
}
func.func @into_argument(%w: memref<64x32xf32>, %p: memref<1x2x64x16xf32>) {
  call @pack(%w, %p) : (memref<64x32xf32>, memref<1x2x64x16xf32>) -> ()
  return
}
func.func private @private_packs(%w: memref<64x32xf32>) {
  %p = memref.alloc() : memref<1x2x64x16xf32>
  call @pack(%w, %p) : (memref<64x32xf32>, memref<1x2x64x16xf32>) -> ()
  return
}
func.func private @pack(memref<64x32xf32>, memref<1x2x64x16xf32>)
    attributes {moe.weight_pack}
func.func private @not_a_pack(memref<64x32xf32>, memref<1x2x64x16xf32>)

// -----

// A name the split would create is taken: an error, nothing is changed.
func.func @g__prepack() {
  return
}
// expected-error @+1 {{cannot split weight packing: @g__prepack already exists}}
func.func @g(%w: memref<64x32xf32>) {
  %p = memref.alloc() : memref<1x2x64x16xf32>
  call @pack(%w, %p) : (memref<64x32xf32>, memref<1x2x64x16xf32>) -> ()
  return
}
func.func private @pack(memref<64x32xf32>, memref<1x2x64x16xf32>)
    attributes {moe.weight_pack}

// -----

func.func @h__packed() {
  return
}
// expected-error @+1 {{cannot split weight packing: @h__packed already exists}}
func.func @h(%w: memref<64x32xf32>) {
  %p = memref.alloc() : memref<1x2x64x16xf32>
  call @pack(%w, %p) : (memref<64x32xf32>, memref<1x2x64x16xf32>) -> ()
  return
}
func.func private @pack(memref<64x32xf32>, memref<1x2x64x16xf32>)
    attributes {moe.weight_pack}
