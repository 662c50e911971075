#!/usr/bin/env bash
# Builds the CUDA library ("lib") or the self-test ("selftest") into target/, when nvcc exists.
# CUDA_ARCHS: comma-separated targets, e.g. "90" for a quick sm_90-only build; each entry is a
# number (SASS for sm_N), sm_N, or compute_N (PTX). Default: 80,90,compute_90.
set -euo pipefail
cd "$(dirname "$0")"

nvcc=$(command -v nvcc || true)
if [ -z "$nvcc" ] && [ -n "${CUDA_HOME:-}" ] && [ -x "$CUDA_HOME/bin/nvcc" ]; then
    nvcc=$CUDA_HOME/bin/nvcc
fi
if [ -z "$nvcc" ]; then
    echo "nvcc not found: skipping the CUDA build"
    exit 0
fi

gencode=""
IFS=',' read -ra archs <<< "${CUDA_ARCHS:-80,90,compute_90}"
for arch in "${archs[@]}"; do
    arch=${arch// /}
    case $arch in
        "") ;;
        compute_*) gencode+=" -gencode arch=$arch,code=$arch" ;;
        sm_*) gencode+=" -gencode arch=compute_${arch#sm_},code=$arch" ;;
        *) gencode+=" -gencode arch=compute_$arch,code=sm_$arch" ;;
    esac
done
if [ -z "$gencode" ]; then
    echo "CUDA_ARCHS='${CUDA_ARCHS:-}' names no target" >&2
    exit 1
fi

make --no-print-directory -j"$(nproc)" NVCC="$nvcc" GENCODE="$gencode" "${1:-lib}"
# kernels-native builds its JNI glue only when this file says the library exists.
if [ "${1:-lib}" = lib ]; then
    echo "vantage.native.skip=false" > target/native.properties
fi
