// clang and wasm-ld inside this process (see in_process_tools.h). run_clang is what clang's
// own driver does for a single compile: it builds the driver's job list from the command
// line, and runs the one cc1 job in this process, as clang does with its integrated cc1.
#include "in_process_tools.h"

#include <cstdlib>
#include <memory>

#include <clang/Basic/Diagnostic.h>
#include <clang/Basic/DiagnosticOptions.h>
#include <clang/Driver/Compilation.h>
#include <clang/Driver/Driver.h>
#include <clang/Driver/Job.h>
#include <clang/Driver/Tool.h>
#include <clang/Frontend/CompilerInstance.h>
#include <clang/Frontend/CompilerInvocation.h>
#include <clang/Frontend/TextDiagnosticPrinter.h>
#include <clang/FrontendTool/Utils.h>
#include <lld/Common/Driver.h>
#include <llvm/Demangle/Demangle.h>
#include <llvm/Support/BuryPointer.h>
#include <llvm/Support/CommandLine.h>
#include <llvm/Support/TargetSelect.h>
#include <llvm/Support/TimeProfiler.h>
#include <llvm/Support/raw_ostream.h>
#include <llvm/TargetParser/Host.h>

LLD_HAS_DRIVER(wasm)

namespace hotswap::compiler {
namespace {

std::vector<const char*> pointers_to(const std::vector<std::string>& arguments) {
  std::vector<const char*> pointers;
  pointers.reserve(arguments.size());
  for (const std::string& argument : arguments) pointers.push_back(argument.c_str());
  return pointers;
}

// cc1 in this process, as clang's cc1_main does it (time trace included: -ftime-trace is
// how a compile's time is taken apart, docs/BENCHMARKS.md).
bool run_cc1(const llvm::opt::ArgStringList& cc1_arguments, const char* program, clang::DiagnosticsEngine& driver_diagnostics) {
  auto instance = std::make_unique<clang::CompilerInstance>();
  const bool parsed = clang::CompilerInvocation::CreateFromArgs(instance->getInvocation(), cc1_arguments, driver_diagnostics, program);
  instance->createDiagnostics();
  if (!parsed) return false;
  const clang::FrontendOptions& options = instance->getFrontendOpts();
  const bool tracing = !options.TimeTracePath.empty();
  if (tracing) llvm::timeTraceProfilerInitialize(options.TimeTraceGranularity, program);
  const bool succeeded = clang::ExecuteCompilerInvocation(instance.get());
  if (tracing) {
    if (llvm::Error error = llvm::timeTraceProfilerWrite(options.TimeTracePath, options.OutputFile)) {
      llvm::errs() << "hotswap compile server: cannot write the time trace: " << llvm::toString(std::move(error)) << "\n";
    }
    llvm::timeTraceProfilerCleanup();
  }
  // As cc1_main: with -disable-free (the driver's default) the compile's memory is never
  // given back. The child exits next; freeing the AST and the PCH reader cost it ~4%.
  if (options.DisableFree) llvm::BuryPointer(std::move(instance));
  return succeeded;
}

}  // namespace

void prepare_tools() {
  llvm::InitializeAllTargetInfos();
  llvm::InitializeAllTargets();
  llvm::InitializeAllTargetMCs();
  llvm::InitializeAllAsmPrinters();
  llvm::InitializeAllAsmParsers();
}

int run_clang(const std::vector<std::string>& arguments) {
  if (arguments.empty()) return 1;
  // -mllvm options are parsed into LLVM's global option table by every compile. The server
  // never parses any, so each child starts from a table that counted none: resetting it here
  // would only copy every page of options into the child (~165 page faults a compile).
  const std::vector<const char*> argv = pointers_to(arguments);
  llvm::IntrusiveRefCntPtr<clang::DiagnosticOptions> diagnostic_options = new clang::DiagnosticOptions();
  auto* printer = new clang::TextDiagnosticPrinter(llvm::errs(), &*diagnostic_options);
  llvm::IntrusiveRefCntPtr<clang::DiagnosticIDs> ids(new clang::DiagnosticIDs());
  clang::DiagnosticsEngine diagnostics(ids, &*diagnostic_options, printer);
  clang::driver::Driver driver(argv[0], llvm::sys::getDefaultTargetTriple(), diagnostics);
  std::unique_ptr<clang::driver::Compilation> compilation(driver.BuildCompilation(argv));
  if (!compilation || compilation->containsError()) return 1;
  int status = 0;
  for (const clang::driver::Command& job : compilation->getJobs()) {
    if (std::string(job.getCreator().getName()) != "clang") {
      llvm::errs() << "hotswap compile server: the command needs " << job.getCreator().getName()
                   << ", which only clang's own driver runs: give one source and -c\n";
      return 1;
    }
    if (!run_cc1(job.getArguments(), argv[0], diagnostics)) status = 1;
  }
  return diagnostics.hasErrorOccurred() ? 1 : status;
}

int run_wasm_ld(const std::vector<std::string>& arguments) {
  const std::vector<const char*> argv = pointers_to(arguments);
  const lld::Result result = lld::lldMain(argv, llvm::outs(), llvm::errs(), {{lld::Wasm, &lld::wasm::link}});
  return result.retCode;
}

std::string demangle(const std::string& name) { return llvm::demangle(name); }

namespace {

// "raytracer::Box<int, 3>::Inner<float>" -> "raytracer::Box::Inner" (what is between
// balanced angle brackets goes; "operator<" and the like are base names, never contexts).
std::string without_template_arguments(const char* text) {
  std::string kept;
  int depth = 0;
  for (const char* character = text; *character != '\0'; ++character) {
    if (*character == '<') ++depth;
    if (depth == 0) kept += *character;
    if (*character == '>' && depth > 0) --depth;
  }
  return kept;
}

}  // namespace

std::string declared_name(const std::string& mangled) {
  llvm::ItaniumPartialDemangler demangler;
  if (demangler.partialDemangle(mangled.c_str()) || !demangler.isFunction()) return "";
  char* context = demangler.getFunctionDeclContextName(nullptr, nullptr);
  char* base = demangler.getFunctionBaseName(nullptr, nullptr);
  std::string name;
  if (base != nullptr) {
    const std::string scope = context != nullptr ? without_template_arguments(context) : std::string();
    name = (scope.empty() ? std::string() : scope + "::") + base;
  }
  std::free(context);
  std::free(base);
  return name;
}

}  // namespace hotswap::compiler
