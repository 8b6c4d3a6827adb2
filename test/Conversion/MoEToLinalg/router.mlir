// RUN: moe-opt %s --moe-lower-to-linalg --split-input-file | FileCheck %s

// Softmax, f32, i32 ids. Scores of all tokens as generics: a stable softmax
// (row max, exp(l - max), row sum, divide) and a per-row NaN flag. Then per
// token: c = s (NaN as -inf) into a scratch row, k rounds of argmax that skip
// taken experts (NaN marks them) with ties to the lower id, and the weights
// s[id] / sum (no epsilon for softmax), NaN when the row had a NaN, scaled.
// CHECK-LABEL: func.func @router_softmax(
// CHECK-SAME:      %[[L:[a-zA-Z0-9_]+]]: tensor<?x8xf32>)
// CHECK:         %[[T:.*]] = tensor.dim %[[L]], %{{.*}} : tensor<?x8xf32>
// CHECK:         %[[NEGINF:.*]] = arith.constant 0xFF800000 : f32
// CHECK:         %[[MAXINIT:.*]] = linalg.fill ins(%[[NEGINF]] : f32) outs(%{{.*}} : tensor<?xf32>)
// CHECK:         %[[MAX:.*]] = linalg.generic {{.*}} iterator_types = ["parallel", "reduction"]} ins(%[[L]] : tensor<?x8xf32>) outs(%[[MAXINIT]] : tensor<?xf32>)
// CHECK:           arith.maximumf
// CHECK:         %[[EXP:.*]] = linalg.generic {{.*}} ins(%[[L]], %[[MAX]] : tensor<?x8xf32>, tensor<?xf32>) outs(%{{.*}} : tensor<?x8xf32>)
// CHECK:           %[[SHIFTED:.*]] = arith.subf
// CHECK:           math.exp %[[SHIFTED]] : f32
// CHECK:         %[[SUM:.*]] = linalg.generic {{.*}} iterator_types = ["parallel", "reduction"]} ins(%[[EXP]] : tensor<?x8xf32>)
// CHECK:           arith.addf
// CHECK:         %[[S:.*]] = linalg.generic {{.*}} ins(%[[EXP]], %[[SUM]] : tensor<?x8xf32>, tensor<?xf32>)
// CHECK:           arith.divf
// CHECK:         %[[NANINIT:.*]] = linalg.fill ins(%false : i1)
// CHECK:         %[[HASNAN:.*]] = linalg.generic {{.*}} ins(%[[L]] : tensor<?x8xf32>) outs(%[[NANINIT]] : tensor<?xi1>)
// CHECK:           arith.cmpf uno
// CHECK:           arith.ori
// CHECK:         %[[W0:.*]] = tensor.empty(%[[T]]) : tensor<?x2xf32>
// CHECK:         %[[I0:.*]] = tensor.empty(%[[T]]) : tensor<?x2xi32>
// CHECK:         %[[SCRATCH:.*]] = tensor.empty() : tensor<8xf32>
// CHECK:         %[[LOOP:.*]]:3 = scf.for %[[TOK:[a-zA-Z0-9_]+]] = %{{.*}} to %[[T]] {{.*}} iter_args(%[[W:.*]] = %[[W0]], %[[I:.*]] = %[[I0]], %[[SEL:.*]] = %[[SCRATCH]]) -> (tensor<?x2xf32>, tensor<?x2xi32>, tensor<8xf32>) {
// CHECK:           %[[C:.*]] = scf.for %[[E:[a-zA-Z0-9_]+]] = {{.*}} iter_args(%[[SEL1:.*]] = %[[SEL]]) -> (tensor<8xf32>) {
// CHECK:             %[[SE:.*]] = tensor.extract %[[S]][%[[TOK]], %[[E]]] : tensor<?x8xf32>
// CHECK:             %[[ISNAN:.*]] = arith.cmpf uno, %[[SE]], %[[SE]] : f32
// CHECK:             %[[SAFE:.*]] = arith.select %[[ISNAN]], %{{.*}}, %[[SE]] : f32
// CHECK:             tensor.insert %[[SAFE]] into %[[SEL1]][%[[E]]] : tensor<8xf32>
// CHECK:           %[[PICK:.*]]:3 = scf.for %[[J:[a-zA-Z0-9_]+]] = {{.*}} iter_args(%[[IDS:.*]] = %[[I]], %[[SEL2:.*]] = %[[C]], %[[ACC:.*]] = %{{.*}}) -> (tensor<?x2xi32>, tensor<8xf32>, f32) {
// CHECK:             %[[BEST:.*]]:2 = scf.for %[[E2:[a-zA-Z0-9_]+]] = {{.*}} iter_args(%[[BI:.*]] = %{{.*}}, %[[BV:.*]] = %{{.*}}) -> (index, f32) {
// CHECK:               %[[V:.*]] = tensor.extract %[[SEL2]][%[[E2]]] : tensor<8xf32>
// CHECK:               %[[UNTAKEN:.*]] = arith.cmpf ord, %[[V]], %[[V]] : f32
// CHECK:               %[[NONE:.*]] = arith.cmpi slt, %[[BI]], %{{.*}} : index
// CHECK:               %[[GT:.*]] = arith.cmpf ogt, %[[V]], %[[BV]] : f32
// CHECK:               %[[BETTER:.*]] = arith.ori %[[NONE]], %[[GT]] : i1
// CHECK:               %[[TAKE:.*]] = arith.andi %[[UNTAKEN]], %[[BETTER]] : i1
// CHECK:               arith.select %[[TAKE]], %[[E2]], %[[BI]] : index
// CHECK:               arith.select %[[TAKE]], %[[V]], %[[BV]] : f32
// CHECK:             %[[B0:.*]] = arith.minsi %[[BEST]]#0, %{{.*}} : index
// CHECK:             %[[B:.*]] = arith.maxsi %[[B0]], %{{.*}} : index
// CHECK:             %[[B32:.*]] = arith.index_cast %[[B]] : index to i32
// CHECK:             %[[IDS1:.*]] = tensor.insert %[[B32]] into %[[IDS]][%[[TOK]], %[[J]]] : tensor<?x2xi32>
// CHECK:             %[[SB:.*]] = tensor.extract %[[S]][%[[TOK]], %[[B]]] : tensor<?x8xf32>
// CHECK:             %[[ACC1:.*]] = arith.addf %[[ACC]], %[[SB]] : f32
// CHECK:             %[[NAN:.*]] = arith.constant 0x7FC00000 : f32
// CHECK:             %[[SEL3:.*]] = tensor.insert %[[NAN]] into %[[SEL2]][%[[B]]] : tensor<8xf32>
// CHECK:             scf.yield %[[IDS1]], %[[SEL3]], %[[ACC1]]
// CHECK:           %[[ROWNAN:.*]] = tensor.extract %[[HASNAN]][%[[TOK]]] : tensor<?xi1>
// CHECK:           %[[WOUT:.*]] = scf.for %[[J2:[a-zA-Z0-9_]+]] = {{.*}} iter_args(%[[WACC:.*]] = %[[W]]) -> (tensor<?x2xf32>) {
// CHECK:             %[[ID:.*]] = tensor.extract %[[PICK]]#0[%[[TOK]], %[[J2]]] : tensor<?x2xi32>
// CHECK:             %[[SID:.*]] = tensor.extract %[[S]][%[[TOK]], %{{.*}}] : tensor<?x8xf32>
// CHECK-NOT:         arith.addf
// CHECK:             %[[NORM:.*]] = arith.divf %[[SID]], %[[PICK]]#2 : f32
// CHECK:             %[[NANW:.*]] = arith.select %[[ROWNAN]], %{{.*}}, %[[NORM]] : f32
// CHECK:             %[[SCALED:.*]] = arith.mulf %[[NANW]], %{{.*}} : f32
// CHECK:             %[[FINAL:.*]] = arith.select %{{.*}}, %[[SCALED]], %{{.*}} : f32
// CHECK:             tensor.insert %[[FINAL]] into %[[WACC]][%[[TOK]], %[[J2]]] : tensor<?x2xf32>
// CHECK:           scf.yield %[[WOUT]], %[[PICK]]#0, %[[PICK]]#1
// CHECK:         return %[[LOOP]]#0, %[[LOOP]]#1
// CHECK-NOT:     moe.
func.func @router_softmax(%logits: tensor<?x8xf32>)
    -> (tensor<?x2xf32>, tensor<?x2xi32>) {
  %w, %ids = moe.router %logits routing <k = 2, norm_topk_prob = true>
      : (tensor<?x8xf32>) -> (tensor<?x2xf32>, tensor<?x2xi32>)
  return %w, %ids : tensor<?x2xf32>, tensor<?x2xi32>
}

// -----

// DeepSeek-V3 style: sigmoid, f32 bias on bf16 logits, i64 ids, group limit
// with top2_sum. The scratch holds the 8 experts' c then the 4 group scores;
// the 2 best groups are marked taken, the others' experts get -inf. The
// weights use sum + 1e-20, are scaled by 2.5 and rounded to bf16.
// CHECK-LABEL: func.func @router_sigmoid_bias_groups(
// CHECK-SAME:      %[[L:[a-zA-Z0-9_]+]]: tensor<?x8xbf16>, %[[B:[a-zA-Z0-9_]+]]: tensor<8xf32>)
// CHECK:         %[[S:.*]] = linalg.generic {{.*}} ins(%[[L]] : tensor<?x8xbf16>) outs(%{{.*}} : tensor<?x8xf32>)
// CHECK:           %[[LF:.*]] = arith.extf %{{.*}} : bf16 to f32
// CHECK:           %[[NEG:.*]] = arith.negf %[[LF]] : f32
// CHECK:           %[[EX:.*]] = math.exp %[[NEG]] : f32
// CHECK:           %[[DEN:.*]] = arith.addf %{{.*}}, %[[EX]] : f32
// CHECK:           arith.divf %{{.*}}, %[[DEN]] : f32
// CHECK:         tensor.empty() : tensor<12xf32>
// CHECK:         scf.for {{.*}} -> (tensor<?x2xbf16>, tensor<?x2xi64>, tensor<12xf32>) {
// CHECK:           scf.for %[[E:[a-zA-Z0-9_]+]] = {{.*}} -> (tensor<12xf32>) {
// CHECK:             %[[SE:.*]] = tensor.extract %[[S]]
// CHECK:             %[[BE:.*]] = tensor.extract %[[B]][%[[E]]] : tensor<8xf32>
// CHECK:             %[[CE:.*]] = arith.addf %[[SE]], %[[BE]] : f32
// CHECK:             arith.cmpf uno, %[[CE]], %[[CE]] : f32
// Group scores: the two largest c of each group of 2, stored at 8 + g.
// CHECK:           %[[GS:.*]] = scf.for %[[G:[a-zA-Z0-9_]+]] = {{.*}} -> (tensor<12xf32>) {
// CHECK:             %[[TOP:.*]]:2 = scf.for {{.*}} -> (f32, f32) {
// CHECK:               arith.cmpf ogt
// CHECK:               arith.cmpf ogt
// CHECK:             %[[GSUM:.*]] = arith.addf %[[TOP]]#0, %[[TOP]]#1 : f32
// CHECK:             arith.cmpf uno, %[[GSUM]], %[[GSUM]] : f32
// CHECK:             %[[SLOT:.*]] = arith.addi %c8{{.*}}, %[[G]] : index
// CHECK:             tensor.insert %{{.*}} into %{{.*}}[%[[SLOT]]] : tensor<12xf32>
// Two rounds of argmax over the group scores at [8, 12).
// CHECK:           %[[KEPT:.*]] = scf.for {{.*}} to %c2{{.*}} {{.*}} -> (tensor<12xf32>) {
// CHECK:             %[[C8:.*]] = arith.constant 8 : index
// CHECK:             %[[C12:.*]] = arith.constant 12 : index
// CHECK:             scf.for {{.*}} = %[[C8]] to %[[C12]] {{.*}} -> (index, f32) {
// CHECK:             tensor.insert %{{.*}} into %{{.*}} : tensor<12xf32>
// Experts of groups that were not kept get -inf.
// CHECK:           scf.for {{.*}} iter_args(%{{.*}} = %[[KEPT]]) -> (tensor<12xf32>) {
// CHECK:             %[[GV:.*]] = tensor.extract
// CHECK:             %[[ISKEPT:.*]] = arith.cmpf uno, %[[GV]], %[[GV]] : f32
// CHECK:             scf.for
// CHECK:               arith.select %[[ISKEPT]], %{{.*}}, %{{.*}} : f32
// CHECK:           scf.for {{.*}} -> (tensor<?x2xi64>, tensor<12xf32>, f32) {
// CHECK:             arith.index_cast %{{.*}} : index to i64
// CHECK:           scf.for {{.*}} -> (tensor<?x2xbf16>) {
// CHECK:             %[[EPS:.*]] = arith.constant 9.99999968E-21 : f32
// CHECK:             %[[DENOM:.*]] = arith.addf %{{.*}}, %[[EPS]] : f32
// CHECK:             arith.divf %{{.*}}, %[[DENOM]] : f32
// CHECK:             %[[SCALE:.*]] = arith.constant 2.500000e+00 : f32
// CHECK:             arith.mulf %{{.*}}, %[[SCALE]] : f32
// CHECK:             arith.truncf %{{.*}} : f32 to bf16
func.func @router_sigmoid_bias_groups(%logits: tensor<?x8xbf16>,
                                      %bias: tensor<8xf32>)
    -> (tensor<?x2xbf16>, tensor<?x2xi64>) {
  %w, %ids = moe.router %logits bias %bias routing <k = 2, scoring = sigmoid,
      n_group = 4, topk_group = 2, norm_topk_prob = true,
      routed_scaling_factor = 2.5>
      : (tensor<?x8xbf16>, tensor<8xf32>) -> (tensor<?x2xbf16>, tensor<?x2xi64>)
  return %w, %ids : tensor<?x2xbf16>, tensor<?x2xi64>
}

// -----

// group_score = max with groups of one expert, f16 logits and bias.
// CHECK-LABEL: func.func @router_group_max_f16(
// CHECK:         tensor.empty() : tensor<16xf32>
// CHECK:         scf.for {{.*}} -> (tensor<16xf32>) {
// CHECK:           arith.extf %{{.*}} : f16 to f32
// CHECK:         scf.for {{.*}} -> (tensor<16xf32>) {
// CHECK:           scf.for {{.*}} -> (f32) {
// CHECK:             arith.maximumf
// CHECK:         arith.truncf %{{.*}} : f32 to f16
func.func @router_group_max_f16(%logits: tensor<4x8xf16>, %bias: tensor<8xf16>)
    -> (tensor<4x2xf16>, tensor<4x2xi32>) {
  %w, %ids = moe.router %logits bias %bias routing <k = 2, n_group = 8,
      topk_group = 3, group_score = max>
      : (tensor<4x8xf16>, tensor<8xf16>) -> (tensor<4x2xf16>, tensor<4x2xi32>)
  return %w, %ids : tensor<4x2xf16>, tensor<4x2xi32>
}

// -----

// sqrt-softplus: sqrt(max(l, 0) + log1p(exp(-|l|))), with log1p evaluated as
// x * log(u) / (u - 1), u = 1 + x (math.log1p lowers to log(1 + x) on LLVM).
// CHECK-LABEL: func.func @router_sqrtsoftplus(
// CHECK:         linalg.generic
// CHECK:           %[[POS:.*]] = arith.maximumf %{{.*}}, %{{.*}} : f32
// CHECK:           %[[ABS:.*]] = math.absf %{{.*}} : f32
// CHECK:           %[[NABS:.*]] = arith.negf %[[ABS]] : f32
// CHECK:           %[[X:.*]] = math.exp %[[NABS]] : f32
// CHECK:           %[[U:.*]] = arith.addf %{{.*}}, %[[X]] : f32
// CHECK:           %[[LOGU:.*]] = math.log %[[U]] : f32
// CHECK:           %[[UM1:.*]] = arith.subf %[[U]], %{{.*}} : f32
// CHECK:           %[[RATIO:.*]] = arith.divf %[[LOGU]], %[[UM1]] : f32
// CHECK:           %[[EXACT:.*]] = arith.cmpf oeq, %[[U]], %{{.*}} : f32
// CHECK:           %[[PROD:.*]] = arith.mulf %[[X]], %[[RATIO]] : f32
// CHECK:           %[[L1P:.*]] = arith.select %[[EXACT]], %[[X]], %[[PROD]] : f32
// CHECK:           %[[SP:.*]] = arith.addf %[[POS]], %[[L1P]] : f32
// CHECK:           %[[R:.*]] = math.sqrt %[[SP]] : f32
// CHECK:           linalg.yield %[[R]] : f32
// CHECK-NOT:     math.log1p
func.func @router_sqrtsoftplus(%logits: tensor<?x16xf32>)
    -> (tensor<?x6xf32>, tensor<?x6xi32>) {
  %w, %ids = moe.router %logits routing <k = 6, scoring = sqrtsoftplus,
      norm_topk_prob = true, routed_scaling_factor = 1.5>
      : (tensor<?x16xf32>) -> (tensor<?x6xf32>, tensor<?x6xi32>)
  return %w, %ids : tensor<?x6xf32>, tensor<?x6xi32>
}

// -----

// Hash routing: no selection scratch. A token id outside [0, vocab) or a
// column past the table reads nothing (scf.if), an entry outside [0, E) is
// id -1 with weight 0, and the sum runs over the valid slots only.
// CHECK-LABEL: func.func @router_hash(
// CHECK-SAME:      %[[L:[a-zA-Z0-9_]+]]: tensor<?x64xbf16>, %[[TOKS:[a-zA-Z0-9_]+]]: tensor<?xi64>, %[[TABLE:[a-zA-Z0-9_]+]]: tensor<1000x6xi32>)
// CHECK:         scf.for %[[TOK:[a-zA-Z0-9_]+]] = {{.*}} -> (tensor<?x6xbf16>, tensor<?x6xi32>) {
// CHECK:           %[[VOCAB:.*]] = arith.constant 1000 : index
// CHECK:           %[[TIDV:.*]] = tensor.extract %[[TOKS]][%[[TOK]]] : tensor<?xi64>
// CHECK:           %[[TID:.*]] = arith.index_cast %[[TIDV]] : i64 to index
// CHECK:           %[[TLT:.*]] = arith.cmpi slt, %[[TID]], %[[VOCAB]] : index
// CHECK:           %[[KNOWN:.*]] = arith.andi %{{.*}}, %[[TLT]] : i1
// CHECK:           %[[NONE:.*]] = arith.constant -1 : index
// CHECK:           scf.for %[[J:[a-zA-Z0-9_]+]] = {{.*}} -> (tensor<?x6xi32>, f32) {
// CHECK:             %[[INCOL:.*]] = arith.cmpi slt, %[[J]], %{{.*}} : index
// CHECK:             %[[INTABLE:.*]] = arith.andi %[[KNOWN]], %[[INCOL]] : i1
// CHECK:             %[[ENTRY:.*]] = scf.if %[[INTABLE]] -> (index) {
// CHECK:               %[[TV:.*]] = tensor.extract %[[TABLE]][%[[TID]], %[[J]]] : tensor<1000x6xi32>
// CHECK:               %[[TI:.*]] = arith.index_cast %[[TV]] : i32 to index
// CHECK:               scf.yield %[[TI]] : index
// CHECK:             } else {
// CHECK:               scf.yield %[[NONE]] : index
// CHECK:             }
// CHECK:             %[[ELT:.*]] = arith.cmpi slt, %[[ENTRY]], %c64{{.*}} : index
// CHECK:             %[[VALID:.*]] = arith.andi %{{.*}}, %[[ELT]] : i1
// CHECK:             %[[ID:.*]] = arith.select %[[VALID]], %[[ENTRY]], %[[NONE]] : index
// CHECK:             %[[ID32:.*]] = arith.index_cast %[[ID]] : index to i32
// CHECK:             tensor.insert %[[ID32]]
// CHECK:             %[[SV:.*]] = tensor.extract
// CHECK:             %[[TERM:.*]] = arith.select %[[VALID]], %[[SV]], %{{.*}} : f32
// CHECK:             arith.addf %{{.*}}, %[[TERM]] : f32
// CHECK:           scf.for {{.*}} -> (tensor<?x6xbf16>) {
// CHECK:             arith.truncf %{{.*}} : f32 to bf16
// CHECK-NOT:     moe.
func.func @router_hash(%logits: tensor<?x64xbf16>, %tokens: tensor<?xi64>,
                       %table: tensor<1000x6xi32>)
    -> (tensor<?x6xbf16>, tensor<?x6xi32>) {
  %w, %ids = moe.router %logits hash(%tokens, %table) routing <k = 6,
      scoring = sqrtsoftplus, norm_topk_prob = true,
      routed_scaling_factor = 1.5>
      : (tensor<?x64xbf16>, tensor<?xi64>, tensor<1000x6xi32>)
      -> (tensor<?x6xbf16>, tensor<?x6xi32>)
  return %w, %ids : tensor<?x6xbf16>, tensor<?x6xi32>
}
