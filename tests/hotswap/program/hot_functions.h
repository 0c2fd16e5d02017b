// The test program's functions that the tests patch (called as plain functions).
#pragma once

int hot_value(int x);
int hot_scale(int x);
int hot_calls_since_load();
extern "C" int hot_c_function(int x);
extern int hot_calls;
