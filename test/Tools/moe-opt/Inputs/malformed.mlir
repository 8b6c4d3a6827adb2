func.func @f(%x: tensor<?x8xf32>, %ids: tensor<?x2xi32>)
    -> tensor<?x8xf32> {
  %xs, %perm, %off = moe.dispatch %x, %ids experts = 4
      : tensor<?x8xf32> tensor<?x2xi32> -> tensor<?x8xf32>, tensor<?xi32>, tensor<5xi32>
  return %xs : tensor<?x8xf32>
}
