// The test program's hot functions: always called through hotswap::call.
#pragma once

int hot_value(int x);
int hot_scale(int x);
int hot_calls_since_load();
extern "C" int hot_c_function(int x);
extern int hot_calls;
