#include "tests/fake_level_zero/spirv_kernel_params.h"

#include <spirv-tools/libspirv.h>

#include <cstring>
#include <optional>
#include <set>
#include <vector>

#include "absl/strings/str_cat.h"

namespace hal::fake::level_zero {
namespace {

// The SPIR-V numbers this reader needs (the SPIR-V 1.6 specification).
enum Opcode : uint16_t {
  kOpMemoryModel = 14,
  kOpEntryPoint = 15,
  kOpExecutionMode = 16,
  kOpTypeInt = 21,
  kOpTypeFloat = 22,
  kOpTypeVector = 23,
  kOpTypeArray = 28,
  kOpTypeStruct = 30,
  kOpTypePointer = 32,
  kOpConstant = 43,
  kOpFunction = 54,
  kOpFunctionParameter = 55,
  kOpFunctionEnd = 56,
  kOpDecorate = 71,
};
constexpr uint32_t kAddressingPhysical32 = 1;
constexpr uint32_t kExecutionModelKernel = 6;
constexpr uint32_t kExecutionModeLocalSize = 17;
constexpr uint32_t kDecorationFuncParamAttr = 38;
constexpr uint32_t kFunctionParameterAttributeByVal = 2;
constexpr uint32_t kStorageClassFunction = 7;
constexpr uint32_t kStorageClassCrossWorkgroup = 5;
constexpr uint32_t kMaxTypeDepth = 16;

struct Type {
  uint16_t opcode = 0;
  std::vector<uint32_t> operands;  // the words after the result id
};

struct Function {
  std::vector<uint32_t> param_ids;
  std::vector<uint32_t> param_types;
};

struct Module {
  uint32_t pointer_size = 8;
  std::map<uint32_t, Type> types;
  std::map<uint32_t, uint64_t> constants;  // scalar integer constants (array lengths)
  std::set<uint32_t> by_value;             // ids decorated FuncParamAttr ByVal
  std::map<uint32_t, std::string> entry_points;  // function id -> kernel name
  std::map<uint32_t, std::array<uint32_t, 3>> local_sizes;
  std::map<uint32_t, Function> functions;
  uint32_t current_function = 0;
  std::string error;
};

struct SizeAndAlignment {
  uint64_t size = 0;
  uint64_t alignment = 1;
};

// The C size and alignment of `type_id` in OpenCL's layout; nullopt for a
// type this reader does not size.
std::optional<SizeAndAlignment> Measure(const Module& module, uint32_t type_id, uint32_t depth) {
  const auto it = module.types.find(type_id);
  if (it == module.types.end() || depth > kMaxTypeDepth) return std::nullopt;
  const Type& type = it->second;
  switch (type.opcode) {
    case kOpTypeInt:
    case kOpTypeFloat: {
      if (type.operands.empty() || type.operands[0] % 8 != 0 || type.operands[0] == 0) {
        return std::nullopt;
      }
      const uint64_t bytes = type.operands[0] / 8;
      return SizeAndAlignment{bytes, bytes};
    }
    case kOpTypeVector: {
      if (type.operands.size() < 2) return std::nullopt;
      const auto element = Measure(module, type.operands[0], depth + 1);
      if (!element) return std::nullopt;
      // OpenCL: a 3-component vector takes the room of 4.
      const uint64_t count = type.operands[1] == 3 ? 4 : type.operands[1];
      return SizeAndAlignment{element->size * count, element->size * count};
    }
    case kOpTypeArray: {
      if (type.operands.size() < 2) return std::nullopt;
      const auto element = Measure(module, type.operands[0], depth + 1);
      const auto length = module.constants.find(type.operands[1]);
      if (!element || length == module.constants.end() || length->second > (1u << 20)) {
        return std::nullopt;
      }
      return SizeAndAlignment{element->size * length->second, element->alignment};
    }
    case kOpTypeStruct: {
      SizeAndAlignment result{0, 1};
      for (uint32_t member : type.operands) {
        const auto measured = Measure(module, member, depth + 1);
        if (!measured) return std::nullopt;
        result.size = (result.size + measured->alignment - 1) / measured->alignment *
                      measured->alignment;
        result.size += measured->size;
        result.alignment = std::max(result.alignment, measured->alignment);
      }
      result.size = (result.size + result.alignment - 1) / result.alignment * result.alignment;
      return result;
    }
    case kOpTypePointer:
      return SizeAndAlignment{module.pointer_size, module.pointer_size};
    default:
      return std::nullopt;
  }
}

spv_result_t OnInstruction(void* user, const spv_parsed_instruction_t* instruction) {
  Module& module = *static_cast<Module*>(user);
  const uint32_t* words = instruction->words;
  const uint16_t count = instruction->num_words;
  switch (instruction->opcode) {
    case kOpMemoryModel:
      if (count >= 2 && words[1] == kAddressingPhysical32) module.pointer_size = 4;
      break;
    case kOpEntryPoint:
      if (count >= 4 && words[1] == kExecutionModelKernel) {
        // The name is a NUL-terminated literal packed into words[3...].
        const auto* bytes = reinterpret_cast<const char*>(&words[3]);
        module.entry_points[words[2]] = std::string(bytes, strnlen(bytes, (count - 3) * 4u));
      }
      break;
    case kOpExecutionMode:
      if (count >= 6 && words[2] == kExecutionModeLocalSize) {
        module.local_sizes[words[1]] = {words[3], words[4], words[5]};
      }
      break;
    case kOpTypeInt:
    case kOpTypeFloat:
    case kOpTypeVector:
    case kOpTypeArray:
    case kOpTypeStruct:
    case kOpTypePointer:
      module.types[instruction->result_id] =
          Type{instruction->opcode, std::vector<uint32_t>(words + 2, words + count)};
      break;
    case kOpConstant:
      if (count >= 4) module.constants[instruction->result_id] = words[3];
      break;
    case kOpDecorate:
      if (count >= 4 && words[2] == kDecorationFuncParamAttr &&
          words[3] == kFunctionParameterAttributeByVal) {
        module.by_value.insert(words[1]);
      }
      break;
    case kOpFunction:
      module.current_function = instruction->result_id;
      module.functions[module.current_function];
      break;
    case kOpFunctionParameter:
      if (module.current_function != 0) {
        Function& function = module.functions[module.current_function];
        function.param_ids.push_back(instruction->result_id);
        function.param_types.push_back(instruction->type_id);
      }
      break;
    case kOpFunctionEnd:
      module.current_function = 0;
      break;
    default:
      break;
  }
  return SPV_SUCCESS;
}

absl::StatusOr<SpirvKernel> ReadKernel(const Module& module, const std::string& name,
                                       const Function& function, uint32_t function_id) {
  SpirvKernel kernel;
  for (size_t i = 0; i < function.param_types.size(); ++i) {
    const auto type = module.types.find(function.param_types[i]);
    if (type == module.types.end()) {
      return absl::InvalidArgumentError(
          absl::StrCat("kernel \"", name, "\": parameter ", i, " has a type this reader cannot size"));
    }
    ParamKind kind = ParamKind::kByValue;
    std::optional<SizeAndAlignment> measured;
    if (type->second.opcode == kOpTypePointer && type->second.operands.size() >= 2) {
      const uint32_t storage = type->second.operands[0];
      if (storage == kStorageClassFunction && module.by_value.count(function.param_ids[i])) {
        measured = Measure(module, type->second.operands[1], 0);  // the struct passed by value
      } else {
        kind = storage == kStorageClassCrossWorkgroup ? ParamKind::kGlobalPointer
                                                      : ParamKind::kOtherPointer;
        measured = SizeAndAlignment{module.pointer_size, module.pointer_size};
      }
    } else {
      measured = Measure(module, function.param_types[i], 0);
    }
    if (!measured || measured->size == 0 || measured->size > 4096) {
      return absl::InvalidArgumentError(
          absl::StrCat("kernel \"", name, "\": parameter ", i, " has a type this reader cannot size"));
    }
    KernelParam param;
    param.offset = kernel.layout.total_size;
    param.size = static_cast<uint32_t>(measured->size);
    kernel.layout.params.push_back(param);
    kernel.layout.total_size += param.size;
    kernel.kinds.push_back(kind);
  }
  if (const auto size = module.local_sizes.find(function_id); size != module.local_sizes.end()) {
    kernel.required_group_size = size->second;
  }
  return kernel;
}

}  // namespace

absl::StatusOr<std::map<std::string, SpirvKernel>> ReadSpirvKernels(
    absl::Span<const uint8_t> bytes) {
  if (bytes.size() % 4 != 0 || bytes.size() < 20) {
    return absl::InvalidArgumentError(
        absl::StrCat("a SPIR-V module is whole 32-bit words, at least 5; this one is ",
                     bytes.size(), " bytes"));
  }
  std::vector<uint32_t> words(bytes.size() / 4);
  std::memcpy(words.data(), bytes.data(), bytes.size());
  Module module;
  spv_context context = spvContextCreate(SPV_ENV_OPENCL_1_2);
  spv_diagnostic diagnostic = nullptr;
  const spv_result_t parsed = spvBinaryParse(context, &module, words.data(), words.size(), nullptr,
                                             &OnInstruction, &diagnostic);
  std::string why = diagnostic != nullptr && diagnostic->error ? diagnostic->error : "";
  spvDiagnosticDestroy(diagnostic);
  spvContextDestroy(context);
  if (parsed != SPV_SUCCESS) {
    return absl::InvalidArgumentError(absl::StrCat("not a SPIR-V module (", parsed, "): ", why));
  }
  std::map<std::string, SpirvKernel> kernels;
  for (const auto& [function_id, name] : module.entry_points) {
    const auto function = module.functions.find(function_id);
    if (function == module.functions.end()) {
      return absl::InvalidArgumentError(
          absl::StrCat("entry point \"", name, "\" names no function"));
    }
    absl::StatusOr<SpirvKernel> kernel = ReadKernel(module, name, function->second, function_id);
    if (!kernel.ok()) return kernel.status();
    kernels[name] = *std::move(kernel);
  }
  return kernels;
}

}  // namespace hal::fake::level_zero
