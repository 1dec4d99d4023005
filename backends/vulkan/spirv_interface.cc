#include "backends/vulkan/spirv_interface.h"

#include <algorithm>
#include <cstring>
#include <map>

namespace hal::vulkan {
namespace {

// SPIR-V 1.6 specification, section 3: the numbers this reader needs.
constexpr uint32_t kHeaderWords = 5;
constexpr uint32_t kVersion1_4 = 0x00010400;
enum Opcode : uint32_t {
  kOpEntryPoint = 15,
  kOpExecutionMode = 16,
  kOpTypeInt = 21,
  kOpTypeFloat = 22,
  kOpTypeVector = 23,
  kOpTypeArray = 28,
  kOpTypeStruct = 30,
  kOpTypePointer = 32,
  kOpConstant = 43,
  kOpVariable = 59,
  kOpDecorate = 71,
  kOpMemberDecorate = 72,
};
constexpr uint32_t kExecutionModelGLCompute = 5;
constexpr uint32_t kExecutionModeLocalSize = 17;
constexpr uint32_t kDecorationArrayStride = 6;
constexpr uint32_t kDecorationBinding = 33;
constexpr uint32_t kDecorationDescriptorSet = 34;
constexpr uint32_t kDecorationOffset = 35;
constexpr uint32_t kStorageClassUniformConstant = 0;
constexpr uint32_t kStorageClassUniform = 2;
constexpr uint32_t kStorageClassPushConstant = 9;
constexpr uint32_t kStorageClassStorageBuffer = 12;

// One pass over the module collects what the entry points are then read from.
struct Module {
  struct Type {
    uint32_t opcode = 0;
    std::vector<uint32_t> operands;  // the words after the result id
  };
  struct Variable {
    uint32_t storage_class = 0;
    uint32_t pointee = 0;  // the type the variable's pointer type points to
  };
  struct EntryPoint {
    uint32_t id = 0;
    std::string name;
    std::vector<uint32_t> interface;
  };
  uint32_t version = 0;
  std::vector<EntryPoint> entry_points;
  std::map<uint32_t, std::array<uint32_t, 3>> local_sizes;  // entry point id -> size
  std::map<uint32_t, Type> types;
  std::map<uint32_t, uint32_t> pointer_pointees;
  std::map<uint32_t, uint32_t> constants;  // 32-bit integer constants
  std::map<uint32_t, Variable> variables;
  std::map<uint32_t, uint32_t> bindings, descriptor_sets, array_strides;
  std::map<std::pair<uint32_t, uint32_t>, uint32_t> member_offsets;  // (struct, member)

  void Record(uint32_t opcode, const uint32_t* operands, uint32_t count);
  std::optional<uint32_t> SizeOf(uint32_t type, int depth = 0) const;
  EntryPointInterface Interface(const EntryPoint& entry_point) const;
};

std::string ReadString(const uint32_t* words, uint32_t count, uint32_t* words_used) {
  const char* text = reinterpret_cast<const char*>(words);
  const size_t length = strnlen(text, count * sizeof(uint32_t));
  *words_used = static_cast<uint32_t>(length / sizeof(uint32_t) + 1);
  return std::string(text, length);
}

void Module::Record(uint32_t opcode, const uint32_t* operands, uint32_t count) {
  switch (opcode) {
    case kOpEntryPoint:
      if (count >= 3 && operands[0] == kExecutionModelGLCompute) {
        uint32_t name_words = 0;
        EntryPoint entry_point{operands[1], ReadString(operands + 2, count - 2, &name_words), {}};
        for (uint32_t i = 2 + name_words; i < count; ++i) {
          entry_point.interface.push_back(operands[i]);
        }
        entry_points.push_back(std::move(entry_point));
      }
      break;
    case kOpExecutionMode:
      if (count >= 5 && operands[1] == kExecutionModeLocalSize) {
        local_sizes[operands[0]] = {operands[2], operands[3], operands[4]};
      }
      break;
    case kOpTypeInt:
    case kOpTypeFloat:
    case kOpTypeVector:
    case kOpTypeArray:
    case kOpTypeStruct:
      if (count >= 1) types[operands[0]] = Type{opcode, {operands + 1, operands + count}};
      break;
    case kOpTypePointer:
      if (count >= 3) pointer_pointees[operands[0]] = operands[2];
      break;
    case kOpConstant:
      if (count >= 3) constants[operands[1]] = operands[2];
      break;
    case kOpVariable:
      if (count >= 3) {
        auto pointee = pointer_pointees.find(operands[0]);
        variables[operands[1]] = {operands[2],
                                  pointee == pointer_pointees.end() ? 0 : pointee->second};
      }
      break;
    case kOpDecorate:
      if (count >= 3 && operands[1] == kDecorationBinding) bindings[operands[0]] = operands[2];
      if (count >= 3 && operands[1] == kDecorationDescriptorSet) {
        descriptor_sets[operands[0]] = operands[2];
      }
      if (count >= 3 && operands[1] == kDecorationArrayStride) {
        array_strides[operands[0]] = operands[2];
      }
      break;
    case kOpMemberDecorate:
      if (count >= 4 && operands[2] == kDecorationOffset) {
        member_offsets[{operands[0], operands[1]}] = operands[3];
      }
      break;
    default:
      break;
  }
}

// Bytes `type` takes in an explicitly laid out block; unset for types this
// reader does not size (matrices, runtime arrays, pointers, ...).
std::optional<uint32_t> Module::SizeOf(uint32_t type, int depth) const {
  auto it = types.find(type);
  if (it == types.end() || depth > 8) return std::nullopt;
  const std::vector<uint32_t>& operands = it->second.operands;
  switch (it->second.opcode) {
    case kOpTypeInt:
    case kOpTypeFloat:
      return operands.empty() ? std::nullopt : std::optional<uint32_t>(operands[0] / 8);
    case kOpTypeVector: {
      if (operands.size() < 2) return std::nullopt;
      const auto component = SizeOf(operands[0], depth + 1);
      if (!component) return std::nullopt;
      return *component * operands[1];
    }
    case kOpTypeArray: {
      auto stride = array_strides.find(type);
      auto length = operands.size() < 2 ? constants.end() : constants.find(operands[1]);
      if (stride == array_strides.end() || length == constants.end()) return std::nullopt;
      return stride->second * length->second;
    }
    case kOpTypeStruct: {
      uint64_t end = 0;
      for (uint32_t member = 0; member < operands.size(); ++member) {
        auto offset = member_offsets.find({type, member});
        const auto size = SizeOf(operands[member], depth + 1);
        if (offset == member_offsets.end() || !size) return std::nullopt;
        end = std::max<uint64_t>(end, uint64_t{offset->second} + *size);
      }
      return static_cast<uint32_t>(std::min<uint64_t>(end, UINT32_MAX));
    }
    default:
      return std::nullopt;
  }
}

EntryPointInterface Module::Interface(const EntryPoint& entry_point) const {
  EntryPointInterface result;
  result.name = entry_point.name;
  if (auto size = local_sizes.find(entry_point.id); size != local_sizes.end()) {
    result.workgroup_size = size->second;
  }
  // From SPIR-V 1.4 the entry point lists every global variable it uses;
  // before, only with a single entry point are the module's variables its own.
  std::vector<uint32_t> used;
  if (version >= kVersion1_4) {
    used = entry_point.interface;
  } else if (entry_points.size() == 1) {
    for (const auto& [id, variable] : variables) used.push_back(id);
  } else {
    return result;
  }
  result.bindings.emplace();
  result.push_constant_size = 0;
  for (uint32_t id : used) {
    auto variable = variables.find(id);
    if (variable == variables.end()) continue;
    const uint32_t storage_class = variable->second.storage_class;
    if (storage_class == kStorageClassPushConstant) {
      result.push_constant_size = SizeOf(variable->second.pointee);
    } else if (storage_class == kStorageClassStorageBuffer ||
               storage_class == kStorageClassUniform ||
               storage_class == kStorageClassUniformConstant) {
      auto set = descriptor_sets.find(id);
      auto binding = bindings.find(id);
      result.bindings->emplace_back(set == descriptor_sets.end() ? 0 : set->second,
                                    binding == bindings.end() ? 0 : binding->second);
    }
  }
  return result;
}

std::string SizeText(const std::array<uint32_t, 3>& size) {
  return std::to_string(size[0]) + "x" + std::to_string(size[1]) + "x" + std::to_string(size[2]);
}

}  // namespace

bool ReadComputeEntryPoints(const std::vector<uint32_t>& words,
                            std::vector<EntryPointInterface>* out_entry_points) {
  if (words.size() < kHeaderWords) return false;
  Module module;
  module.version = words[1];
  for (size_t at = kHeaderWords; at < words.size();) {
    const uint32_t word_count = words[at] >> 16;
    if (word_count == 0 || at + word_count > words.size()) return false;
    module.Record(words[at] & 0xffff, &words[at + 1], word_count - 1);
    at += word_count;
  }
  for (const Module::EntryPoint& entry_point : module.entry_points) {
    out_entry_points->push_back(module.Interface(entry_point));
  }
  return true;
}

std::string CheckSignature(const EntryPointInterface& entry_point,
                           const hal_kernel_signature& signature) {
  const std::array<uint32_t, 3> declared = {
      signature.workgroup_size[0], signature.workgroup_size[1], signature.workgroup_size[2]};
  const std::string where = "SPIR-V entry point \"" + entry_point.name + "\"";
  if (entry_point.workgroup_size && *entry_point.workgroup_size != declared) {
    return where + " has workgroup size " + SizeText(*entry_point.workgroup_size) +
           ", but the kernel declares " + SizeText(declared);
  }
  if (entry_point.bindings) {
    for (const auto& [set, binding] : *entry_point.bindings) {
      if (set != 0 || binding >= signature.binding_count) {
        return where + " uses descriptor set " + std::to_string(set) + ", binding " +
               std::to_string(binding) + ", but the kernel declares " +
               std::to_string(signature.binding_count) + " binding(s), in set 0";
      }
    }
  }
  if (entry_point.push_constant_size &&
      *entry_point.push_constant_size > signature.push_constant_size) {
    return where + " has a push-constant block of " +
           std::to_string(*entry_point.push_constant_size) + " bytes, but the kernel declares " +
           std::to_string(signature.push_constant_size);
  }
  return "";
}

}  // namespace hal::vulkan
