// p - 0.5 g written in place of p (moe.in_place), and the loss-like sum of
// g^2 as a second, ordinary result.
#id = affine_map<(i, j) -> (i, j)>
func.func @sgd(%p: tensor<?x3xf32>, %g: tensor<?x3xf32>)
    -> (tensor<?x3xf32> {moe.in_place = 0 : i64}, tensor<f32>) {
  %half = arith.constant 0.5 : f32
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<f32>
  %acc = linalg.fill ins(%zero : f32) outs(%e : tensor<f32>) -> tensor<f32>
  %sum = linalg.reduce ins(%g : tensor<?x3xf32>) outs(%acc : tensor<f32>)
      dimensions = [0, 1]
      (%x: f32, %a: f32) {
        %sq = arith.mulf %x, %x : f32
        %s = arith.addf %a, %sq : f32
        linalg.yield %s : f32
      }
  %p1 = linalg.generic {indexing_maps = [#id, #id],
                        iterator_types = ["parallel", "parallel"]}
      ins(%g : tensor<?x3xf32>) outs(%p : tensor<?x3xf32>) {
    ^bb0(%gi: f32, %pi: f32):
      %d = arith.mulf %half, %gi : f32
      %n = arith.subf %pi, %d : f32
      linalg.yield %n : f32
  } -> tensor<?x3xf32>
  return %p1, %sum : tensor<?x3xf32>, tensor<f32>
}
