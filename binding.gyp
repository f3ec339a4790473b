{
  "targets": [
    {
      "target_name": "nnlab",
      "sources": [
        "native/src/addon.cc",
        "native/src/tensor_box.cc",
        "native/src/convert.cc",
        "native/src/ops.cc",
        "native/src/tensors.cc",
        "native/src/autograd.cc",
        "native/src/runtime.cc",
        "native/src/allocator.cc",
        "native/src/optim_kernels.cc",
        "native/src/sparse_linear.cc"
      ],
      "include_dirs": [
        "<!(node -p \"require('node-addon-api').include_dir\")",
        "<!@(node native/libtorch.cjs includes)"
      ],
      "libraries": ["<!@(node native/libtorch.cjs libs)", "-fopenmp"],
      "defines": ["NAPI_VERSION=8", "NAPI_CPP_EXCEPTIONS", "NODE_ADDON_API_DISABLE_DEPRECATED", "<!@(node native/libtorch.cjs defines)"],
      "cflags!": ["-fno-exceptions", "-fno-rtti"],
      "cflags_cc!": ["-fno-exceptions", "-fno-rtti", "-std=gnu++17"],
      "cflags_cc": ["<!@(node native/libtorch.cjs std)", "-fopenmp", "-fexceptions", "-frtti", "-O3", "-fno-math-errno", "-Wno-unused-parameter", "-Wno-deprecated-declarations"]
    }
  ]
}
