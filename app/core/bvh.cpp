// Bvh construction: binned SAH. Every step is plain float arithmetic in a fixed order and
// the partition is stable, so the tree (and hence the image) is the same natively and in
// WebAssembly, whatever the standard library.
#include "core/bvh.h"

#include <algorithm>
#include <array>
#include <numeric>

#include "core/check.h"

namespace raytracer {
namespace {
constexpr int kBinCount = 16;
// Leaves never hold more than this; below it the SAH decides whether splitting pays.
constexpr std::uint32_t kMaximumLeafSize = 8;
// Cost of visiting a node, relative to one primitive test.
constexpr float kTraversalCost = 1.0f;

struct Bin {
  Aabb box;
  std::uint32_t count = 0;
};

struct Split {
  int axis = -1;  // -1: no split found (all centres coincide)
  int bin = 0;    // primitives in bins [0, bin) go left
  float cost = std::numeric_limits<float>::infinity();
};

// Which of kBinCount bins along `axis` holds a centre; used by both the cost sweep and the
// partition, so they agree exactly.
int bin_of(const glm::vec3& center, int axis, float lowest, float scale) {
  const int bin = static_cast<int>((center[axis] - lowest) * scale);
  return std::min(bin, kBinCount - 1);
}

Split best_split(std::span<const std::uint32_t> primitives, std::span<const Aabb> primitive_bounds,
                 std::span<const glm::vec3> centers, const Aabb& center_box) {
  Split best;
  for (int axis = 0; axis < 3; ++axis) {
    const float lowest = center_box.minimum[axis];
    const float extent = center_box.maximum[axis] - lowest;
    if (!(extent > 0.0f)) continue;
    const float scale = static_cast<float>(kBinCount) / extent;

    std::array<Bin, kBinCount> bins{};
    for (const std::uint32_t primitive : primitives) {
      Bin& bin = bins[bin_of(centers[primitive], axis, lowest, scale)];
      bin.box.grow(primitive_bounds[primitive]);
      ++bin.count;
    }
    // Sweep from the right, then from the left, pricing each of the kBinCount - 1 planes.
    std::array<float, kBinCount> right_cost{};
    Aabb right_box;
    std::uint32_t right_count = 0;
    for (int plane = kBinCount - 1; plane > 0; --plane) {
      right_box.grow(bins[plane].box);
      right_count += bins[plane].count;
      right_cost[plane] = static_cast<float>(right_count) * right_box.half_area();
    }
    Aabb left_box;
    std::uint32_t left_count = 0;
    for (int plane = 1; plane < kBinCount; ++plane) {
      left_box.grow(bins[plane - 1].box);
      left_count += bins[plane - 1].count;
      if (left_count == 0 || left_count == primitives.size()) continue;
      const float cost = static_cast<float>(left_count) * left_box.half_area() + right_cost[plane];
      if (cost < best.cost) best = {axis, plane, cost};
    }
  }
  return best;
}
}  // namespace

Bvh::Bvh(std::span<const Aabb> primitive_bounds) {
  const auto primitive_count = static_cast<std::uint32_t>(primitive_bounds.size());
  if (primitive_count == 0) return;
  primitive_order_.resize(primitive_count);
  std::iota(primitive_order_.begin(), primitive_order_.end(), 0u);
  std::vector<glm::vec3> centers(primitive_count);
  for (std::uint32_t i = 0; i < primitive_count; ++i) centers[i] = primitive_bounds[i].center();

  nodes_.reserve(2 * std::size_t{primitive_count});  // a binary tree with n leaves at most has 2n - 1 nodes
  nodes_.push_back({glm::vec3(0.0f), 0, glm::vec3(0.0f), primitive_count});
  subdivide(0, primitive_bounds, centers, 1);
  nodes_.shrink_to_fit();
}

void Bvh::subdivide(std::uint32_t node_index, std::span<const Aabb> primitive_bounds,
                    std::span<const glm::vec3> centers, int depth) {
  const std::uint32_t first = nodes_[node_index].first;
  const std::uint32_t count = nodes_[node_index].count;
  const std::span<std::uint32_t> primitives(primitive_order_.data() + first, count);

  Aabb node_box;
  Aabb center_box;
  for (const std::uint32_t primitive : primitives) {
    node_box.grow(primitive_bounds[primitive]);
    center_box.grow(centers[primitive]);
  }
  nodes_[node_index].bounds_minimum = node_box.minimum;
  nodes_[node_index].bounds_maximum = node_box.maximum;
  // The traversal stack holds one deferred node per level, kMaximumDepth in all.
  if (count <= 1 || depth >= kMaximumDepth) return;

  const Split split = best_split(primitives, primitive_bounds, centers, center_box);
  const float leaf_cost = static_cast<float>(count) * node_box.half_area();
  const float split_cost = kTraversalCost * node_box.half_area() + split.cost;
  if (count <= kMaximumLeafSize && (split.axis < 0 || split_cost >= leaf_cost)) return;

  std::uint32_t left_count = count / 2;  // when every centre coincides: any halving will do
  if (split.axis >= 0) {
    const float lowest = center_box.minimum[split.axis];
    const float scale = static_cast<float>(kBinCount) / (center_box.maximum[split.axis] - lowest);
    const auto goes_left = [&](std::uint32_t primitive) {
      return bin_of(centers[primitive], split.axis, lowest, scale) < split.bin;
    };
    const auto middle = std::stable_partition(primitives.begin(), primitives.end(), goes_left);
    left_count = static_cast<std::uint32_t>(middle - primitives.begin());
  }
  RT_CHECK(left_count > 0 && left_count < count);

  const auto left_child = static_cast<std::uint32_t>(nodes_.size());
  nodes_.push_back({glm::vec3(0.0f), first, glm::vec3(0.0f), left_count});
  nodes_.push_back({glm::vec3(0.0f), first + left_count, glm::vec3(0.0f), count - left_count});
  nodes_[node_index].first = left_child;
  nodes_[node_index].count = 0;
  subdivide(left_child, primitive_bounds, centers, depth + 1);
  subdivide(left_child + 1, primitive_bounds, centers, depth + 1);
}

}  // namespace raytracer
