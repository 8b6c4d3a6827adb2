// RUN: moe-opt %s --moe-approximate-math | FileCheck %s

// f32 math.exp, scalar or vector, becomes MLIR's polynomial: a clamp of the
// argument, a range reduction x = n ln2 + r (floor, two fma with the split
// ln2), a polynomial in r, and 2^n built in the exponent bits (n + 127) << 23.
// CHECK-LABEL: func.func @exp_f32(
// CHECK-SAME: %[[A:.+]]: f32, %[[V:.+]]: vector<16xf32>)
// CHECK-NOT: math.exp
// CHECK: arith.cmpf uge, %[[A]], %{{.*}} : f32
// CHECK: math.floor %{{.*}} : f32
// CHECK: math.fma %{{.*}} : f32
// CHECK: arith.fptosi %{{.*}} : f32 to i32
// CHECK: arith.shli %{{.*}}, %c23_i32 : i32
// CHECK: %[[S:.+]] = arith.mulf %{{.*}}, %{{.*}} : f32
// CHECK: arith.cmpf uge, %[[V]], %{{.*}} : vector<16xf32>
// CHECK: math.floor %{{.*}} : vector<16xf32>
// CHECK: math.fma %{{.*}} : vector<16xf32>
// CHECK: arith.fptosi %{{.*}} : vector<16xf32> to vector<16xi32>
// CHECK: arith.shli %{{.*}} : vector<16xi32>
// CHECK: arith.bitcast %{{.*}} : vector<16xi32> to vector<16xf32>
// CHECK: %[[VS:.+]] = arith.mulf %{{.*}}, %{{.*}} : vector<16xf32>
// CHECK-NOT: math.exp
// CHECK: return %[[S]], %[[VS]] : f32, vector<16xf32>
func.func @exp_f32(%a: f32, %v: vector<16xf32>) -> (f32, vector<16xf32>) {
  %0 = math.exp %a : f32
  %1 = math.exp %v : vector<16xf32>
  return %0, %1 : f32, vector<16xf32>
}

// Only f32 exp is approximated: other math ops, and exp of f64 (the
// polynomial is an f32 one), are left for LLVM.
// CHECK-LABEL: func.func @left_alone(
// CHECK-SAME: %[[A:.+]]: f32, %[[D:.+]]: f64, %[[V:.+]]: vector<8xf32>)
// CHECK-NEXT: %[[L:.+]] = math.log %[[A]] : f32
// CHECK-NEXT: %[[T:.+]] = math.tanh %[[V]] : vector<8xf32>
// CHECK-NEXT: %[[E:.+]] = math.erf %[[A]] : f32
// CHECK-NEXT: %[[X:.+]] = math.exp %[[D]] : f64
// CHECK-NEXT: %[[S:.+]] = math.sqrt %[[A]] : f32
// CHECK-NEXT: return %[[L]], %[[T]], %[[E]], %[[X]], %[[S]]
func.func @left_alone(%a: f32, %d: f64, %v: vector<8xf32>)
    -> (f32, vector<8xf32>, f32, f64, f32) {
  %0 = math.log %a : f32
  %1 = math.tanh %v : vector<8xf32>
  %2 = math.erf %a : f32
  %3 = math.exp %d : f64
  %4 = math.sqrt %a : f32
  return %0, %1, %2, %3, %4 : f32, vector<8xf32>, f32, f64, f32
}

// Inside a kernel-like loop on vectors, as the SwiGLU epilogue has it.
// CHECK-LABEL: func.func @silu(
// CHECK: scf.for
// CHECK-NOT: math.exp
// CHECK: arith.divf %{{.*}} : vector<16xf32>
// CHECK: vector.store
func.func @silu(%buf: memref<64xf32>) {
  %c0 = arith.constant 0 : index
  %c16 = arith.constant 16 : index
  %c64 = arith.constant 64 : index
  %one = arith.constant dense<1.0> : vector<16xf32>
  scf.for %i = %c0 to %c64 step %c16 {
    %x = vector.load %buf[%i] : memref<64xf32>, vector<16xf32>
    %n = arith.negf %x : vector<16xf32>
    %e = math.exp %n : vector<16xf32>
    %d = arith.addf %one, %e : vector<16xf32>
    %s = arith.divf %x, %d : vector<16xf32>
    vector.store %s, %buf[%i] : memref<64xf32>, vector<16xf32>
  }
  return
}
