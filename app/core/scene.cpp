// Scene: adding shapes, building the three BVHs, gathering the lights, the closest-hit
// search and the shadow-ray test.
#include "core/scene.h"

#include <cmath>
#include <limits>
#include <utility>

#include <glm/geometric.hpp>

#include "core/check.h"

namespace raytracer {
namespace {
// Reorders `items` so that position i holds the item that was at order[i].
template <class Item>
void reorder(std::vector<Item>& items, const std::vector<std::uint32_t>& order) {
  std::vector<Item> reordered;
  reordered.reserve(items.size());
  for (const std::uint32_t index : order) reordered.push_back(items[index]);
  items = std::move(reordered);
}

template <class Shape>
std::vector<Aabb> bounds_of(const std::vector<Shape>& shapes) {
  std::vector<Aabb> bounds;
  bounds.reserve(shapes.size());
  for (const Shape& shape : shapes) bounds.push_back(shape.bounds());
  return bounds;
}

// Flips `normal` to the side the ray came from; reports whether that is its front.
bool face_against(const Ray& ray, const glm::vec3& geometric_normal, glm::vec3& normal) {
  const bool front_face = glm::dot(ray.direction, geometric_normal) < 0.0f;
  if (!front_face) normal = -normal;
  return front_face;
}
}  // namespace

std::uint32_t Scene::add_material(const Material& material) {
  materials_.push_back(material);
  return static_cast<std::uint32_t>(materials_.size() - 1);
}

void Scene::add_sphere(const Sphere& sphere) {
  RT_CHECK(sphere.material < materials_.size());
  spheres_.push_back(sphere);
  acceleration_structures_built_ = false;
}

void Scene::add_quad(const Quad& quad) {
  RT_CHECK(quad.material < materials_.size());
  quads_.push_back(quad);
  acceleration_structures_built_ = false;
}

void Scene::add_mesh(const TriangleMesh& mesh, std::uint32_t material) {
  RT_CHECK(material < materials_.size());
  const auto& positions = mesh.positions();
  const auto& normals = mesh.normals();
  for (const MeshFace& face : mesh.faces()) {
    const Triangle triangle =
        Triangle::make(positions[face.positions[0]], positions[face.positions[1]], positions[face.positions[2]]);
    const glm::vec3 flat_normal = triangle.geometric_normal();
    const auto corner_normal = [&](int corner) {
      return face.normals[corner] == MeshFace::kNoNormal ? flat_normal : normals[face.normals[corner]];
    };
    triangles_.push_back(triangle);
    triangle_shading_.push_back({corner_normal(0), corner_normal(1), corner_normal(2), material});
  }
  acceleration_structures_built_ = false;
}

void Scene::build_acceleration_structures() {
  sphere_bvh_ = Bvh(bounds_of(spheres_));
  reorder(spheres_, sphere_bvh_.primitive_order());
  quad_bvh_ = Bvh(bounds_of(quads_));
  reorder(quads_, quad_bvh_.primitive_order());
  triangle_bvh_ = Bvh(bounds_of(triangles_));
  reorder(triangles_, triangle_bvh_.primitive_order());
  reorder(triangle_shading_, triangle_bvh_.primitive_order());
  gather_lights();  // after the reordering: lights refer to shapes by their final index
  acceleration_structures_built_ = true;
}

bool Scene::emits(std::uint32_t material) const {
  const glm::vec3& emission = materials_[material].emission;
  return emission.x > 0.0f || emission.y > 0.0f || emission.z > 0.0f;
}

void Scene::gather_lights() {
  std::vector<AreaLight> area_lights;
  // A shape too thin to have an area (a degenerate mesh triangle) is never hit nor sampled.
  const auto add = [&area_lights](const AreaLight& light) {
    if (!(light.area > 0.0f && std::isfinite(light.area))) return Lights::kNoLight;
    area_lights.push_back(light);
    return static_cast<std::uint32_t>(area_lights.size() - 1);
  };
  sphere_lights_.assign(spheres_.size(), Lights::kNoLight);
  for (std::size_t i = 0; i < spheres_.size(); ++i) {
    const Sphere& sphere = spheres_[i];
    if (emits(sphere.material)) {
      sphere_lights_[i] = add(AreaLight::sphere(sphere.center, sphere.radius, materials_[sphere.material].emission));
    }
  }
  quad_lights_.assign(quads_.size(), Lights::kNoLight);
  for (std::size_t i = 0; i < quads_.size(); ++i) {
    const Quad& quad = quads_[i];
    if (emits(quad.material)) {
      quad_lights_[i] = add(AreaLight::quad(quad.corner, quad.edge_u, quad.edge_v, materials_[quad.material].emission));
    }
  }
  triangle_lights_.assign(triangles_.size(), Lights::kNoLight);
  for (std::size_t i = 0; i < triangles_.size(); ++i) {
    const Triangle& triangle = triangles_[i];
    const std::uint32_t material = triangle_shading_[i].material;
    if (emits(material)) {
      triangle_lights_[i] =
          add(AreaLight::triangle(triangle.vertex0, triangle.edge1, triangle.edge2, materials_[material].emission));
    }
  }
  lights_ = Lights(std::move(area_lights), sky_);
}

std::optional<SurfaceHit> Scene::intersect(const Ray& ray, float t_min, float t_max) const {
  ClosestHit closest{t_max};
  if (intersection_method_ == IntersectionMethod::Bvh) {
    intersect_with_bvh(ray, t_min, closest);
  } else {
    intersect_brute_force(ray, t_min, closest);
  }
  if (closest.kind == ShapeKind::None) return std::nullopt;
  return describe_hit(ray, closest);
}

bool Scene::occluded(const Ray& ray, float t_min, float t_max) const {
  RT_CHECK(acceleration_structures_built_);
  if (intersection_method_ == IntersectionMethod::BruteForce) {
    ClosestHit closest{t_max};
    intersect_brute_force(ray, t_min, closest);
    return closest.kind != ShapeKind::None;
  }
  // Any hit answers the question. Dropping the walk's limit to -infinity ends it: every
  // pending node is then farther than the limit, and every remaining test in the leaf fails.
  constexpr float kStopWalking = -std::numeric_limits<float>::infinity();
  const glm::vec3 inverse_direction = 1.0f / ray.direction;
  bool blocked = false;
  float limit = t_max;
  const Quad* const quads = quads_.data();
  quad_bvh_.traverse(ray, inverse_direction, t_min, limit, [&](std::uint32_t index, float& t_limit) {
    if (raytracer::intersect(quads[index], ray, t_min, t_limit)) {
      blocked = true;
      t_limit = kStopWalking;
    }
  });
  if (blocked) return true;
  limit = t_max;
  const Sphere* const spheres = spheres_.data();
  sphere_bvh_.traverse(ray, inverse_direction, t_min, limit, [&](std::uint32_t index, float& t_limit) {
    if (raytracer::intersect(spheres[index], ray, t_min, t_limit)) {
      blocked = true;
      t_limit = kStopWalking;
    }
  });
  if (blocked) return true;
  limit = t_max;
  const Triangle* const triangles = triangles_.data();
  triangle_bvh_.traverse(ray, inverse_direction, t_min, limit, [&](std::uint32_t index, float& t_limit) {
    if (raytracer::intersect(triangles[index], ray, t_min, t_limit)) {
      blocked = true;
      t_limit = kStopWalking;
    }
  });
  return blocked;
}

void Scene::intersect_with_bvh(const Ray& ray, float t_min, ClosestHit& closest_hit) const {
  RT_CHECK(acceleration_structures_built_);
  ClosestHit closest = closest_hit;  // a local the compiler can keep in registers
  const glm::vec3 inverse_direction = 1.0f / ray.direction;
  const Sphere* const spheres = spheres_.data();
  sphere_bvh_.traverse(ray, inverse_direction, t_min, closest.t, [&](std::uint32_t index, float& t_max) {
    if (const auto t = raytracer::intersect(spheres[index], ray, t_min, t_max)) {
      t_max = *t;
      closest.kind = ShapeKind::Sphere;
      closest.index = index;
    }
  });
  const Quad* const quads = quads_.data();
  quad_bvh_.traverse(ray, inverse_direction, t_min, closest.t, [&](std::uint32_t index, float& t_max) {
    if (const auto t = raytracer::intersect(quads[index], ray, t_min, t_max)) {
      t_max = *t;
      closest.kind = ShapeKind::Quad;
      closest.index = index;
    }
  });
  const Triangle* const triangles = triangles_.data();
  triangle_bvh_.traverse(ray, inverse_direction, t_min, closest.t, [&](std::uint32_t index, float& t_max) {
    if (const auto hit = raytracer::intersect(triangles[index], ray, t_min, t_max)) {
      t_max = hit->t;
      closest.kind = ShapeKind::Triangle;
      closest.index = index;
      closest.u = hit->u;
      closest.v = hit->v;
    }
  });
  closest_hit = closest;
}

void Scene::intersect_brute_force(const Ray& ray, float t_min, ClosestHit& closest) const {
  for (std::uint32_t index = 0; index < spheres_.size(); ++index) {
    if (const auto t = raytracer::intersect(spheres_[index], ray, t_min, closest.t)) {
      closest = {*t, ShapeKind::Sphere, index};
    }
  }
  for (std::uint32_t index = 0; index < quads_.size(); ++index) {
    if (const auto t = raytracer::intersect(quads_[index], ray, t_min, closest.t)) {
      closest = {*t, ShapeKind::Quad, index};
    }
  }
  for (std::uint32_t index = 0; index < triangles_.size(); ++index) {
    if (const auto hit = raytracer::intersect(triangles_[index], ray, t_min, closest.t)) {
      closest = {hit->t, ShapeKind::Triangle, index, hit->u, hit->v};
    }
  }
}

SurfaceHit Scene::describe_hit(const Ray& ray, const ClosestHit& closest) const {
  SurfaceHit hit{};
  hit.light = Lights::kNoLight;
  hit.t = closest.t;
  hit.point = ray.at(closest.t);
  switch (closest.kind) {
    case ShapeKind::Sphere: {
      const Sphere& sphere = spheres_[closest.index];
      const glm::vec3 outward = sphere.outward_normal(hit.point);
      hit.normal = outward;
      hit.front_face = face_against(ray, outward, hit.normal);
      hit.material = sphere.material;
      hit.light = sphere_lights_[closest.index];
      break;
    }
    case ShapeKind::Quad: {
      const Quad& quad = quads_[closest.index];
      hit.normal = quad.normal;
      hit.front_face = face_against(ray, quad.normal, hit.normal);
      hit.material = quad.material;
      hit.light = quad_lights_[closest.index];
      break;
    }
    case ShapeKind::Triangle: {
      const Triangle& triangle = triangles_[closest.index];
      const TriangleShading& shading = triangle_shading_[closest.index];
      const float w = 1.0f - closest.u - closest.v;
      // Front and back come from the true surface; the interpolated normal only bends shading.
      const glm::vec3 geometric = triangle.geometric_normal();
      hit.normal = glm::normalize(w * shading.normal0 + closest.u * shading.normal1 + closest.v * shading.normal2);
      if (glm::dot(hit.normal, geometric) < 0.0f) hit.normal = -hit.normal;
      hit.front_face = face_against(ray, geometric, hit.normal);
      hit.material = shading.material;
      hit.light = triangle_lights_[closest.index];
      break;
    }
    case ShapeKind::None: RT_CHECK(closest.kind != ShapeKind::None); break;
  }
  return hit;
}

}  // namespace raytracer
