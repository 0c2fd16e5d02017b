// An inline helper in a header, used by hot_value.cpp: edits to it must reach the patch.
#pragma once

inline int scale_for_hot_value(int x) { return x * 2; }
