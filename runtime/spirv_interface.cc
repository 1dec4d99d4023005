#include "runtime/spirv_interface.h"

#include <spirv-tools/libspirv.h>

#include <algorithm>
#include <cstring>
#include <map>
#include <set>

namespace hal::spirv {
namespace {

// SPIR-V 1.6 specification, section 3: the numbers this reader needs.
constexpr uint32_t kHeaderWords = 5;
enum Opcode : uint32_t {
  kOpEntryPoint = 15,
  kOpExecutionMode = 16,
  kOpTypeInt = 21,
  kOpTypeFloat = 22,
  kOpTypeVector = 23,
  kOpTypeMatrix = 24,
  kOpTypeArray = 28,
  kOpTypeRuntimeArray = 29,
  kOpTypeStruct = 30,
  kOpTypePointer = 32,
  kOpConstant = 43,
  kOpConstantComposite = 44,
  kOpSpecConstant = 50,
  kOpSpecConstantComposite = 51,
  kOpFunction = 54,
  kOpFunctionParameter = 55,
  kOpFunctionEnd = 56,
  kOpFunctionCall = 57,
  kOpVariable = 59,
  kOpDecorate = 71,
  kOpMemberDecorate = 72,
  kOpDecorationGroup = 73,
  kOpGroupDecorate = 74,
  kOpGroupMemberDecorate = 75,
  kOpExecutionModeId = 331,
};
constexpr uint32_t kExecutionModelGLCompute = 5;
constexpr uint32_t kExecutionModelKernel = 6;
constexpr uint32_t kExecutionModeLocalSize = 17;
constexpr uint32_t kExecutionModeLocalSizeId = 38;
constexpr uint32_t kDecorationBlock = 2;
constexpr uint32_t kDecorationBufferBlock = 3;
constexpr uint32_t kDecorationArrayStride = 6;
constexpr uint32_t kDecorationMatrixStride = 7;
constexpr uint32_t kDecorationBuiltIn = 11;
constexpr uint32_t kDecorationBinding = 33;
constexpr uint32_t kDecorationDescriptorSet = 34;
constexpr uint32_t kDecorationOffset = 35;
constexpr uint32_t kBuiltInWorkgroupSize = 25;
constexpr uint32_t kStorageClassUniformConstant = 0;
constexpr uint32_t kStorageClassUniform = 2;
constexpr uint32_t kStorageClassPushConstant = 9;
constexpr uint32_t kStorageClassStorageBuffer = 12;
// Types nest far less in any real kernel; bounds the recursion on hostile ones.
constexpr int kMaxTypeDepth = 16;

// Decoration -> its first literal (0 when it has none). Decorations reach a
// target directly or through a decoration group; both end up here.
using Decorations = std::map<uint32_t, uint32_t>;

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
    uint32_t model = 0;  // GLCompute or Kernel
    uint32_t function = 0;
    std::string name;
  };
  std::vector<EntryPoint> entry_points;
  std::map<uint32_t, std::array<uint32_t, 3>> local_sizes;     // function -> size
  std::map<uint32_t, std::array<uint32_t, 3>> local_size_ids;  // function -> constant ids
  std::map<uint32_t, Type> types;
  std::map<uint32_t, uint32_t> pointer_pointees;
  std::map<uint32_t, uint32_t> scalar_constants;  // default values of spec constants too
  std::map<uint32_t, std::vector<uint32_t>> composite_constants;
  std::map<uint32_t, Variable> variables;
  std::map<uint32_t, Decorations> decorations;
  std::map<std::pair<uint32_t, uint32_t>, Decorations> member_decorations;  // (struct, member)
  // The call graph, for the variables each entry point's call tree uses.
  std::map<uint32_t, std::set<uint32_t>> function_variables, function_callees;
  std::map<uint32_t, uint32_t> function_parameters;  // function -> its parameter count
  uint32_t current_function = 0;

  void Record(uint32_t opcode, const uint32_t* operands, uint32_t count);
  std::optional<uint32_t> Decoration(uint32_t id, uint32_t decoration) const;
  std::optional<uint32_t> MemberDecoration(uint32_t type, uint32_t member,
                                           uint32_t decoration) const;
  std::optional<std::array<uint32_t, 3>> WorkgroupSize(uint32_t function) const;
  std::optional<uint32_t> SizeOf(uint32_t type, int depth) const;
  std::optional<uint32_t> MemberSize(uint32_t type, uint32_t member, int depth) const;
  std::string ResourceKind(const Variable& variable) const;
  std::set<uint32_t> VariablesUsedBy(uint32_t function) const;
  EntryPointInterface Interface(const EntryPoint& entry_point) const;
};

std::string ReadString(const uint32_t* words, uint32_t count, uint32_t* words_used) {
  const char* text = reinterpret_cast<const char*>(words);
  const size_t length = strnlen(text, count * sizeof(uint32_t));
  *words_used = static_cast<uint32_t>(length / sizeof(uint32_t) + 1);
  return std::string(text, length);
}

void Module::Record(uint32_t opcode, const uint32_t* operands, uint32_t count) {
  if (current_function != 0) {
    // Any operand naming a global variable counts as a use (a literal of the
    // same value too: that can only make the check stricter).
    for (uint32_t i = 0; i < count; ++i) {
      if (variables.count(operands[i]) != 0)
        function_variables[current_function].insert(operands[i]);
    }
  }
  switch (opcode) {
    case kOpEntryPoint:
      if (count >= 3 &&
          (operands[0] == kExecutionModelGLCompute || operands[0] == kExecutionModelKernel)) {
        uint32_t name_words = 0;
        entry_points.push_back(
            {operands[0], operands[1], ReadString(operands + 2, count - 2, &name_words)});
      }
      break;
    case kOpExecutionMode:
      if (count >= 5 && operands[1] == kExecutionModeLocalSize) {
        local_sizes[operands[0]] = {operands[2], operands[3], operands[4]};
      }
      break;
    case kOpExecutionModeId:
      if (count >= 5 && operands[1] == kExecutionModeLocalSizeId) {
        local_size_ids[operands[0]] = {operands[2], operands[3], operands[4]};
      }
      break;
    case kOpTypeInt:
    case kOpTypeFloat:
    case kOpTypeVector:
    case kOpTypeMatrix:
    case kOpTypeArray:
    case kOpTypeRuntimeArray:
    case kOpTypeStruct:
      if (count >= 1) types[operands[0]] = Type{opcode, {operands + 1, operands + count}};
      break;
    case kOpTypePointer:
      if (count >= 3) pointer_pointees[operands[0]] = operands[2];
      break;
    case kOpConstant:
    case kOpSpecConstant:
      if (count >= 3) scalar_constants[operands[1]] = operands[2];
      break;
    case kOpConstantComposite:
    case kOpSpecConstantComposite:
      if (count >= 2) composite_constants[operands[1]] = {operands + 2, operands + count};
      break;
    case kOpFunction:
      if (count >= 2) current_function = operands[1];
      break;
    case kOpFunctionParameter:
      if (current_function != 0) ++function_parameters[current_function];
      break;
    case kOpFunctionEnd:
      current_function = 0;
      break;
    case kOpFunctionCall:
      if (count >= 3 && current_function != 0) {
        function_callees[current_function].insert(operands[2]);
      }
      break;
    case kOpVariable:
      if (count >= 3 && current_function == 0) {
        auto pointee = pointer_pointees.find(operands[0]);
        variables[operands[1]] = {operands[2],
                                  pointee == pointer_pointees.end() ? 0 : pointee->second};
      }
      break;
    case kOpDecorate:
      if (count >= 2) decorations[operands[0]][operands[1]] = count >= 3 ? operands[2] : 0;
      break;
    case kOpMemberDecorate:
      if (count >= 3) {
        member_decorations[{operands[0], operands[1]}][operands[2]] = count >= 4 ? operands[3] : 0;
      }
      break;
    case kOpDecorationGroup:
      break;  // its decorations were recorded on its id, applied by the next two
    case kOpGroupDecorate:
      if (count >= 1) {
        const Decorations group = decorations[operands[0]];
        for (uint32_t i = 1; i < count; ++i) {
          decorations[operands[i]].insert(group.begin(), group.end());
        }
      }
      break;
    case kOpGroupMemberDecorate:
      if (count >= 1) {
        const Decorations group = decorations[operands[0]];
        for (uint32_t i = 1; i + 1 < count; i += 2) {
          member_decorations[{operands[i], operands[i + 1]}].insert(group.begin(), group.end());
        }
      }
      break;
    default:
      break;
  }
}

std::optional<uint32_t> Module::Decoration(uint32_t id, uint32_t decoration) const {
  auto target = decorations.find(id);
  if (target == decorations.end()) return std::nullopt;
  auto it = target->second.find(decoration);
  if (it == target->second.end()) return std::nullopt;
  return it->second;
}

std::optional<uint32_t> Module::MemberDecoration(uint32_t type, uint32_t member,
                                                 uint32_t decoration) const {
  auto target = member_decorations.find({type, member});
  if (target == member_decorations.end()) return std::nullopt;
  auto it = target->second.find(decoration);
  if (it == target->second.end()) return std::nullopt;
  return it->second;
}

// The WorkgroupSize built-in, when some constant carries it, overrides the
// execution modes (SPIR-V 1.6, section 3.21, BuiltIn WorkgroupSize).
std::optional<std::array<uint32_t, 3>> Module::WorkgroupSize(uint32_t function) const {
  auto resolve =
      [this](const std::array<uint32_t, 3>& ids) -> std::optional<std::array<uint32_t, 3>> {
    std::array<uint32_t, 3> size{};
    for (int d = 0; d < 3; ++d) {
      auto value = scalar_constants.find(ids[d]);
      if (value == scalar_constants.end()) return std::nullopt;
      size[d] = value->second;
    }
    return size;
  };
  for (const auto& [id, constituents] : composite_constants) {
    if (Decoration(id, kDecorationBuiltIn) == kBuiltInWorkgroupSize && constituents.size() == 3) {
      return resolve({constituents[0], constituents[1], constituents[2]});
    }
  }
  if (auto ids = local_size_ids.find(function); ids != local_size_ids.end()) {
    return resolve(ids->second);
  }
  if (auto size = local_sizes.find(function); size != local_sizes.end()) return size->second;
  return std::nullopt;
}

// Bytes `type` takes in an explicitly laid out block; unset for types this
// reader does not size (runtime arrays, pointers, ...).
std::optional<uint32_t> Module::SizeOf(uint32_t type, int depth) const {
  auto it = types.find(type);
  if (it == types.end() || depth > kMaxTypeDepth) return std::nullopt;
  const std::vector<uint32_t>& operands = it->second.operands;
  switch (it->second.opcode) {
    case kOpTypeInt:
    case kOpTypeFloat:
      return operands.empty() ? std::nullopt : std::optional<uint32_t>(operands[0] / 8);
    case kOpTypeVector: {
      if (operands.size() < 2) return std::nullopt;
      const auto component = SizeOf(operands[0], depth + 1);
      if (!component) return std::nullopt;
      return static_cast<uint32_t>(
          std::min<uint64_t>(uint64_t{*component} * operands[1], UINT32_MAX));
    }
    case kOpTypeArray: {
      const auto stride = Decoration(type, kDecorationArrayStride);
      auto length =
          operands.size() < 2 ? scalar_constants.end() : scalar_constants.find(operands[1]);
      if (!stride || length == scalar_constants.end()) return std::nullopt;
      return static_cast<uint32_t>(
          std::min<uint64_t>(uint64_t{*stride} * length->second, UINT32_MAX));
    }
    case kOpTypeStruct: {
      uint64_t end = 0;
      for (uint32_t member = 0; member < operands.size(); ++member) {
        const auto offset = MemberDecoration(type, member, kDecorationOffset);
        const auto size = MemberSize(type, member, depth);
        if (!offset || !size) return std::nullopt;
        end = std::max<uint64_t>(end, uint64_t{*offset} + *size);
      }
      return static_cast<uint32_t>(std::min<uint64_t>(end, UINT32_MAX));
    }
    default:
      return std::nullopt;
  }
}

// A matrix member's layout is given on the member (MatrixStride), not on its type.
std::optional<uint32_t> Module::MemberSize(uint32_t type, uint32_t member, int depth) const {
  const uint32_t member_type = types.at(type).operands[member];
  auto matrix = types.find(member_type);
  if (matrix != types.end() && matrix->second.opcode == kOpTypeMatrix) {
    const auto stride = MemberDecoration(type, member, kDecorationMatrixStride);
    if (!stride || matrix->second.operands.size() < 2) return std::nullopt;
    return static_cast<uint32_t>(
        std::min<uint64_t>(uint64_t{*stride} * matrix->second.operands[1], UINT32_MAX));
  }
  return SizeOf(member_type, depth + 1);
}

// What the kernel ABI binds is one storage buffer per binding; anything else
// would meet a descriptor of another type (undefined behaviour in Vulkan).
std::string Module::ResourceKind(const Variable& variable) const {
  auto pointee = types.find(variable.pointee);
  if (pointee != types.end() &&
      (pointee->second.opcode == kOpTypeArray || pointee->second.opcode == kOpTypeRuntimeArray)) {
    return "an array of descriptors";
  }
  if (variable.storage_class == kStorageClassUniformConstant) return "an image or sampler";
  if (variable.storage_class == kStorageClassUniform &&
      !Decoration(variable.pointee, kDecorationBufferBlock)) {
    return "a uniform buffer";
  }
  if (variable.storage_class == kStorageClassStorageBuffer &&
      !Decoration(variable.pointee, kDecorationBlock)) {
    return "a storage buffer without a Block decoration";
  }
  return "";
}

std::set<uint32_t> Module::VariablesUsedBy(uint32_t function) const {
  std::set<uint32_t> used, visited;
  std::vector<uint32_t> pending = {function};
  while (!pending.empty()) {
    const uint32_t next = pending.back();
    pending.pop_back();
    if (!visited.insert(next).second) continue;
    if (auto it = function_variables.find(next); it != function_variables.end()) {
      used.insert(it->second.begin(), it->second.end());
    }
    if (auto it = function_callees.find(next); it != function_callees.end()) {
      pending.insert(pending.end(), it->second.begin(), it->second.end());
    }
  }
  return used;
}

EntryPointInterface Module::Interface(const EntryPoint& entry_point) const {
  EntryPointInterface result;
  result.name = entry_point.name;
  result.workgroup_size = WorkgroupSize(entry_point.function);
  result.push_constant_size = 0;
  for (uint32_t id : VariablesUsedBy(entry_point.function)) {
    const Variable& variable = variables.at(id);
    if (variable.storage_class == kStorageClassPushConstant) {
      const auto size = SizeOf(variable.pointee, 0);
      result.push_constant_size = size && result.push_constant_size
                                      ? std::max(*size, *result.push_constant_size)
                                      : std::optional<uint32_t>();
    } else if (variable.storage_class == kStorageClassStorageBuffer ||
               variable.storage_class == kStorageClassUniform ||
               variable.storage_class == kStorageClassUniformConstant) {
      result.resources.push_back({Decoration(id, kDecorationDescriptorSet).value_or(0),
                                  Decoration(id, kDecorationBinding).value_or(0),
                                  ResourceKind(variable)});
    }
  }
  return result;
}

std::string SizeText(const std::array<uint32_t, 3>& size) {
  return std::to_string(size[0]) + "x" + std::to_string(size[1]) + "x" + std::to_string(size[2]);
}

}  // namespace

std::optional<Target> TargetOfFormat(const std::string& format) {
  if (format == "spirv-vulkan") return Target::kVulkan1_2;
  if (format == "spirv-opencl") return Target::kOpenCl1_2;
  return std::nullopt;
}

std::string ValidateSpirv(const void* image, size_t size, Target target) {
  if (size % sizeof(uint32_t) != 0 || size < kHeaderWords * sizeof(uint32_t)) {
    return "a SPIR-V module is a whole number of 32-bit words, at least 5; this one is " +
           std::to_string(size) + " bytes";
  }
  std::vector<uint32_t> words(size / sizeof(uint32_t));
  std::memcpy(words.data(), image, size);
  // The header's last word is reserved and must be 0. SPIRV-Tools does not
  // check it, and lavapipe's compiler fails on it (leaking as it does so).
  if (words[kHeaderWords - 1] != 0) {
    return "the SPIR-V header's reserved schema word (word 4) is " +
           std::to_string(words[kHeaderWords - 1]) + "; it must be 0";
  }
  spv_context context =
      spvContextCreate(target == Target::kVulkan1_2 ? SPV_ENV_VULKAN_1_2 : SPV_ENV_OPENCL_1_2);
  spv_const_binary_t binary{words.data(), words.size()};
  spv_diagnostic diagnostic = nullptr;
  const spv_result_t result = spvValidate(context, &binary, &diagnostic);
  std::string problem;
  if (result != SPV_SUCCESS) {
    problem = diagnostic != nullptr && diagnostic->error != nullptr
                  ? diagnostic->error
                  : "the validator refused it (" + std::to_string(result) + ")";
    // The validator's messages span lines; one line reads better in a status.
    std::replace(problem.begin(), problem.end(), '\n', ' ');
    while (!problem.empty() && problem.back() == ' ') problem.pop_back();
  }
  spvDiagnosticDestroy(diagnostic);
  spvContextDestroy(context);
  return problem;
}

namespace {

// False when the instruction stream is malformed.
bool ReadModule(const std::vector<uint32_t>& words, Module* module) {
  if (words.size() < kHeaderWords) return false;
  for (size_t at = kHeaderWords; at < words.size();) {
    const uint32_t word_count = words[at] >> 16;
    if (word_count == 0 || at + word_count > words.size()) return false;
    module->Record(words[at] & 0xffff, &words[at + 1], word_count - 1);
    at += word_count;
  }
  return true;
}

}  // namespace

bool ReadComputeEntryPoints(const std::vector<uint32_t>& words,
                            std::vector<EntryPointInterface>* out_entry_points) {
  Module module;
  if (!ReadModule(words, &module)) return false;
  for (const Module::EntryPoint& entry_point : module.entry_points) {
    if (entry_point.model == kExecutionModelGLCompute) {
      out_entry_points->push_back(module.Interface(entry_point));
    }
  }
  return true;
}

bool ReadKernelEntryPoints(const std::vector<uint32_t>& words,
                           std::vector<KernelEntryPoint>* out_entry_points) {
  Module module;
  if (!ReadModule(words, &module)) return false;
  for (const Module::EntryPoint& entry_point : module.entry_points) {
    if (entry_point.model != kExecutionModelKernel) continue;
    auto parameters = module.function_parameters.find(entry_point.function);
    out_entry_points->push_back(
        {entry_point.name, module.WorkgroupSize(entry_point.function),
         parameters == module.function_parameters.end() ? 0 : parameters->second});
  }
  return true;
}

const EntryPointInterface* FindEntryPoint(const std::vector<EntryPointInterface>& entry_points,
                                          const std::string& name, std::string* error) {
  for (const EntryPointInterface& entry_point : entry_points) {
    if (entry_point.name == name) return &entry_point;
  }
  if (entry_points.size() == 1) return &entry_points[0];
  std::string names;
  for (const EntryPointInterface& entry_point : entry_points) {
    names += (names.empty() ? "\"" : ", \"") + entry_point.name + "\"";
  }
  *error = "the SPIR-V module has no GLCompute entry point \"" + name + "\"" +
           (entry_points.empty() ? std::string(" (it has none)")
                                 : "; it has " + names + ", so which one runs is ambiguous");
  return nullptr;
}

std::string CheckSignature(const EntryPointInterface& entry_point,
                           const hal_kernel_signature& signature) {
  const std::array<uint32_t, 3> declared = {
      signature.workgroup_size[0], signature.workgroup_size[1], signature.workgroup_size[2]};
  const std::string where = "SPIR-V entry point \"" + entry_point.name + "\"";
  if (!entry_point.workgroup_size) {
    return where +
           " declares no workgroup size (LocalSize, LocalSizeId or a WorkgroupSize "
           "built-in)";
  }
  const std::array<uint32_t, 3>& size = *entry_point.workgroup_size;
  if (size[0] == 0 || size[1] == 0 || size[2] == 0) {
    return where + " has workgroup size " + SizeText(size) + ", with a zero component";
  }
  if (size != declared) {
    return where + " has workgroup size " + SizeText(size) + ", but the kernel declares " +
           SizeText(declared);
  }
  for (const Resource& resource : entry_point.resources) {
    const std::string binding = "descriptor set " + std::to_string(resource.set) + ", binding " +
                                std::to_string(resource.binding);
    if (resource.set != 0 || resource.binding >= signature.binding_count) {
      return where + " uses " + binding + ", but the kernel declares " +
             std::to_string(signature.binding_count) + " binding(s), in set 0";
    }
    if (!resource.other_kind.empty()) {
      return where + " declares " + binding + " as " + resource.other_kind +
             ", but the kernel ABI binds one storage buffer there";
    }
  }
  if (!entry_point.push_constant_size) {
    return where +
           " has a push-constant block whose size cannot be told (a member without an "
           "Offset, an array without an ArrayStride, or a type other than scalars, "
           "vectors, matrices, arrays and structs)";
  }
  if (*entry_point.push_constant_size > signature.push_constant_size) {
    return where + " has a push-constant block of " +
           std::to_string(*entry_point.push_constant_size) + " bytes, but the kernel declares " +
           std::to_string(signature.push_constant_size);
  }
  return "";
}

std::string CheckKernelEntryPoint(const std::vector<KernelEntryPoint>& entry_points,
                                  const std::string& name, const hal_kernel_signature& signature) {
  auto entry_point = std::find_if(entry_points.begin(), entry_points.end(),
                                  [&](const KernelEntryPoint& kernel) { return kernel.name == name; });
  if (entry_point == entry_points.end()) {
    return "the SPIR-V module has no OpenCL kernel (entry point of execution model Kernel) \"" +
           name + "\"; OpenCL and Level Zero find a kernel by its name";
  }
  const std::string where = "OpenCL kernel \"" + name + "\"";
  const std::array<uint32_t, 3> declared = {
      signature.workgroup_size[0], signature.workgroup_size[1], signature.workgroup_size[2]};
  if (entry_point->workgroup_size && *entry_point->workgroup_size != declared) {
    return where + " requires workgroup size " + SizeText(*entry_point->workgroup_size) +
           " (reqd_work_group_size), but the kernel declares " + SizeText(declared);
  }
  const uint32_t expected = signature.binding_count + (signature.push_constant_size > 0 ? 1 : 0);
  if (entry_point->parameter_count != expected) {
    return where + " takes " + std::to_string(entry_point->parameter_count) +
           " argument(s), but the kernel ABI passes " + std::to_string(expected) + " (" +
           std::to_string(signature.binding_count) + " binding(s)" +
           (signature.push_constant_size > 0 ? " and one push-constant struct)" : ")");
  }
  return "";
}

}  // namespace hal::spirv
