// RUN: moe-opt %s --split-input-file --verify-diagnostics --moe-grad="functions=f"
// RUN: not moe-opt %s --split-input-file --moe-grad="functions=missing" 2>&1 | FileCheck %s --check-prefix=MISSING

// MISSING: error: --moe-grad: no function '@missing' in the module

// expected-error @below {{'func.func' op must return exactly one ranked tensor to be differentiated, got 2 results}}
func.func @f(%a: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  return %a, %a : tensor<4xf32>, tensor<4xf32>
}

// -----

// expected-error @below {{'func.func' op needs a body of one block to be differentiated}}
func.func private @f(tensor<4xf32>) -> tensor<4xf32>

// -----

func.func @f(%a: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @below {{'math.exp' op has no adjoint: --moe-grad differentiates moe ops (through GradientOpInterface), linalg.matmul, linalg.add, linalg.fill, tensor.cast, arith.addf/subf/mulf and arith.truncf/extf}}
  %e = math.exp %a : tensor<4xf32>
  return %e : tensor<4xf32>
}

// -----

// expected-error @below {{'func.func' op cannot add '@f_grad': the symbol exists already (only a private declaration may stand for it)}}
func.func @f(%a: tensor<4xf32>, %b: tensor<4xf32>) -> tensor<4xf32> {
  %s = arith.addf %a, %b : tensor<4xf32>
  return %s : tensor<4xf32>
}
func.func @f_grad() {
  return
}

// -----

func.func @f(%a: tensor<4xf32>, %b: tensor<4xf32>) -> tensor<4xf32> {
  %s = arith.mulf %a, %b : tensor<4xf32>
  return %s : tensor<4xf32>
}
// expected-error @below {{'func.func' op declares the gradient of '@f' with type '(tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>', but it has type '(tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>)'}}
func.func private @f_grad(tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
