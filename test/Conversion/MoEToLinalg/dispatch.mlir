// RUN: moe-opt %s --moe-lower-to-linalg --split-input-file | FileCheck %s

// No padding, i32: a stable counting sort over the T*k pairs.
// 1. count: counts[clamp(id)] += (0 <= id < E ? 1 : 0), in pair order;
// 2. exclusive prefix sum into offsets, the counts becoming write cursors;
// 3. one in-order scatter of the valid pairs into perm (prefilled with -1);
// 4. a row gather xs[i] = x[perm[i] / k], zero for padding rows.
// CHECK-LABEL: func.func @dispatch_plain(
// CHECK-SAME:      %[[X:[a-zA-Z0-9_]+]]: tensor<?x16xf32>, %[[IDS:[a-zA-Z0-9_]+]]: tensor<?x2xi32>)
// CHECK:         %[[T:.*]] = tensor.dim %[[IDS]], %{{.*}} : tensor<?x2xi32>
// CHECK:         %[[K:.*]] = arith.constant 2 : index
// CHECK:         %[[PAIRS:.*]] = arith.muli %[[T]], %[[K]] : index
// CHECK:         %[[E:.*]] = arith.constant 4 : index
// CHECK:         %[[ZEROS:.*]] = linalg.fill ins(%{{.*}} : index) outs(%{{.*}} : tensor<4xindex>)
// CHECK:         %[[COUNTS:.*]] = scf.for %[[TOK:[a-zA-Z0-9_]+]] = %{{.*}} to %[[T]] {{.*}} iter_args(%{{.*}} = %[[ZEROS]]) -> (tensor<4xindex>) {
// CHECK:           scf.for %[[SLOT:[a-zA-Z0-9_]+]] = %{{.*}} to %[[K]] {{.*}} -> (tensor<4xindex>) {
// CHECK:             %[[ID0:.*]] = tensor.extract %[[IDS]][%[[TOK]], %[[SLOT]]] : tensor<?x2xi32>
// CHECK:             %[[ID:.*]] = arith.index_cast %[[ID0]] : i32 to index
// CHECK:             %[[LT:.*]] = arith.cmpi slt, %[[ID]], %[[E]] : index
// CHECK:             %[[VALID:.*]] = arith.andi %{{.*}}, %[[LT]] : i1
// CHECK:             %[[MIN:.*]] = arith.minsi %[[ID]], %{{.*}} : index
// CHECK:             %[[BIN:.*]] = arith.maxsi %[[MIN]], %{{.*}} : index
// CHECK:             %[[INC:.*]] = arith.select %[[VALID]], %{{.*}}, %{{.*}} : index
// CHECK:             %[[OLD:.*]] = tensor.extract %{{.*}}[%[[BIN]]] : tensor<4xindex>
// CHECK:             %[[NEW:.*]] = arith.addi %[[OLD]], %[[INC]] : index
// CHECK:             tensor.insert %[[NEW]] into %{{.*}}[%[[BIN]]] : tensor<4xindex>
// CHECK:         %[[OFFINIT:.*]] = tensor.empty() : tensor<5xi32>
// CHECK:         %[[LAYOUT:.*]]:4 = scf.for %[[EX:[a-zA-Z0-9_]+]] = {{.*}} iter_args(%[[OFF:.*]] = %[[OFFINIT]], %[[CUR:.*]] = %[[COUNTS]], %[[START:.*]] = %{{.*}}, %[[VALIDS:.*]] = %{{.*}}) -> (tensor<5xi32>, tensor<4xindex>, index, index) {
// CHECK:           %[[COUNT:.*]] = tensor.extract %[[CUR]][%[[EX]]] : tensor<4xindex>
// CHECK:           %[[START32:.*]] = arith.index_cast %[[START]] : index to i32
// CHECK:           %[[OFF1:.*]] = tensor.insert %[[START32]] into %[[OFF]][%[[EX]]] : tensor<5xi32>
// CHECK:           %[[CUR1:.*]] = tensor.insert %[[START]] into %[[CUR]][%[[EX]]] : tensor<4xindex>
// CHECK:           %[[END:.*]] = arith.addi %[[START]], %[[COUNT]] : index
// CHECK:           scf.yield %[[OFF1]], %[[CUR1]], %[[END]], %{{.*}}
// CHECK:         %[[TOTAL:.*]] = arith.index_cast %[[LAYOUT]]#2 : index to i32
// CHECK:         %[[OFFSETS:.*]] = tensor.insert %[[TOTAL]] into %[[LAYOUT]]#0[%{{.*}}] : tensor<5xi32>
// CHECK:         %[[LAST:.*]] = arith.subi %[[PAIRS]], %{{.*}} : index
// CHECK:         %[[NEG1:.*]] = arith.constant -1 : i32
// CHECK:         %[[PEMPTY:.*]] = tensor.empty(%[[PAIRS]]) : tensor<?xi32>
// CHECK:         %[[PINIT:.*]] = linalg.fill ins(%[[NEG1]] : i32) outs(%[[PEMPTY]] : tensor<?xi32>)
// CHECK:         %[[SCATTER:.*]]:2 = scf.for {{.*}} iter_args(%{{.*}} = %[[PINIT]], %{{.*}} = %[[LAYOUT]]#1) -> (tensor<?xi32>, tensor<4xindex>) {
// CHECK:           scf.for {{.*}} -> (tensor<?xi32>, tensor<4xindex>) {
// CHECK:             %[[PAIR:.*]] = arith.addi %{{.*}}, %{{.*}} : index
// CHECK:             tensor.extract %[[IDS]]
// CHECK:             scf.if %{{.*}} -> (tensor<?xi32>, tensor<4xindex>) {
// CHECK:               %[[POS:.*]] = tensor.extract %[[C:.*]][%[[ID2:.*]]] : tensor<4xindex>
// CHECK:               %[[NEXT:.*]] = arith.addi %[[POS]], %{{.*}} : index
// CHECK:               %[[PMIN:.*]] = arith.minsi %[[POS]], %[[LAST]] : index
// CHECK:               %[[TARGET:.*]] = arith.maxsi %[[PMIN]], %{{.*}} : index
// CHECK:               %[[P32:.*]] = arith.index_cast %[[PAIR]] : index to i32
// CHECK:               %[[PERM1:.*]] = tensor.insert %[[P32]] into %{{.*}}[%[[TARGET]]] : tensor<?xi32>
// CHECK:               %[[CUR2:.*]] = tensor.insert %[[NEXT]] into %[[C]][%[[ID2]]] : tensor<4xindex>
// CHECK:               scf.yield %[[PERM1]], %[[CUR2]]
// CHECK:             } else {
// CHECK:         %[[XT:.*]] = tensor.dim %[[X]], %{{.*}} : tensor<?x16xf32>
// CHECK:         %[[XSINIT:.*]] = tensor.empty(%[[PAIRS]]) : tensor<?x16xf32>
// CHECK:         %[[XS:.*]] = linalg.generic {{.*}} ins(%[[SCATTER]]#0 : tensor<?xi32>) outs(%[[XSINIT]] : tensor<?x16xf32>) {
// CHECK:         ^bb0(%[[PV:.*]]: i32, %{{.*}}: f32):
// CHECK:           %[[P:.*]] = arith.index_cast %[[PV]] : i32 to index
// CHECK:           %[[PLT:.*]] = arith.cmpi slt, %[[P]], %[[PAIRS]] : index
// CHECK:           %[[PVALID:.*]] = arith.andi %{{.*}}, %[[PLT]] : i1
// CHECK:           %[[SAFE:.*]] = arith.select %[[PVALID]], %[[P]], %{{.*}} : index
// CHECK:           %[[ROW:.*]] = arith.divui %[[SAFE]], %c2{{(_[0-9]+)?}} : index
// CHECK:           %[[INX:.*]] = arith.cmpi slt, %[[ROW]], %[[XT]] : index
// CHECK:           %[[READ:.*]] = arith.andi %[[PVALID]], %[[INX]] : i1
// CHECK:           %[[H:.*]] = linalg.index 1 : index
// CHECK:           %[[V:.*]] = scf.if %[[READ]] -> (f32) {
// CHECK:             %[[XV:.*]] = tensor.extract %[[X]][%[[ROW]], %[[H]]] : tensor<?x16xf32>
// CHECK:             scf.yield %[[XV]] : f32
// CHECK:           } else {
// CHECK:             scf.yield %{{.*}} : f32
// CHECK:           }
// CHECK:           linalg.yield %[[V]] : f32
// CHECK:         return %[[XS]], %[[SCATTER]]#0, %[[OFFSETS]]
// CHECK-NOT:     moe.
func.func @dispatch_plain(%x: tensor<?x16xf32>, %ids: tensor<?x2xi32>)
    -> (tensor<?x16xf32>, tensor<?xi32>, tensor<5xi32>) {
  %xs, %perm, %offsets = moe.dispatch %x, %ids experts = 4
      : tensor<?x16xf32>, tensor<?x2xi32>
      -> tensor<?x16xf32>, tensor<?xi32>, tensor<5xi32>
  return %xs, %perm, %offsets : tensor<?x16xf32>, tensor<?xi32>, tensor<5xi32>
}

// -----

// bf16 rows, i64 ids and results, static sizes: R = T*k = 8 is static.
// CHECK-LABEL: func.func @dispatch_static_bf16_i64(
// CHECK:         arith.index_cast %{{.*}} : i64 to index
// CHECK:         tensor.empty() : tensor<5xi64>
// CHECK:         %[[NEG1:.*]] = arith.constant -1 : i64
// CHECK:         linalg.fill ins(%[[NEG1]] : i64) outs(%{{.*}} : tensor<8xi64>)
// CHECK:         linalg.generic {{.*}} ins(%{{.*}} : tensor<8xi64>) outs(%{{.*}} : tensor<8x16xbf16>)
// CHECK:           tensor.extract %{{.*}} : tensor<4x16xbf16>
// CHECK:           arith.constant 0.000000e+00 : bf16
func.func @dispatch_static_bf16_i64(%x: tensor<4x16xbf16>, %ids: tensor<4x2xi64>)
    -> (tensor<8x16xbf16>, tensor<8xi64>, tensor<5xi64>) {
  %xs, %perm, %offsets = moe.dispatch %x, %ids experts = 4
      : tensor<4x16xbf16>, tensor<4x2xi64>
      -> tensor<8x16xbf16>, tensor<8xi64>, tensor<5xi64>
  return %xs, %perm, %offsets : tensor<8x16xbf16>, tensor<8xi64>, tensor<5xi64>
}

// -----

// block = 64: each group takes ceil(count / 64) * 64 rows; R adds one padding
// row per pair with an invalid id (T*k minus the valid pairs).
// CHECK-LABEL: func.func @dispatch_block(
// CHECK:         %[[K:.*]] = arith.constant 2 : index
// CHECK:         %[[PAIRS:.*]] = arith.muli %{{.*}}, %[[K]] : index
// CHECK:         %[[LAYOUT:.*]]:4 = scf.for {{.*}} -> (tensor<9xi32>, tensor<8xindex>, index, index) {
// CHECK:           %[[COUNT:.*]] = tensor.extract
// CHECK:           %[[B:.*]] = arith.constant 64 : index
// CHECK:           %[[BM1:.*]] = arith.constant 63 : index
// CHECK:           %[[UP:.*]] = arith.addi %[[COUNT]], %[[BM1]] : index
// CHECK:           %[[NB:.*]] = arith.divui %[[UP]], %[[B]] : index
// CHECK:           %[[ROWS:.*]] = arith.muli %[[NB]], %[[B]] : index
// CHECK:           %[[END:.*]] = arith.addi %{{.*}}, %[[ROWS]] : index
// CHECK:           %[[VALID:.*]] = arith.addi %{{.*}}, %[[COUNT]] : index
// CHECK:           scf.yield %{{.*}}, %{{.*}}, %[[END]], %[[VALID]]
// CHECK:         %[[INVALID:.*]] = arith.subi %[[PAIRS]], %[[LAYOUT]]#3 : index
// CHECK:         %[[R:.*]] = arith.addi %[[LAYOUT]]#2, %[[INVALID]] : index
// CHECK:         tensor.empty(%[[R]]) : tensor<?xi32>
// CHECK:         tensor.empty(%[[R]]) : tensor<?x128xf16>
func.func @dispatch_block(%x: tensor<?x128xf16>, %ids: tensor<?x2xi32>)
    -> (tensor<?x128xf16>, tensor<?xi32>, tensor<9xi32>) {
  %xs, %perm, %offsets = moe.dispatch %x, %ids experts = 8 block = 64
      : tensor<?x128xf16>, tensor<?x2xi32>
      -> tensor<?x128xf16>, tensor<?xi32>, tensor<9xi32>
  return %xs, %perm, %offsets : tensor<?x128xf16>, tensor<?xi32>, tensor<9xi32>
}

// -----

// capacity = 3: no counting pass (every group has 3 rows, R = 24), and the
// scatter keeps a pair only while its expert's cursor is below the group end.
// CHECK-LABEL: func.func @dispatch_capacity(
// CHECK-NOT:     arith.select
// CHECK:         scf.for {{.*}} -> (tensor<9xi64>, tensor<8xindex>, index, index) {
// CHECK:           %[[C3:.*]] = arith.constant 3 : index
// CHECK:           arith.addi %{{.*}}, %[[C3]] : index
// CHECK:         linalg.fill ins(%{{.*}} : i64) outs(%{{.*}} : tensor<24xi64>)
// CHECK:         scf.if %{{.*}} -> (tensor<24xi64>, tensor<8xindex>) {
// CHECK:           %[[POS:.*]] = tensor.extract %{{.*}} : tensor<8xindex>
// CHECK:           %[[NEXT:.*]] = arith.addi %[[POS]], %{{.*}} : index
// CHECK:           %[[TARGET:.*]] = arith.maxsi
// CHECK:           %[[PAIR:.*]] = arith.index_cast %{{.*}} : index to i64
// CHECK:           %[[ID1:.*]] = arith.addi %{{.*}}, %{{.*}} : index
// CHECK:           %[[GEND:.*]] = arith.muli %[[ID1]], %{{.*}} : index
// CHECK:           %[[KEEP:.*]] = arith.cmpi slt, %[[POS]], %[[GEND]] : index
// CHECK:           %[[OLD:.*]] = tensor.extract %{{.*}}[%[[TARGET]]] : tensor<24xi64>
// CHECK:           %[[VAL:.*]] = arith.select %[[KEEP]], %[[PAIR]], %[[OLD]] : i64
// CHECK:           %[[ADV:.*]] = arith.select %[[KEEP]], %[[NEXT]], %[[POS]] : index
// CHECK:           tensor.insert %[[VAL]] into %{{.*}}[%[[TARGET]]] : tensor<24xi64>
// CHECK:           tensor.insert %[[ADV]]
// CHECK:         linalg.generic {{.*}} outs(%{{.*}} : tensor<24x128xf32>)
func.func @dispatch_capacity(%x: tensor<?x128xf32>, %ids: tensor<?x2xi64>)
    -> (tensor<24x128xf32>, tensor<24xi64>, tensor<9xi64>) {
  %xs, %perm, %offsets = moe.dispatch %x, %ids experts = 8 capacity = 3
      : tensor<?x128xf32>, tensor<?x2xi64>
      -> tensor<24x128xf32>, tensor<24xi64>, tensor<9xi64>
  return %xs, %perm, %offsets : tensor<24x128xf32>, tensor<24xi64>, tensor<9xi64>
}
