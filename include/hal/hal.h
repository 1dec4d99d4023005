// Umbrella header of the hal C++ API.
#ifndef HAL_HAL_H_
#define HAL_HAL_H_

#include "hal/buffer.h"
#include "hal/device.h"
#include "hal/driver.h"
#include "hal/event.h"
#include "hal/fault_injection.h"
#include "hal/kernel.h"
#include "hal/kernel_bundle.h"
#include "hal/native_handle.h"
#include "hal/physical_device.h"
#include "hal/queue.h"
#include "hal/runtime.h"
#include "hal/selector.h"
#include "hal/status_macros.h"
#include "hal/types.h"
#include "hal/virtual_device.h"

#endif  // HAL_HAL_H_
