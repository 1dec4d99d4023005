// The driver ABI's functions the shared core implements, by the file that
// implements them; driver_table.cc puts them in the table.
#ifndef HAL_BACKENDS_GPU_CORE_TABLE_FUNCTIONS_H_
#define HAL_BACKENDS_GPU_CORE_TABLE_FUNCTIONS_H_

#include "hal/driver/hal_driver.h"

namespace hal::gpu {

// memory.cc
hal_result BufferAllocate(hal_drv_context* context, const hal_buffer_desc* desc,
                          hal_drv_buffer** out_buffer, uint64_t* out_allocated_size);
void BufferFree(hal_drv_context* context, hal_drv_buffer* buffer);
hal_result BufferMap(hal_drv_context* context, hal_drv_buffer* buffer, void** out_host);
hal_result BufferDeviceAddress(hal_drv_context* context, hal_drv_buffer* buffer,
                               uint64_t* out_address);
hal_result BufferDecommit(hal_drv_context* context, hal_drv_buffer* buffer);
hal_result BufferRecommit(hal_drv_context* context, hal_drv_buffer* buffer);
hal_result HostRegister(hal_drv_context* context, const hal_host_registration_desc* desc,
                        hal_drv_buffer** out_buffer);
void ContextTrimMemory(hal_drv_context* context);

// streams.cc
hal_result StreamCreate(hal_drv_context* context, const hal_stream_desc* desc,
                        hal_drv_stream** out_stream);
void StreamDestroy(hal_drv_stream* stream);
hal_result StreamCopyHostToDevice(hal_drv_stream* stream, const void* src, hal_drv_buffer* dst,
                                  uint64_t dst_offset, uint64_t size);
hal_result StreamCopyDeviceToHost(hal_drv_stream* stream, hal_drv_buffer* src, uint64_t src_offset,
                                  void* dst, uint64_t size);
hal_result StreamCopyBuffer(hal_drv_stream* stream, hal_drv_buffer* src, uint64_t src_offset,
                            hal_drv_buffer* dst, uint64_t dst_offset, uint64_t size);
hal_result StreamFill(hal_drv_stream* stream, hal_drv_buffer* dst, uint64_t offset, uint64_t size,
                      uint32_t pattern);
hal_result StreamDispatch(hal_drv_stream* stream, hal_drv_kernel* kernel,
                          const hal_dispatch_desc* desc);
hal_result StreamSignalEvent(hal_drv_stream* stream, hal_drv_event* event);
hal_result StreamWaitEvent(hal_drv_stream* stream, hal_drv_event* event);
hal_result StreamSynchronize(hal_drv_stream* stream);
hal_result StreamQuery(hal_drv_stream* stream);

// events.cc
hal_result EventCreate(hal_drv_context* context, const hal_event_desc* desc,
                       hal_drv_event** out_event);
void EventDestroy(hal_drv_event* event);
hal_result EventQuery(hal_drv_event* event);
hal_result EventSynchronize(hal_drv_event* event);
hal_result EventTimestampNs(hal_drv_event* event, uint64_t* out_ns);

// modules.cc
hal_result ModuleLoad(hal_drv_context* context, const hal_module_desc* desc,
                      hal_drv_module** out_module);
void ModuleDestroy(hal_drv_module* module);
hal_result KernelGet(hal_drv_module* module, const hal_kernel_desc* desc,
                     hal_drv_kernel** out_kernel);

}  // namespace hal::gpu

#endif  // HAL_BACKENDS_GPU_CORE_TABLE_FUNCTIONS_H_
