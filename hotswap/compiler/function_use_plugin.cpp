// An LLVM pass plugin for clang (-fpass-plugin=): writes the *use set* of the source being
// compiled, every function the front end emitted a definition of, before any LLVM pass runs
// (nothing is inlined away yet), one linker name a line, to the file named by the
// environment variable HOTSWAP_FUNCTION_USE_OUTPUT (nothing when it is unset).
//
// Why: a header edit that changes an inline function's body need only compile the sources
// whose code can contain that function (hotswap/tools/header_edits.py). Getting the set
// used to take a front-end run of its own per source; as a plugin of the compile that makes
// the object anyway (the program's build and every patch compile) it costs nothing. The pass
// reads the module and changes nothing, so the object is byte for byte what clang makes
// without it.
#include <cstdlib>
#include <string>
#include <vector>
#include <algorithm>

#include <llvm/IR/Module.h>
#include <llvm/IR/PassManager.h>
#include <llvm/Passes/PassBuilder.h>
#include <llvm/Passes/PassPlugin.h>
#include <llvm/Support/FileSystem.h>
#include <llvm/Support/raw_ostream.h>

namespace {

constexpr const char* kOutputVariable = "HOTSWAP_FUNCTION_USE_OUTPUT";

class RecordFunctionUse : public llvm::PassInfoMixin<RecordFunctionUse> {
 public:
  llvm::PreservedAnalyses run(llvm::Module& module, llvm::ModuleAnalysisManager&) {
    const char* output = std::getenv(kOutputVariable);
    if (output == nullptr || *output == '\0') return llvm::PreservedAnalyses::all();
    std::vector<std::string> names;
    for (const llvm::Function& function : module) {
      if (!function.isDeclaration()) names.push_back(function.getName().str());
    }
    std::sort(names.begin(), names.end());
    // Written whole to a temporary name and renamed: a reader never sees half a set.
    const std::string partial = std::string(output) + ".partial";
    std::error_code error;
    {
      llvm::raw_fd_ostream file(partial, error, llvm::sys::fs::OF_Text);
      if (error) return llvm::PreservedAnalyses::all();  // no set: the builder treats the source as using everything
      for (const std::string& name : names) file << name << '\n';
    }
    llvm::sys::fs::rename(partial, output);
    return llvm::PreservedAnalyses::all();
  }
  static bool isRequired() { return true; }  // also at -O0, and never skipped
};

}  // namespace

extern "C" LLVM_ATTRIBUTE_WEAK llvm::PassPluginLibraryInfo llvmGetPassPluginInfo() {
  return {LLVM_PLUGIN_API_VERSION, "hotswap-function-use", "1", [](llvm::PassBuilder& builder) {
            builder.registerPipelineStartEPCallback(
                [](llvm::ModulePassManager& passes, llvm::OptimizationLevel) { passes.addPass(RecordFunctionUse()); });
          }};
}
