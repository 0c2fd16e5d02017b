// The compiler and linker the patch builder needs, run inside the compile server's process
// (compile_server.cpp) instead of as programs of their own: clang (its driver and cc1, from
// libclang-cpp) and wasm-ld (lld's WebAssembly port, from liblld). Same libraries, same
// arguments, so the output is byte for byte what /usr/lib/llvm-19/bin/clang++ and wasm-ld
// make; what is saved is starting a process that loads ~100 MB of shared LLVM libraries,
// about 0.1 s for each compile and each link on this machine.
#pragma once

#include <string>
#include <vector>

namespace hotswap::compiler {

// Loads what every compile needs once (target registries, option tables): a child forked
// after this starts warm.
void prepare_tools();

// `arguments` as on a command line, [0] being the program (clang++'s path: the driver finds
// its resource directory from it). Diagnostics go to standard error. Returns the exit code.
int run_clang(const std::vector<std::string>& arguments);
int run_wasm_ld(const std::vector<std::string>& arguments);

// Itanium names to readable ones ("_Z3foov" -> "foo()"); a name that is not mangled stays.
std::string demangle(const std::string& name);

// A function's name as written where it is declared, qualified, without template arguments
// or parameters: "_ZNK9raytracer3BVH9intersectIZ...EEbRKNS_3RayE" -> "raytracer::BVH::intersect",
// a constructor (any variant) "raytracer::Lights::Lights". Every instantiation of a template
// and every variant of a constructor has the same one. "" for a name that is not a mangled function.
std::string declared_name(const std::string& mangled);

}  // namespace hotswap::compiler
