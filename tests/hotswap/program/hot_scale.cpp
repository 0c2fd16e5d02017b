// A second hot file, for patches that edit another file than hot_value.cpp.
#include "hot_functions.h"

int hot_scale(int x) { return x * 3; }  // EDIT: scale
