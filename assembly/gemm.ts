// gemm kernels (filled in by its owner)
