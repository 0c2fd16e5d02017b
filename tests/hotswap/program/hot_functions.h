// The test program's functions that the tests patch (called as plain functions).
#pragma once

int hot_value(int x);
int hot_scale(int x);
int hot_calls_since_load();
int hot_checked(int x);  // compiled with exceptions: throws and catches for odd x
extern "C" int hot_c_function(int x);
extern int hot_calls;

// A class with a virtual function defined in hot_scale.cpp: the program calls it through a
// base pointer made before any patch (a vtable in the program's data).
struct HotShape {
  virtual ~HotShape() = default;
  virtual int area(int x) const;
};

// hot_thread_local.cpp: a per-thread call counter kept in thread-locals of the program (a
// patch of that file keeps using each thread's copies). thread_calls is read by unpatched
// code as well.
int hot_count_on_this_thread();
int hot_calls_here_on_this_thread();
extern thread_local int thread_calls;
extern thread_local int thread_seed;  // dynamically initialised (from 5); counts calls too
