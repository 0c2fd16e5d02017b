// Bvh: a bounding volume hierarchy over any kind of primitive, built with binned SAH (the
// surface area heuristic evaluated at a few bin boundaries per axis) and traversed without
// recursion, nearer child first. It knows primitives only by their boxes: the scene hands
// in one box per primitive, reorders its primitives by primitive_order() so every leaf
// covers a contiguous range, and supplies the exact intersection test at traversal time as
// a template argument (inlined: no virtual call per intersection).
#pragma once

#include <cstdint>
#include <limits>
#include <span>
#include <utility>
#include <vector>

#include <glm/vec3.hpp>

#include "core/aabb.h"
#include "core/ray.h"

namespace raytracer {

// 32 bytes: two nodes share a cache line.
struct BvhNode {
  glm::vec3 bounds_minimum;  // the box around everything below this node
  std::uint32_t first;       // interior: index of the first child (the second follows it); leaf: first primitive
  glm::vec3 bounds_maximum;
  std::uint32_t count;       // leaf: number of primitives (> 0); interior: 0
};

class Bvh {
 public:
  Bvh() = default;
  // Builds the hierarchy over primitives 0..n-1 with these boxes.
  explicit Bvh(std::span<const Aabb> primitive_bounds);

  // Leaf ranges index primitives in this order: primitive_order()[i] is the original index
  // of the primitive the scene must store at position i.
  const std::vector<std::uint32_t>& primitive_order() const { return primitive_order_; }
  const std::vector<BvhNode>& nodes() const { return nodes_; }

  // Calls intersect_primitive(i, t_max) for every primitive i (position in primitive_order)
  // whose leaf box the ray enters before t_max; the callback lowers t_max when it finds a
  // closer hit, which prunes the rest of the walk. `inverse_direction` is 1 / ray.direction
  // (computed once by the caller for all its hierarchies).
  template <class IntersectPrimitive>
  void traverse(const Ray& ray, const glm::vec3& inverse_direction, float t_min, float& t_max,
                IntersectPrimitive&& intersect_primitive) const;

 private:
  static constexpr int kMaximumDepth = 64;

  void subdivide(std::uint32_t node_index, std::span<const Aabb> primitive_bounds,
                 std::span<const glm::vec3> centers, int depth);

  std::vector<BvhNode> nodes_;
  std::vector<std::uint32_t> primitive_order_;
};

template <class IntersectPrimitive>
void Bvh::traverse(const Ray& ray, const glm::vec3& inverse_direction, float t_min, float& t_max,
                   IntersectPrimitive&& intersect_primitive) const {
  if (nodes_.empty()) return;
  const BvhNode* const nodes = nodes_.data();
  // A local copy the compiler can keep in a register; written back once at the end.
  float closest_t = t_max;
  const auto entry_of = [&](const BvhNode& node) {
    return ray_box_entry(node.bounds_minimum, node.bounds_maximum, ray.origin, inverse_direction, t_min, closest_t);
  };
  struct Pending {
    std::uint32_t node;
    float entry;
  };
  Pending stack[kMaximumDepth];
  int stack_size = 0;

  if (entry_of(nodes[0]) == std::numeric_limits<float>::infinity()) return;
  std::uint32_t node_index = 0;
  while (true) {
    const BvhNode& node = nodes[node_index];
    if (node.count > 0) {
      for (std::uint32_t primitive = node.first; primitive < node.first + node.count; ++primitive) {
        intersect_primitive(primitive, closest_t);
      }
    } else {
      std::uint32_t near_child = node.first;
      std::uint32_t far_child = node.first + 1;
      float near_entry = entry_of(nodes[near_child]);
      float far_entry = entry_of(nodes[far_child]);
      if (far_entry < near_entry) {
        std::swap(near_child, far_child);
        std::swap(near_entry, far_entry);
      }
      if (near_entry != std::numeric_limits<float>::infinity()) {
        if (far_entry != std::numeric_limits<float>::infinity()) stack[stack_size++] = {far_child, far_entry};
        node_index = near_child;
        continue;
      }
    }
    // Next: the most recently deferred node the ray still reaches before the closest hit.
    while (stack_size > 0 && stack[stack_size - 1].entry > closest_t) --stack_size;
    if (stack_size == 0) break;
    node_index = stack[--stack_size].node;
  }
  t_max = closest_t;
}

}  // namespace raytracer
