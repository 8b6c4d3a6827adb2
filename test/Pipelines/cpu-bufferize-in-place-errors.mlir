// RUN: moe-opt %s --moe-cpu-lower-to-linalg --moe-cpu-bufferize --split-input-file --verify-diagnostics

// A result tied to an argument with `moe.in_place` must be written into that
// argument's buffer; when bufferisation cannot do it, compilation fails
// naming the result and the argument (docs/training-design.md, "In place").

// The old parameter is returned too, so it is still read after the update:
// the update would need a copy of it.
// expected-error @+1 {{@read_after_update result 0 (moe.in_place = 0) cannot be written in place into argument 0: argument 0 is still read after the update (or is not writable), so bufferisation had to update a copy of it; read it before it is updated, or drop the tie}}
func.func @read_after_update(%p: tensor<8xf32>, %g: tensor<8xf32>,
                             %m: tensor<8xf32>, %v: tensor<8xf32>,
                             %t: tensor<i64>)
    -> (tensor<8xf32> {moe.in_place = 0 : i64}, tensor<8xf32>, tensor<8xf32>,
        tensor<8xf32>) {
  // expected-note @+1 {{argument 0 is copied for this update}}
  %p1, %m1, %v1 = moe.adamw %p, %g, %m, %v step %t lr = 1.0e-3
      : (tensor<8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>,
         tensor<i64>) -> (tensor<8xf32>, tensor<8xf32>, tensor<8xf32>)
  return %p1, %m1, %v1, %p
      : tensor<8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>
}

// -----

// The moment is read again by an op after the update.
// expected-error @+1 {{@read_later result 1 (moe.in_place = 2) cannot be written in place into argument 2: argument 2 is still read after the update}}
func.func @read_later(%p: tensor<8xf32>, %g: tensor<8xf32>,
                      %m: tensor<8xf32>, %v: tensor<8xf32>, %t: tensor<i64>)
    -> (tensor<8xf32> {moe.in_place = 0 : i64},
        tensor<8xf32> {moe.in_place = 2 : i64}, tensor<8xf32>) {
  // expected-note @+1 {{argument 2 is copied for this update}}
  %p1, %m1, %v1 = moe.adamw %p, %g, %m, %v step %t lr = 1.0e-3
      : (tensor<8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>,
         tensor<i64>) -> (tensor<8xf32>, tensor<8xf32>, tensor<8xf32>)
  %e = tensor.empty() : tensor<8xf32>
  %s = linalg.add ins(%v1, %m : tensor<8xf32>, tensor<8xf32>)
                  outs(%e : tensor<8xf32>) -> tensor<8xf32>
  return %p1, %m1, %s : tensor<8xf32>, tensor<8xf32>, tensor<8xf32>
}

// -----

// Computed in a new tensor, not in the argument's.
// expected-error @+1 {{@new_tensor result 0 (moe.in_place = 0) cannot be written in place into argument 0: it is computed in a new buffer, not in argument 0's tensor}}
func.func @new_tensor(%p: tensor<8xf32>, %g: tensor<8xf32>)
    -> (tensor<8xf32> {moe.in_place = 0 : i64}) {
  %e = tensor.empty() : tensor<8xf32>
  %s = linalg.sub ins(%p, %g : tensor<8xf32>, tensor<8xf32>)
                  outs(%e : tensor<8xf32>) -> tensor<8xf32>
  return %s : tensor<8xf32>
}

// -----

// Another argument, returned as it is.
// expected-error @+1 {{@other_argument result 0 (moe.in_place = 0) cannot be written in place into argument 0: it is argument 1's buffer}}
func.func @other_argument(%p: tensor<8xf32>, %g: tensor<8xf32>)
    -> (tensor<8xf32> {moe.in_place = 0 : i64}) {
  return %g : tensor<8xf32>
}

// -----

// expected-error @+1 {{@out_of_range result 0: moe.in_place = 2 is not an argument index (the function has 2 arguments)}}
func.func @out_of_range(%p: tensor<8xf32>, %g: tensor<8xf32>)
    -> (tensor<8xf32> {moe.in_place = 2 : i64}) {
  return %p : tensor<8xf32>
}

// -----

// expected-error @+1 {{@wrong_type result 0 (moe.in_place = 0) must have argument 0's type 'tensor<8xf32>' to be written into its buffer, got 'tensor<8xf16>'}}
func.func @wrong_type(%p: tensor<8xf32>, %q: tensor<8xf16>)
    -> (tensor<8xf16> {moe.in_place = 0 : i64}) {
  return %q : tensor<8xf16>
}

// -----

// expected-error @+1 {{@not_an_index result 0: moe.in_place must be the index of an argument (an integer), got "p"}}
func.func @not_an_index(%p: tensor<8xf32>)
    -> (tensor<8xf32> {moe.in_place = "p"}) {
  return %p : tensor<8xf32>
}

// -----

// expected-error @+1 {{@twice results 0 and 1 are both moe.in_place = 0; an argument's buffer can hold one result}}
func.func @twice(%p: tensor<8xf32>)
    -> (tensor<8xf32> {moe.in_place = 0 : i64},
        tensor<8xf32> {moe.in_place = 0 : i64}) {
  return %p, %p : tensor<8xf32>, tensor<8xf32>
}

// -----

// expected-error @+1 {{@helper result 0: moe.in_place is supported on public functions with a body only (the entry points a caller runs)}}
func.func private @helper(%p: tensor<8xf32>)
    -> (tensor<8xf32> {moe.in_place = 0 : i64}) {
  return %p : tensor<8xf32>
}
