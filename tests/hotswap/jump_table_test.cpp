// The jump table: calls go to the original until redirected, then to the replacement,
// per thread.
#include <gtest/gtest.h>

#include <thread>

#include "detail/jump_table.h"
#include "hotswap.h"

namespace {
int original_function(int x) { return x + 1; }
int replacement_function(int x) { return x * 10; }

std::uintptr_t address(int (*function)(int)) { return reinterpret_cast<std::uintptr_t>(function); }

class JumpTableTest : public ::testing::Test {
 protected:
  void TearDown() override { hotswap::detail::this_thread_jump_table().clear(); }
};

TEST_F(JumpTableTest, CallRunsTheOriginalWhenNothingIsRedirected) {
  EXPECT_EQ(hotswap::call(&original_function, 4), 5);
}

TEST_F(JumpTableTest, CallRunsTheReplacementAfterARedirect) {
  ASSERT_TRUE(hotswap::detail::this_thread_jump_table().redirect(address(&original_function),
                                                                 address(&replacement_function)));
  EXPECT_EQ(hotswap::call(&original_function, 4), 40);
}

TEST_F(JumpTableTest, RedirectingTheSameFunctionAgainReplacesTheTarget) {
  auto& table = hotswap::detail::this_thread_jump_table();
  table.redirect(address(&original_function), address(&replacement_function));
  table.redirect(address(&original_function), address(&original_function));  // a revert
  EXPECT_EQ(table.size(), 1);
  EXPECT_EQ(hotswap::call(&original_function, 4), 5);
}

TEST_F(JumpTableTest, RedirectsAreLocalToTheThreadThatMadeThem) {
  hotswap::detail::this_thread_jump_table().redirect(address(&original_function), address(&replacement_function));
  int other_thread_result = 0;
  std::thread([&] { other_thread_result = hotswap::call(&original_function, 4); }).join();
  EXPECT_EQ(other_thread_result, 5);
  EXPECT_EQ(hotswap::call(&original_function, 4), 40);
}

TEST_F(JumpTableTest, AFullTableRefusesANewRedirectButStillUpdatesOldOnes) {
  auto& table = hotswap::detail::this_thread_jump_table();
  for (int i = 0; i < hotswap::detail::JumpTable::kMaximumEntries; ++i) ASSERT_TRUE(table.redirect(1000 + i, 1));
  EXPECT_FALSE(table.redirect(5, 6));
  EXPECT_TRUE(table.redirect(1000, 2));  // an existing entry can still change
  EXPECT_EQ(table.find(1000), 2u);
}

TEST_F(JumpTableTest, ManyRedirectsAreAllFoundAndOthersAreNot) {
  auto& table = hotswap::detail::this_thread_jump_table();
  for (std::uintptr_t i = 1; i <= 3000; ++i) ASSERT_TRUE(table.redirect(i * 7, i * 7 + 1));
  for (std::uintptr_t i = 1; i <= 3000; ++i) ASSERT_EQ(table.find(i * 7), i * 7 + 1) << "function " << i * 7;
  for (std::uintptr_t i = 1; i <= 3000; ++i) ASSERT_FALSE(table.find(i * 7 + 3).has_value());
  EXPECT_EQ(table.resolve(12345678), 12345678u);
}
}  // namespace
