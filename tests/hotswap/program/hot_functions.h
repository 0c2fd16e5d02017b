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
