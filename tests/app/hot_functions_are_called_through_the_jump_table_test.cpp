// Every hot function is reached through hotswap::call: redirecting one in the jump table (as
// a patch does) changes what the renderer produces, on this thread, and undoing the redirect
// restores the original picture.
#include <gtest/gtest.h>

#include "detail/jump_table.h"
#include "hotswap.h"
#include "native/parallel_renderer.h"
#include "raytracer.h"
#include "support/test_files.h"

namespace raytracer {
namespace {

// Replacements with the hot functions' exact signatures.
glm::vec3 red_sky(const Sky&, const Ray&) { return {4.0f, 0.0f, 0.0f}; }
std::optional<ScatteredRay> absorb_everything(const Material&, const Ray&, const SurfaceHit&, Random&) {
  return std::nullopt;
}
glm::vec3 constant_green(const Scene&, const Ray&, int, Random&) { return {0.0f, 4.0f, 0.0f}; }
void fill_with_marker(const AccumulationBuffer& accumulation, const Tile& tile, std::uint32_t,
                      std::span<std::uint8_t> rgba) {
  for (int y = tile.y0; y < tile.y1; ++y) {
    for (int x = tile.x0; x < tile.x1; ++x) {
      std::uint8_t* pixel = &rgba[(static_cast<std::size_t>(y) * accumulation.width() + x) * 4];
      pixel[0] = 1;
      pixel[1] = 2;
      pixel[2] = 3;
      pixel[3] = 4;
    }
  }
}

template <class Function>
void redirect(Function* original, Function* replacement) {
  ASSERT_TRUE(hotswap::detail::this_thread_jump_table().redirect(reinterpret_cast<std::uintptr_t>(original),
                                                                 reinterpret_cast<std::uintptr_t>(replacement)));
}

class HotFunctions : public ::testing::Test {
 protected:
  void SetUp() override {
    loaded_ = std::make_unique<LoadedScene>(load_scene_file(testing::scene_file("sphere_field.json")));
    settings_.width = 48;
    settings_.height = 27;
  }
  void TearDown() override { hotswap::detail::this_thread_jump_table().clear(); }

  // Renders on this thread (jump tables are per thread), 2 samples, as RGBA8.
  std::vector<std::uint8_t> render() const {
    AccumulationBuffer accumulation(settings_.width, settings_.height);
    std::vector<std::uint8_t> rgba(static_cast<std::size_t>(settings_.width) * settings_.height * 4);
    for (const Tile& tile : make_tiles(settings_.width, settings_.height, 16)) {
      render_tile(loaded_->scene, loaded_->camera, settings_, tile, 0, 2, accumulation);
      resolve_tile(accumulation, tile, 2, rgba);
    }
    return rgba;
  }
  const std::uint8_t* pixel(const std::vector<std::uint8_t>& rgba, int x, int y) const {
    return &rgba[(static_cast<std::size_t>(y) * settings_.width + x) * 4];
  }

  std::unique_ptr<LoadedScene> loaded_;
  FrameSettings settings_;
};

TEST_F(HotFunctions, ShadePathIsCalledThroughTheJumpTable) {
  redirect(&shade_path, &constant_green);
  const std::vector<std::uint8_t> rgba = render();
  for (std::size_t i = 0; i < rgba.size(); i += 4) {
    ASSERT_EQ(rgba[i], 0);
    ASSERT_GT(rgba[i + 1], 200);
  }
}

TEST_F(HotFunctions, SkyRadianceIsCalledThroughTheJumpTable) {
  const std::vector<std::uint8_t> before = render();
  redirect(&sky_radiance, &red_sky);
  const std::vector<std::uint8_t> after = render();
  const std::uint8_t* sky_pixel = pixel(after, 24, 0);  // the top row of the sphere field is sky
  EXPECT_GT(sky_pixel[0], 200);
  EXPECT_EQ(sky_pixel[1], 0);
  EXPECT_EQ(sky_pixel[2], 0);
  EXPECT_NE(before, after);
}

TEST_F(HotFunctions, ScatterIsCalledThroughTheJumpTable) {
  const std::vector<std::uint8_t> before = render();
  redirect(&scatter, &absorb_everything);
  const std::vector<std::uint8_t> after = render();
  // The centre is the big glass sphere: glass takes no light samples (light sampling leaves
  // it to scatter), so with nothing scattered it only shows its (zero) emission.
  const std::uint8_t* glass_pixel = pixel(after, 24, 13);
  EXPECT_EQ(glass_pixel[0], 0);
  EXPECT_EQ(glass_pixel[1], 0);
  EXPECT_EQ(glass_pixel[2], 0);
  EXPECT_NE(before, after);
}

TEST_F(HotFunctions, ToneMapTileIsCalledThroughTheJumpTable) {
  redirect(&tone_map_tile, &fill_with_marker);
  const std::vector<std::uint8_t> rgba = render();
  for (std::size_t i = 0; i < rgba.size(); i += 4) ASSERT_EQ(rgba[i + 3], 4);
}

TEST_F(HotFunctions, UndoingTheRedirectRestoresThePicture) {
  const std::vector<std::uint8_t> original = render();
  redirect(&sky_radiance, &red_sky);
  ASSERT_NE(render(), original);
  redirect(&sky_radiance, &sky_radiance);
  EXPECT_EQ(render(), original);
}

TEST_F(HotFunctions, RedirectsOnOneThreadDoNotReachOtherThreads) {
  AccumulationBuffer reference(settings_.width, settings_.height);
  render_parallel(loaded_->scene, loaded_->camera, settings_, {2, 16}, 0, 2, reference);
  redirect(&sky_radiance, &red_sky);
  AccumulationBuffer with_redirect_here(settings_.width, settings_.height);
  render_parallel(loaded_->scene, loaded_->camera, settings_, {2, 16}, 0, 2, with_redirect_here);
  EXPECT_EQ(resolve_image(reference, 2), resolve_image(with_redirect_here, 2));
}

}  // namespace
}  // namespace raytracer
