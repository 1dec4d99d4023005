// Writes the fuzzers' seed corpora, so that no binary blob is kept in git:
//   hal_fuzz_seeds OUT_DIR [STANDARD_BUNDLE]
// makes OUT_DIR/gpu_image (an AMDGPU code object built here, the same in an
// offload bundle, its msgpack metadata alone, and, given the build tree's
// standard.halb, its hsaco and cubin images), OUT_DIR/slurm_spec and
// OUT_DIR/slice_id (the text formats of fuzz/*_fuzzer.cc). The code object
// built here must read back through ReadCodeObject, else this exits 1: a
// seed the parser refuses would only steer the fuzzer to its first check.
#include <elf.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <tuple>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "backends/gpu_core/hsaco.h"
#include "hal/kernel_bundle.h"

namespace {

using Bytes = std::vector<uint8_t>;

template <typename T>
void Append(Bytes& out, const T& value) {
  const auto* bytes = reinterpret_cast<const uint8_t*>(&value);
  out.insert(out.end(), bytes, bytes + sizeof(T));
}
void AppendText(Bytes& out, const std::string& text) { out.insert(out.end(), text.begin(), text.end()); }
void PadTo(Bytes& out, size_t alignment) { out.resize((out.size() + alignment - 1) / alignment * alignment); }

// The few msgpack forms the metadata needs (maps and arrays under 16 entries).
void PackString(Bytes& out, const std::string& text) {
  out.push_back(0xd9);  // str8
  out.push_back(static_cast<uint8_t>(text.size()));
  AppendText(out, text);
}
void PackUint(Bytes& out, uint16_t value) {
  out.push_back(0xcd);  // uint16, big-endian
  out.push_back(static_cast<uint8_t>(value >> 8));
  out.push_back(static_cast<uint8_t>(value));
}
void PackMap(Bytes& out, size_t entries) { out.push_back(static_cast<uint8_t>(0x80 | entries)); }
void PackArray(Bytes& out, size_t entries) { out.push_back(static_cast<uint8_t>(0x90 | entries)); }

void PackArg(Bytes& out, const std::string& kind, uint16_t offset, uint16_t size) {
  PackMap(out, 3);
  PackString(out, ".value_kind");
  PackString(out, kind);
  PackString(out, ".offset");
  PackUint(out, offset);
  PackString(out, ".size");
  PackUint(out, size);
}

constexpr uint16_t kKernargSize = 24;

// amdhsa metadata of one kernel "fill" (a pointer, a value, a hidden argument).
Bytes Metadata() {
  Bytes out;
  PackMap(out, 3);
  PackString(out, "amdhsa.version");
  PackArray(out, 2);
  PackUint(out, 1);
  PackUint(out, 2);
  PackString(out, "amdhsa.target");
  PackString(out, "amdgcn-amd-amdhsa--gfx90a:xnack-");
  PackString(out, "amdhsa.kernels");
  PackArray(out, 1);
  PackMap(out, 5);
  PackString(out, ".name");
  PackString(out, "fill");
  PackString(out, ".symbol");
  PackString(out, "fill.kd");
  PackString(out, ".kernarg_segment_size");
  PackUint(out, kKernargSize);
  PackString(out, ".max_flat_workgroup_size");
  PackUint(out, 256);
  PackString(out, ".args");
  PackArray(out, 3);
  PackArg(out, "global_buffer", 0, 8);
  PackArg(out, "by_value", 8, 4);
  PackArg(out, "hidden_block_count_x", 16, 4);
  return out;
}

// An EM_AMDGPU ELF: the metadata note, a 64-byte kernel descriptor in an
// allocated section, and the symbols that name it.
Bytes CodeObject() {
  constexpr uint64_t kDescriptorAddress = 0x1000;
  Bytes note;
  Append(note, Elf64_Nhdr{7, 0, 32});  // n_namesz, n_descsz (set below), NT_AMDGPU_METADATA
  AppendText(note, std::string("AMDGPU\0", 8));
  const Bytes metadata = Metadata();
  reinterpret_cast<Elf64_Nhdr*>(note.data())->n_descsz = static_cast<Elf64_Word>(metadata.size());
  note.insert(note.end(), metadata.begin(), metadata.end());
  PadTo(note, 4);

  Bytes descriptor(64, 0);
  descriptor[8] = kKernargSize;  // kernarg_size

  const std::string strings = std::string("\0fill.kd\0fill\0", 14);
  Bytes symbols;
  Append(symbols, Elf64_Sym{});
  Append(symbols, Elf64_Sym{1, ELF64_ST_INFO(STB_GLOBAL, STT_OBJECT), 0, 2, kDescriptorAddress, 64});
  Append(symbols, Elf64_Sym{9, ELF64_ST_INFO(STB_GLOBAL, STT_FUNC), 0, 0, 0x2000, 0});

  const std::string names = std::string("\0.note\0.rodata\0.symtab\0.strtab\0.shstrtab\0", 41);
  struct Section {
    uint32_t name;
    uint32_t type;
    uint64_t flags;
    uint64_t address;
    uint32_t link;
    Bytes contents;
  };
  const std::vector<Section> sections = {
      {1, SHT_NOTE, SHF_ALLOC, 0x200, 0, note},
      {7, SHT_PROGBITS, SHF_ALLOC, kDescriptorAddress, 0, descriptor},
      {15, SHT_SYMTAB, 0, 0, 4, symbols},
      {23, SHT_STRTAB, 0, 0, 0, Bytes(strings.begin(), strings.end())},
      {31, SHT_STRTAB, 0, 0, 0, Bytes(names.begin(), names.end())},
  };

  Bytes image(sizeof(Elf64_Ehdr), 0);
  std::vector<Elf64_Shdr> headers(1);  // SHN_UNDEF
  for (const Section& section : sections) {
    PadTo(image, 8);
    Elf64_Shdr header{};
    header.sh_name = section.name;
    header.sh_type = section.type;
    header.sh_flags = section.flags;
    header.sh_addr = section.address;
    header.sh_offset = image.size();
    header.sh_size = section.contents.size();
    header.sh_link = section.link;
    header.sh_addralign = 8;
    if (section.type == SHT_SYMTAB) {
      header.sh_entsize = sizeof(Elf64_Sym);
      header.sh_info = 1;
    }
    image.insert(image.end(), section.contents.begin(), section.contents.end());
    headers.push_back(header);
  }
  PadTo(image, 8);
  Elf64_Ehdr ehdr{};
  std::memcpy(ehdr.e_ident, ELFMAG, SELFMAG);
  ehdr.e_ident[EI_CLASS] = ELFCLASS64;
  ehdr.e_ident[EI_DATA] = ELFDATA2LSB;
  ehdr.e_ident[EI_VERSION] = EV_CURRENT;
  ehdr.e_ident[EI_OSABI] = 64;      // ELFOSABI_AMDGPU_HSA
  ehdr.e_ident[EI_ABIVERSION] = 2;  // code object v4
  ehdr.e_type = ET_DYN;
  ehdr.e_machine = EM_AMDGPU;
  ehdr.e_version = EV_CURRENT;
  ehdr.e_ehsize = sizeof(Elf64_Ehdr);
  ehdr.e_shoff = image.size();
  ehdr.e_shentsize = sizeof(Elf64_Shdr);
  ehdr.e_shnum = static_cast<Elf64_Half>(headers.size());
  ehdr.e_shstrndx = static_cast<Elf64_Half>(headers.size() - 1);
  for (const Elf64_Shdr& header : headers) Append(image, header);
  std::memcpy(image.data(), &ehdr, sizeof(ehdr));
  return image;
}

// A clang offload bundle of a host entry (no bytes) and `code_object`.
Bytes OffloadBundle(const Bytes& code_object) {
  const std::string host = "host-x86_64-unknown-linux-gnu";
  const std::string device = "hipv4-amdgcn-amd-amdhsa--gfx90a:xnack-";
  Bytes bundle;
  AppendText(bundle, "__CLANG_OFFLOAD_BUNDLE__");
  Append(bundle, uint64_t{2});
  const uint64_t header_end = bundle.size() + 2 * 3 * sizeof(uint64_t) + host.size() + device.size();
  const uint64_t object_offset = (header_end + 7) / 8 * 8;
  for (const auto& [triple, offset, size] :
       {std::tuple{host, header_end, uint64_t{0}},
        std::tuple{device, object_offset, uint64_t{code_object.size()}}}) {
    Append(bundle, offset);
    Append(bundle, size);
    Append(bundle, uint64_t{triple.size()});
    AppendText(bundle, triple);
  }
  bundle.resize(object_offset);
  bundle.insert(bundle.end(), code_object.begin(), code_object.end());
  return bundle;
}

bool Write(const std::filesystem::path& path, const Bytes& bytes) {
  std::ofstream out(path, std::ios::binary);
  out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  return static_cast<bool>(out);
}
bool WriteText(const std::filesystem::path& folder, const std::vector<std::string>& seeds) {
  std::filesystem::create_directories(folder);
  for (size_t i = 0; i < seeds.size(); ++i) {
    if (!Write(folder / absl::StrCat("seed-", i), Bytes(seeds[i].begin(), seeds[i].end()))) return false;
  }
  return true;
}

// hal_fuzz_slice_id's inputs (FuzzedDataProvider): hald's device id ended by
// a backslash and one more byte, the text, then what the provider takes from
// the end: 38 bytes, 0x01 but for an 0x80 that makes --max-slices positive,
// read as a room and a slice of about 2^56 bytes with a share of 1/255: a
// device of kMaxSlicesPerDevice slices.
std::vector<std::string> SliceIdSeeds(const std::vector<std::pair<std::string, std::string>>& seeds) {
  std::vector<std::string> inputs;
  for (const auto& [device_id, text] : seeds) {
    std::string options(38, '\x01');
    options[3] = '\x80';
    inputs.push_back(absl::StrCat(device_id, "\\\n", text, options));
  }
  return inputs;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2 && argc != 3) {
    std::fprintf(stderr, "usage: %s OUT_DIR [STANDARD_BUNDLE]\n", argv[0]);
    return 2;
  }
  const std::filesystem::path out = argv[1];
  const std::filesystem::path images = out / "gpu_image";
  std::filesystem::create_directories(images);

  const Bytes code_object = CodeObject();
  const absl::StatusOr<hal::gpu::CodeObjectMetadata> read = hal::gpu::ReadCodeObject(code_object);
  if (!read.ok()) {
    std::fprintf(stderr, "the seed code object does not read back: %s\n",
                 read.status().ToString().c_str());
    return 1;
  }
  bool written = Write(images / "code-object", code_object) &&
                 Write(images / "offload-bundle", OffloadBundle(code_object)) &&
                 Write(images / "metadata", Metadata());
  if (argc == 3) {
    absl::StatusOr<hal::KernelBundle> bundle = hal::KernelBundle::ReadFile(argv[2]);
    if (!bundle.ok()) {
      std::fprintf(stderr, "%s: %s\n", argv[2], bundle.status().ToString().c_str());
      return 1;
    }
    for (const hal::KernelImage& image : bundle->images()) {
      if (!absl::StartsWith(image.format, "hsaco:") && !absl::StartsWith(image.format, "cubin:")) {
        continue;
      }
      std::string name = image.kernel_name.empty() ? image.format
                                                   : absl::StrCat(image.format, "-", image.kernel_name);
      std::replace(name.begin(), name.end(), ':', '-');
      written = written && Write(images / name, image.data);
    }
  }
  written = written &&
            WriteText(out / "slurm_spec",
                      {"mem=4GiB,share=0.5,vendor=NVIDIA,format=spirv-vulkan,priority=1",
                       "mem=1\nendpoint=unix:/run/hal/hald.sock\ntimeout=10\ndefaults=share=0.5",
                       "prefer=AMD\nendpoint=tcp://[::1]:5555\ndefaults=mem=16M,priority=-3",
                       "mem=2T,share=1e-3\nendpoint=tcp://node-1.example:0"}) &&
            WriteText(out / "slice_id", SliceIdSeeds({{"vulkan:0", "vulkan-0-s3"},
                                                      {"cuda:1", "kubernetes hal.dev/cuda-1 slices 3-5,9"},
                                                      {"vulkan:0", "0-2,7,9-15"},
                                                      {"remote:0", "kubernetes hal.dev/remote-0 slices 0"}}));
  if (!written) {
    std::fprintf(stderr, "cannot write the seeds under %s\n", out.c_str());
    return 1;
  }
  return 0;
}
