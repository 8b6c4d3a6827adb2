// RUN: moe-opt %s --moe-request-c-wrappers | FileCheck %s

// Only public functions get a C wrapper: a private helper's wrapper would be
// an external symbol that two objects with the same helper both define.
// CHECK-LABEL: func.func @layer
// CHECK-SAME: attributes {llvm.emit_c_interface}
// CHECK-LABEL: func.func private @__moe_pack_4x8xf32
// CHECK-NOT: llvm.emit_c_interface
// CHECK-SAME: {
// CHECK-LABEL: func.func private @external_decl
// CHECK-NOT: llvm.emit_c_interface
// CHECK-SAME: ){{$}}
func.func @layer(%x: memref<4x8xf32>) {
  call @__moe_pack_4x8xf32(%x) : (memref<4x8xf32>) -> ()
  return
}
func.func private @__moe_pack_4x8xf32(%x: memref<4x8xf32>) {
  return
}
func.func private @external_decl(%x: memref<4x8xf32>)
