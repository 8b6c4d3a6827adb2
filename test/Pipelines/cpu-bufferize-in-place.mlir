// RUN: moe-opt %s --moe-cpu-lower-to-linalg --moe-cpu-bufferize | FileCheck %s

// In-place results (docs/training-design.md, "In place"): a result tied to an
// argument with `moe.in_place` is updated in that argument's buffer, with no
// copy, and needs no out-parameter; untied arguments are read-only.

// Two parameters updated by two adamw ops, in place, and a loss: the only
// out-parameter left is the loss's, after the arguments. The moments are
// updated in place too (the adamw lowering writes into param, m and v).
// CHECK-LABEL: func.func @step(
// CHECK-SAME:      %[[W1:[a-z0-9]+]]: memref<6x5xf32>, %[[M1:[a-z0-9]+]]: memref<6x5xf32>, %[[V1:[a-z0-9]+]]: memref<6x5xf32>,
// CHECK-SAME:      %[[W2:[a-z0-9]+]]: memref<?xf32>, %[[M2:[a-z0-9]+]]: memref<?xf32>, %[[V2:[a-z0-9]+]]: memref<?xf32>,
// CHECK-SAME:      %[[G1:[a-z0-9]+]]: memref<6x5xf32>, %[[G2:[a-z0-9]+]]: memref<?xf32>, %[[T:[a-z0-9]+]]: memref<i64>,
// CHECK-SAME:      %[[LOSS:[a-z0-9]+]]: memref<f32>) {
// CHECK-NOT:     memref.copy
// CHECK-NOT:     memref.alloc
// CHECK:         linalg.reduce {{.*}} ins(%[[W2]] : memref<?xf32>) outs(%[[LOSS]] : memref<f32>)
// CHECK:         linalg.generic
// CHECK-SAME:        ins(%[[G1]] : memref<6x5xf32>) outs(%[[W1]], %[[M1]], %[[V1]] :
// CHECK:         linalg.generic
// CHECK-SAME:        ins(%[[G2]] : memref<?xf32>) outs(%[[W2]], %[[M2]], %[[V2]] :
// CHECK-NOT:     memref.copy
// CHECK:         return{{$}}
func.func @step(%w1: tensor<6x5xf32>, %m1: tensor<6x5xf32>, %v1: tensor<6x5xf32>,
                %w2: tensor<?xf32>, %m2: tensor<?xf32>, %v2: tensor<?xf32>,
                %g1: tensor<6x5xf32>, %g2: tensor<?xf32>, %t: tensor<i64>)
    -> (tensor<6x5xf32> {moe.in_place = 0 : i64},
        tensor<6x5xf32> {moe.in_place = 1 : i64},
        tensor<6x5xf32> {moe.in_place = 2 : i64},
        tensor<f32>,
        tensor<?xf32> {moe.in_place = 3 : i64},
        tensor<?xf32> {moe.in_place = 4 : i64},
        tensor<?xf32> {moe.in_place = 5 : i64}) {
  %zero = arith.constant 0.0 : f32
  %e0 = tensor.empty() : tensor<f32>
  %acc = linalg.fill ins(%zero : f32) outs(%e0 : tensor<f32>) -> tensor<f32>
  %loss = linalg.reduce ins(%w2 : tensor<?xf32>) outs(%acc : tensor<f32>)
      dimensions = [0]
      (%x: f32, %a: f32) {
        %s = arith.addf %a, %x : f32
        linalg.yield %s : f32
      }
  %w1n, %m1n, %v1n = moe.adamw %w1, %g1, %m1, %v1 step %t lr = 1.0e-3
      : (tensor<6x5xf32>, tensor<6x5xf32>, tensor<6x5xf32>, tensor<6x5xf32>,
         tensor<i64>) -> (tensor<6x5xf32>, tensor<6x5xf32>, tensor<6x5xf32>)
  %w2n, %m2n, %v2n = moe.adamw %w2, %g2, %m2, %v2 step %t lr = 1.0e-3
      : (tensor<?xf32>, tensor<?xf32>, tensor<?xf32>, tensor<?xf32>,
         tensor<i64>) -> (tensor<?xf32>, tensor<?xf32>, tensor<?xf32>)
  return %w1n, %m1n, %v1n, %loss, %w2n, %m2n, %v2n
      : tensor<6x5xf32>, tensor<6x5xf32>, tensor<6x5xf32>, tensor<f32>,
        tensor<?xf32>, tensor<?xf32>, tensor<?xf32>
}

// Without ties, arguments are only read: adamw updates copies of param, m
// and v made in the out-parameters, and the caller's inputs keep their
// values (as a function computing into new tensors always did).
// CHECK-LABEL: func.func @untied(
// CHECK-SAME:      %[[P:[a-z0-9]+]]: memref<8xf32>, %[[G:[a-z0-9]+]]: memref<8xf32>, %[[M:[a-z0-9]+]]: memref<8xf32>, %[[V:[a-z0-9]+]]: memref<8xf32>, %{{[a-z0-9]+}}: memref<i64>,
// CHECK-SAME:      %[[OP:[a-z0-9]+]]: memref<8xf32>, %[[OM:[a-z0-9]+]]: memref<8xf32>, %[[OV:[a-z0-9]+]]: memref<8xf32>) {
// CHECK-DAG:     memref.copy %[[P]], %[[OP]]
// CHECK-DAG:     memref.copy %[[M]], %[[OM]]
// CHECK-DAG:     memref.copy %[[V]], %[[OV]]
// CHECK:         linalg.generic
// CHECK-SAME:        ins(%[[G]] : memref<8xf32>) outs(%[[OP]], %[[OM]], %[[OV]] :
func.func @untied(%p: tensor<8xf32>, %g: tensor<8xf32>, %m: tensor<8xf32>,
                  %v: tensor<8xf32>, %t: tensor<i64>)
    -> (tensor<8xf32>, tensor<8xf32>, tensor<8xf32>) {
  %p1, %m1, %v1 = moe.adamw %p, %g, %m, %v step %t lr = 1.0e-3
      : (tensor<8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>,
         tensor<i64>) -> (tensor<8xf32>, tensor<8xf32>, tensor<8xf32>)
  return %p1, %m1, %v1 : tensor<8xf32>, tensor<8xf32>, tensor<8xf32>
}

// A call of a function with a tied result passes the buffer to update and
// gets no result back for it; the caller, untied, updates a copy of its
// argument in its out-parameter.
// CHECK-LABEL: func.func @caller(
// CHECK-SAME:      %[[P:[a-z0-9]+]]: memref<8xf32>, %[[G:[a-z0-9]+]]: memref<8xf32>, %[[OUT:[a-z0-9]+]]: memref<8xf32>) {
// CHECK:         memref.copy %[[P]], %[[OUT]]
// CHECK:         call @sgd(%[[OUT]], %[[G]]) : (memref<8xf32>, memref<8xf32>) -> ()
// CHECK:         return{{$}}
// CHECK-LABEL: func.func @sgd(
// CHECK-SAME:      %[[P:[a-z0-9]+]]: memref<8xf32>, %[[G:[a-z0-9]+]]: memref<8xf32>) {
// CHECK-NOT:     memref.copy
// CHECK:         linalg.sub ins(%[[P]], %[[G]] : {{.*}}) outs(%[[P]] : memref<8xf32>)
// CHECK-NEXT:    return{{$}}
func.func @caller(%p: tensor<8xf32>, %g: tensor<8xf32>) -> tensor<8xf32> {
  %r = call @sgd(%p, %g) : (tensor<8xf32>, tensor<8xf32>) -> tensor<8xf32>
  return %r : tensor<8xf32>
}

func.func @sgd(%p: tensor<8xf32>, %g: tensor<8xf32>)
    -> (tensor<8xf32> {moe.in_place = 0 : i64}) {
  %s = linalg.sub ins(%p, %g : tensor<8xf32>, tensor<8xf32>)
                  outs(%p : tensor<8xf32>) -> tensor<8xf32>
  return %s : tensor<8xf32>
}
