// A second patched file, for patches that edit another file than hot_value.cpp.
#include "hot_functions.h"

int hot_scale(int x) { return x * 3; }  // EDIT: scale

int HotShape::area(int x) const { return x * 10; }  // EDIT: area
