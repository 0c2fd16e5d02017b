// The thread count does not change a single bit of the image: 1, 2 and 5 threads (with
// tiles handed out in whatever order the threads race for them) give identical sums.
#include <gtest/gtest.h>

#include <cstring>

#include "native/parallel_renderer.h"
#include "raytracer.h"
#include "support/test_files.h"

namespace raytracer {
namespace {

AccumulationBuffer render_with_threads(const LoadedScene& loaded, const FrameSettings& settings, int thread_count) {
  AccumulationBuffer accumulation(settings.width, settings.height);
  render_parallel(loaded.scene, loaded.camera, settings, {thread_count, 8}, 0, 4, accumulation);
  return accumulation;
}

bool bitwise_equal(const AccumulationBuffer& a, const AccumulationBuffer& b) {
  return a.pixels().size() == b.pixels().size() &&
         std::memcmp(a.pixels().data(), b.pixels().data(), a.pixels().size_bytes()) == 0;
}

TEST(ThreadCount, OneTwoAndFiveThreadsGiveIdenticalImages) {
  for (const char* scene : {"sphere_field.json", "cornell_box.json"}) {
    const LoadedScene loaded = load_scene_file(testing::scene_file(scene));
    FrameSettings settings;
    settings.width = 80;
    settings.height = 45;
    const AccumulationBuffer one_thread = render_with_threads(loaded, settings, 1);
    EXPECT_TRUE(bitwise_equal(one_thread, render_with_threads(loaded, settings, 2))) << scene;
    EXPECT_TRUE(bitwise_equal(one_thread, render_with_threads(loaded, settings, 5))) << scene;
    EXPECT_EQ(resolve_image(one_thread, 4), resolve_image(render_with_threads(loaded, settings, 5), 4)) << scene;
  }
}

}  // namespace
}  // namespace raytracer
