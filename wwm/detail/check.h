// WWM_CHECK: a broken internal assumption of the worker manager. Prints the expression,
// where it failed and the values involved, then aborts: continuing would corrupt state
// other threads share. (Bad input never goes here: it goes to wwm::report_error.)
#pragma once

#include <cstdio>
#include <cstdlib>

#define WWM_CHECK(condition, ...)                                                          \
  do {                                                                                     \
    if (!(condition)) {                                                                    \
      std::fprintf(stderr, "wwm: internal check failed: %s at %s:%d: ", #condition, __FILE__, \
                   __LINE__);                                                              \
      std::fprintf(stderr, __VA_ARGS__);                                                   \
      std::fputc('\n', stderr);                                                            \
      std::abort();                                                                        \
    }                                                                                      \
  } while (false)
