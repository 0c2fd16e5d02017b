// Thread-locals of the program, each thread with its own copy, and the function the tests
// edit: a patch of this file must keep using the program's copies, on every thread, as the
// code it does not touch does. Tests edit the marked lines.
#include "hot_functions.h"

thread_local int thread_calls = 0;              // external linkage: unpatched code reads it too
static thread_local int thread_calls_here = 0;  // file-local
thread_local int thread_seed = hot_c_function(4);  // initialised by a call, once per thread (5)

int hot_count_on_this_thread() {
  thread_calls_here += 1;
  thread_seed += 1;
  thread_calls += 1;  // EDIT: step
  return thread_calls;  // EDIT: result
}

int hot_calls_here_on_this_thread() { return thread_calls_here; }
