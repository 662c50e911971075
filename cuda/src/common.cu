// Versions, status strings, device queries, memory helpers and the label check.
#include <string.h>

#include "common.cuh"

namespace vantage {

__global__ void check_labels(const int32_t* labels, int64_t rows, int64_t classes, int32_t ignore_index,
                             int32_t* status, unsigned long long* counted) {
    unsigned long long mine = 0;
    bool bad = false;
    for (int64_t i = blockIdx.x * (int64_t)blockDim.x + threadIdx.x; i < rows; i += (int64_t)gridDim.x * blockDim.x) {
        const int32_t y = labels[i];
        if (y == ignore_index) continue;
        if (y < 0 || y >= classes) bad = true;
        mine++;
    }
    if (bad) atomicOr(status, VANTAGE_STATUS_BAD_LABEL);
    if (counted != nullptr) {
        unsigned long long total[1] = {mine};
        block_sum<unsigned long long, 1>(total);
        if (threadIdx.x == 0 && total[0] != 0) atomicAdd(counted, total[0]);
    }
}

int launch_check_labels(const int32_t* labels, int64_t rows, int64_t classes, int32_t ignore_index,
                        int32_t* status, unsigned long long* counted, cudaStream_t stream) {
    VANTAGE_CUDA(cudaMemsetAsync(status, 0, sizeof(int32_t), stream));
    if (counted != nullptr) VANTAGE_CUDA(cudaMemsetAsync(counted, 0, sizeof(unsigned long long), stream));
    check_labels<<<grid_for(rows, 256 * 8, 4096), 256, 0, stream>>>(labels, rows, classes, ignore_index, status,
                                                                    counted);
    VANTAGE_LAUNCHED();
    return VANTAGE_OK;
}

}  // namespace vantage

extern "C" {

int vantage_version(void) {
    return VANTAGE_VERSION_MAJOR * 10000 + VANTAGE_VERSION_MINOR * 100 + VANTAGE_VERSION_PATCH;
}

int vantage_abi_version(void) { return VANTAGE_ABI_VERSION; }

const char* vantage_status_string(int status) {
    switch (status) {
        case VANTAGE_OK: return "ok";
        case VANTAGE_ERROR_INVALID_ARGUMENT: return "invalid argument (a negative size, a NULL required pointer or an option out of range)";
        case VANTAGE_ERROR_UNSUPPORTED_DTYPE: return "unsupported dtype for this argument";
        case VANTAGE_ERROR_WORKSPACE_TOO_SMALL: return "workspace smaller than the *_workspace_size() query";
        default: break;
    }
    if (status > 0) return cudaGetErrorString((cudaError_t)status);
    return "unknown vantage status";
}

int vantage_device_count(int* count) {
    if (count == nullptr) return VANTAGE_ERROR_INVALID_ARGUMENT;
    *count = 0;
    cudaError_t error = cudaGetDeviceCount(count);
    if (error != cudaSuccess) *count = 0;
    return (int)error;
}

int vantage_runtime_version(int* version) {
    if (version == nullptr) return VANTAGE_ERROR_INVALID_ARGUMENT;
    return (int)cudaRuntimeGetVersion(version);
}

int vantage_driver_version(int* version) {
    if (version == nullptr) return VANTAGE_ERROR_INVALID_ARGUMENT;
    *version = 0;
    return (int)cudaDriverGetVersion(version);
}

int vantage_device_name(int device, char* name, int capacity) {
    if (name == nullptr || capacity < 1) return VANTAGE_ERROR_INVALID_ARGUMENT;
    name[0] = '\0';
    cudaDeviceProp prop;
    cudaError_t error = cudaGetDeviceProperties(&prop, device);
    if (error != cudaSuccess) return (int)error;
    strncpy(name, prop.name, (size_t)capacity - 1);
    name[capacity - 1] = '\0';
    return VANTAGE_OK;
}

int vantage_device_capability(int device, int* major, int* minor) {
    if (major == nullptr || minor == nullptr) return VANTAGE_ERROR_INVALID_ARGUMENT;
    *major = *minor = 0;
    VANTAGE_CUDA(cudaDeviceGetAttribute(major, cudaDevAttrComputeCapabilityMajor, device));
    VANTAGE_CUDA(cudaDeviceGetAttribute(minor, cudaDevAttrComputeCapabilityMinor, device));
    return VANTAGE_OK;
}

int vantage_device_memory(int device, int64_t* total_bytes) {
    if (total_bytes == nullptr) return VANTAGE_ERROR_INVALID_ARGUMENT;
    *total_bytes = 0;
    cudaDeviceProp prop;
    VANTAGE_CUDA(cudaGetDeviceProperties(&prop, device));
    *total_bytes = (int64_t)prop.totalGlobalMem;
    return VANTAGE_OK;
}

int vantage_malloc(void** pointer, int64_t bytes) {
    if (pointer == nullptr || bytes < 0) return VANTAGE_ERROR_INVALID_ARGUMENT;
    *pointer = nullptr;
    return (int)cudaMalloc(pointer, (size_t)bytes);
}

int vantage_free(void* pointer) { return (int)cudaFree(pointer); }

int vantage_memcpy_async(void* dst, const void* src, int64_t bytes, cudaStream_t stream) {
    if (bytes < 0) return VANTAGE_ERROR_INVALID_ARGUMENT;
    return (int)cudaMemcpyAsync(dst, src, (size_t)bytes, cudaMemcpyDefault, stream);
}

int vantage_memset_async(void* dst, int value, int64_t bytes, cudaStream_t stream) {
    if (bytes < 0) return VANTAGE_ERROR_INVALID_ARGUMENT;
    return (int)cudaMemsetAsync(dst, value, (size_t)bytes, stream);
}

int vantage_stream_synchronize(cudaStream_t stream) { return (int)cudaStreamSynchronize(stream); }

}  // extern "C"
