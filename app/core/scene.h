// Scene: everything a ray can meet (spheres, quads, mesh triangles), their materials and the
// sky, stored as flat arrays with one BVH per kind of shape so the inner loops stay tight
// and free of virtual calls, and the lights among them (for light sampling). Built once
// (add_..., set_sky, then build_acceleration_structures), then read-only: every render
// thread shares one Scene.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "core/bvh.h"
#include "core/lights.h"
#include "core/material.h"
#include "core/quad.h"
#include "core/ray.h"
#include "core/sky.h"
#include "core/sphere.h"
#include "core/surface_hit.h"
#include "core/triangle.h"
#include "core/triangle_mesh.h"

namespace raytracer {

// How Scene::intersect finds the closest hit.
enum class IntersectionMethod {
  Bvh,         // walk the hierarchies (the normal case)
  BruteForce,  // test every primitive (the benchmark's baseline, and the BVH tests' reference)
};

class Scene {
 public:
  // Returns the index that shapes use to refer to the material.
  std::uint32_t add_material(const Material& material);
  void add_sphere(const Sphere& sphere);
  void add_quad(const Quad& quad);
  // Adds every face of the (already placed) mesh with this material.
  void add_mesh(const TriangleMesh& mesh, std::uint32_t material);
  // Its sun is a light, so build_acceleration_structures must follow.
  void set_sky(const Sky& sky) {
    sky_ = sky;
    acceleration_structures_built_ = false;
  }
  // Call once after the last add_... and set_sky; intersect(), occluded() and lights() need
  // it. Also gathers the lights: every shape whose material emits, and the sun.
  void build_acceleration_structures();
  void set_intersection_method(IntersectionMethod method) { intersection_method_ = method; }

  // The closest surface the ray meets with t in (t_min, t_max), if any.
  std::optional<SurfaceHit> intersect(const Ray& ray, float t_min, float t_max) const;
  // Whether the ray meets any surface with t in (t_min, t_max): a shadow ray's question,
  // answered without looking for the closest.
  bool occluded(const Ray& ray, float t_min, float t_max) const;

  const Material& material(std::uint32_t index) const { return materials_[index]; }
  const Sky& sky() const { return sky_; }
  const Lights& lights() const { return lights_; }
  std::size_t material_count() const { return materials_.size(); }
  std::size_t sphere_count() const { return spheres_.size(); }
  std::size_t quad_count() const { return quads_.size(); }
  std::size_t triangle_count() const { return triangles_.size(); }
  IntersectionMethod intersection_method() const { return intersection_method_; }

 private:
  enum class ShapeKind : std::uint32_t { None, Sphere, Quad, Triangle };
  // The closest hit found so far while searching; turned into a SurfaceHit at the end.
  struct ClosestHit {
    float t;
    ShapeKind kind = ShapeKind::None;
    std::uint32_t index = 0;
    float u = 0.0f;  // triangle barycentrics
    float v = 0.0f;
  };

  void intersect_with_bvh(const Ray& ray, float t_min, ClosestHit& closest) const;
  void intersect_brute_force(const Ray& ray, float t_min, ClosestHit& closest) const;
  SurfaceHit describe_hit(const Ray& ray, const ClosestHit& closest) const;
  void gather_lights();
  bool emits(std::uint32_t material) const;

  std::vector<Material> materials_;
  std::vector<Sphere> spheres_;
  std::vector<Quad> quads_;
  std::vector<Triangle> triangles_;
  std::vector<TriangleShading> triangle_shading_;  // parallel to triangles_
  Bvh sphere_bvh_;
  Bvh quad_bvh_;
  Bvh triangle_bvh_;
  Sky sky_;
  Lights lights_;
  // Per shape (parallel to spheres_, quads_, triangles_): its index in lights_, or kNoLight.
  std::vector<std::uint32_t> sphere_lights_;
  std::vector<std::uint32_t> quad_lights_;
  std::vector<std::uint32_t> triangle_lights_;
  IntersectionMethod intersection_method_ = IntersectionMethod::Bvh;
  bool acceleration_structures_built_ = false;
};

}  // namespace raytracer
