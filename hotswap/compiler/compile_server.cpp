// hotswap_compile_server: the patch builder's compiler and linker, kept loaded between
// saves. A patch of one small source used to spend about a quarter of its compile and most
// of its link starting clang and wasm-ld, programs that load ~100 MB of shared LLVM
// libraries each time (docs/ARCHITECTURE.md, "Flow of a patch"). This process loads them
// once; each request then runs in a child forked from it, so every compile starts warm,
// from the same clean state, and a compiler crash takes down only that child.
//
// Protocol: one JSON object a line on standard input, one answer a line on standard output,
// in the order the children finish (answers carry the request's id). Requests:
//   {"id": N, "tool": "clang" | "wasm-ld", "arguments": [program, ...], "directory": "/abs",
//    "environment": {"NAME": "value"}, "background": false}
//     -> {"id": N, "exit_code": C, "stdout": "...", "stderr": "...", "milliseconds": M, "cpu_milliseconds": T}
//        (M: wall time from the request to the end; T: the child's processor time, user and
//        system: what the work itself cost, whatever else the machine was doing)
//   {"id": N, "tool": "demangle", "names": ["_Z3foov", ...]}  -> {"id": N, "names": ["foo()", ...]}
//   {"id": N, "tool": "declared_names", "names": [...]}  -> {"id": N, "names": [...]} (in_process_tools.h)
//   {"id": N, "tool": "hold_background", "held": true | false}  -> {"id": N, "held": true | false}
// A background request (a precompiled preamble or a use set, for a later save) is paused
// (SIGSTOP) while any other request runs, and while the client holds background work (a
// save's build, from its start to its end: its steps outside the tools too), and resumed
// when neither is so: the save in hand gets every core. It runs at the normal priority
// otherwise (a lower one starves behind the page's render workers). A malformed request gets
// {"id": N or null, "error": "what was wrong"}.
// End of input stops the server: children still running are killed. A child also dies with
// the server if the server is killed (a stopped background child would otherwise wait for
// ever).
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "in_process_tools.h"

namespace hotswap::compiler {
namespace {

using Clock = std::chrono::steady_clock;

struct RunningChild {
  nlohmann::json id;
  int output_fd;  // memfds the child's standard output and error went to
  int error_fd;
  Clock::time_point started;
  bool background = false;  // paused while a foreground child runs
  bool paused = false;
};

std::string read_all(int fd) {
  std::string text;
  char buffer[65536];
  off_t offset = 0;
  for (;;) {
    const ssize_t count = pread(fd, buffer, sizeof buffer, offset);
    if (count <= 0) break;
    text.append(buffer, static_cast<std::size_t>(count));
    offset += count;
  }
  return text;
}

// A request's text field, or "" when it has none (or not as text).
std::string text_field(const nlohmann::json& request, const char* name) {
  const auto found = request.find(name);
  return found != request.end() && found->is_string() ? found->get<std::string>() : std::string();
}

bool flag_field(const nlohmann::json& request, const char* name) {
  const auto found = request.find(name);
  return found != request.end() && found->is_boolean() && found->get<bool>();
}

void answer(const nlohmann::json& message) {
  // Compiler output need not be UTF-8 (a source's bytes quoted in a diagnostic): replace.
  std::cout << message.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << '\n' << std::flush;
}

// Runs in the forked child: never returns.
[[noreturn]] void run_child(const nlohmann::json& request, int output_fd, int error_fd, const sigset_t& original_mask,
                            pid_t server) {
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (getppid() != server) _exit(1);  // the server died before the line above
  sigprocmask(SIG_SETMASK, &original_mask, nullptr);
  dup2(output_fd, STDOUT_FILENO);
  dup2(error_fd, STDERR_FILENO);
  const std::string directory = text_field(request, "directory");
  if (!directory.empty() && chdir(directory.c_str()) != 0) {
    std::fprintf(stderr, "hotswap compile server: cannot enter %s: %s\n", directory.c_str(), std::strerror(errno));
    _exit(1);
  }
  const auto environment = request.find("environment");
  if (environment != request.end() && environment->is_object()) {
    for (const auto& [name, value] : environment->items()) {
      if (value.is_string()) setenv(name.c_str(), value.get<std::string>().c_str(), 1);
    }
  }
  const auto arguments = request["arguments"].get<std::vector<std::string>>();
  const int code = request["tool"] == "wasm-ld" ? run_wasm_ld(arguments) : run_clang(arguments);
  std::fflush(nullptr);
  _exit(code);
}

class Server {
 public:
  Server() {
    sigset_t child_signal;
    sigemptyset(&child_signal);
    sigaddset(&child_signal, SIGCHLD);
    sigprocmask(SIG_BLOCK, &child_signal, &original_mask_);
    child_signals_ = signalfd(-1, &child_signal, SFD_CLOEXEC | SFD_NONBLOCK);
  }

  int serve() {
    std::string pending;
    bool input_open = true;
    while (input_open || !children_.empty()) {
      if (!input_open) {  // the builder went away: nothing will read the answers
        for (const auto& [pid, child] : children_) kill(pid, SIGKILL);
      }
      pollfd watched[2] = {{child_signals_, POLLIN, 0}, {STDIN_FILENO, static_cast<short>(input_open ? POLLIN : 0), 0}};
      if (poll(watched, 2, -1) < 0 && errno != EINTR) return 1;
      if (watched[0].revents & POLLIN) reap_children();
      if (input_open && (watched[1].revents & (POLLIN | POLLHUP))) {
        char buffer[65536];
        const ssize_t count = read(STDIN_FILENO, buffer, sizeof buffer);
        if (count <= 0) {
          input_open = false;
          continue;
        }
        pending.append(buffer, static_cast<std::size_t>(count));
        for (std::size_t end; (end = pending.find('\n')) != std::string::npos;) {
          const std::string line = pending.substr(0, end);
          pending.erase(0, end + 1);
          if (!line.empty()) handle(line);
        }
      }
    }
    return 0;
  }

 private:
  void handle(const std::string& line) {
    nlohmann::json request = nlohmann::json::parse(line, nullptr, false);
    if (request.is_discarded() || !request.is_object()) return answer({{"id", nullptr}, {"error", "a request must be one JSON object a line"}});
    const auto found_id = request.find("id");
    const nlohmann::json id = found_id != request.end() ? *found_id : nlohmann::json();
    const std::string tool = text_field(request, "tool");
    if (tool == "demangle" || tool == "declared_names") {
      if (!request.contains("names") || !request["names"].is_array()) return answer({{"id", id}, {"error", tool + " needs \"names\": [...]"}});
      const auto convert = tool == "demangle" ? demangle : declared_name;
      nlohmann::json names = nlohmann::json::array();
      for (const auto& name : request["names"]) names.push_back(name.is_string() ? convert(name.get<std::string>()) : std::string());
      return answer({{"id", id}, {"names", names}});
    }
    if (tool == "hold_background") {
      const auto held = request.find("held");
      if (held == request.end() || !held->is_boolean()) return answer({{"id", id}, {"error", "hold_background needs \"held\": true or false"}});
      background_held_ = held->get<bool>();
      pause_or_resume_background();
      return answer({{"id", id}, {"held", background_held_}});
    }
    if (tool != "clang" && tool != "wasm-ld") {
      return answer({{"id", id}, {"error", "unknown tool \"" + tool + "\" (clang, wasm-ld, demangle, declared_names, hold_background)"}});
    }
    if (!request.contains("arguments") || !request["arguments"].is_array() || request["arguments"].empty()) {
      return answer({{"id", id}, {"error", "\"arguments\" must be a non-empty array of strings"}});
    }
    for (const auto& argument : request["arguments"]) {
      if (!argument.is_string()) return answer({{"id", id}, {"error", "\"arguments\" must be a non-empty array of strings"}});
    }
    const int output_fd = memfd_create("stdout", MFD_CLOEXEC);
    const int error_fd = memfd_create("stderr", MFD_CLOEXEC);
    const pid_t server = getpid();
    const pid_t pid = fork();
    if (pid < 0) {
      close(output_fd);
      close(error_fd);
      return answer({{"id", id}, {"error", std::string("fork failed: ") + std::strerror(errno)}});
    }
    if (pid == 0) run_child(request, output_fd, error_fd, original_mask_, server);
    children_[pid] = RunningChild{id, output_fd, error_fd, Clock::now(), flag_field(request, "background")};
    pause_or_resume_background();
  }

  // Stops every background child while a foreground one runs or the client holds background
  // work; continues them once neither is so.
  void pause_or_resume_background() {
    bool pause = background_held_;
    for (const auto& [pid, child] : children_) pause = pause || !child.background;
    for (auto& [pid, child] : children_) {
      if (child.background && child.paused != pause && kill(pid, pause ? SIGSTOP : SIGCONT) == 0) {
        child.paused = pause;
      }
    }
  }

  void reap_children() {
    signalfd_siginfo information;
    while (read(child_signals_, &information, sizeof information) > 0) {
    }
    int status = 0;
    rusage usage{};
    for (pid_t pid; (pid = wait4(-1, &status, WNOHANG, &usage)) > 0;) {
      auto found = children_.find(pid);
      if (found == children_.end()) continue;
      RunningChild child = found->second;
      children_.erase(found);
      int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      std::string error_text = read_all(child.error_fd);
      if (WIFSIGNALED(status)) {
        error_text += "hotswap compile server: the tool crashed (signal " + std::to_string(WTERMSIG(status)) + ": " +
                      strsignal(WTERMSIG(status)) + ")\n";
      }
      const double milliseconds = std::chrono::duration<double, std::milli>(Clock::now() - child.started).count();
      const auto to_milliseconds = [](const timeval& time) { return time.tv_sec * 1000.0 + time.tv_usec / 1000.0; };
      answer({{"id", child.id}, {"exit_code", code}, {"stdout", read_all(child.output_fd)}, {"stderr", error_text},
              {"milliseconds", milliseconds}, {"cpu_milliseconds", to_milliseconds(usage.ru_utime) + to_milliseconds(usage.ru_stime)}});
      close(child.output_fd);
      close(child.error_fd);
    }
    pause_or_resume_background();
  }

  sigset_t original_mask_;
  int child_signals_ = -1;
  std::map<pid_t, RunningChild> children_;
  bool background_held_ = false;  // hold_background: a save's build is under way
};

}  // namespace
}  // namespace hotswap::compiler

int main(int argc, char** argv) {
  if (argc > 1) {
    std::cerr << "usage: " << argv[0] << " (requests on standard input; see the top of compile_server.cpp)\n";
    return 2;
  }
  hotswap::compiler::prepare_tools();
  std::cout << nlohmann::json({{"ready", true}, {"pid", getpid()}}).dump() << '\n' << std::flush;
  return hotswap::compiler::Server().serve();
}
