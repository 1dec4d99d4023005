#include "hal/kernel.h"

#include "runtime/object_states.h"

namespace hal {

Kernel::Kernel(std::shared_ptr<internal::KernelState> state) : state_(std::move(state)) {}
Kernel::~Kernel() = default;

const std::string& Kernel::name() const { return state_->info.name; }
uint32_t Kernel::binding_count() const { return state_->info.binding_count; }
uint32_t Kernel::push_constant_size() const { return state_->info.push_constant_size; }
std::array<uint32_t, 3> Kernel::workgroup_size() const { return state_->info.workgroup_size; }
const std::string& Kernel::image_format() const { return state_->image_format; }

}  // namespace hal
