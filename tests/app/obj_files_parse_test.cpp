// OBJ parsing: every face corner form, negative indices, polygons fanned into triangles,
// normals kept per corner, everything else skipped.
#include <gtest/gtest.h>

#include "core/obj_loader.h"
#include "raytracer.h"

namespace raytracer {
namespace {

const std::string kSquare = "v 0 0 0\nv 1 0 0\nv 1 1 0\nv 0 1 0\nvt 0 0\nvn 0 0 2\n";

TEST(ObjFiles, AQuadBecomesTwoTriangles) {
  const TriangleMesh mesh = parse_obj(kSquare + "f 1 2 3 4\n", "square.obj");
  ASSERT_EQ(mesh.faces().size(), 2u);
  EXPECT_EQ(mesh.faces()[0].positions, (std::array<std::uint32_t, 3>{0, 1, 2}));
  EXPECT_EQ(mesh.faces()[1].positions, (std::array<std::uint32_t, 3>{0, 2, 3}));
  EXPECT_EQ(mesh.faces()[0].normals[0], MeshFace::kNoNormal);
}

TEST(ObjFiles, EveryCornerFormIsRead) {
  const TriangleMesh mesh = parse_obj(kSquare + "f 1/1 2//1 3/1/1\n", "square.obj");
  ASSERT_EQ(mesh.faces().size(), 1u);
  EXPECT_EQ(mesh.faces()[0].normals, (std::array<std::int32_t, 3>{MeshFace::kNoNormal, 0, 0}));
  EXPECT_FLOAT_EQ(mesh.normals()[0].z, 1.0f);  // normalised on reading
}

TEST(ObjFiles, NegativeIndicesCountBackFromTheLastVertex) {
  const TriangleMesh mesh = parse_obj(kSquare + "f -4 -3 -1\n", "square.obj");
  EXPECT_EQ(mesh.faces()[0].positions, (std::array<std::uint32_t, 3>{0, 1, 3}));
}

TEST(ObjFiles, CommentsGroupsAndMaterialsAreSkipped) {
  const TriangleMesh mesh =
      parse_obj("# a comment\nmtllib x.mtl\no thing\ng part\ns 1\nusemtl gold\n" + kSquare + "\r\nf 1 2 3\r\n", "x.obj");
  EXPECT_EQ(mesh.faces().size(), 1u);
  EXPECT_EQ(mesh.positions().size(), 4u);
}

TEST(ObjFiles, AFileWithoutFacesIsAnError) {
  EXPECT_THROW(parse_obj(kSquare, "empty.obj"), InputError);
}

TEST(ObjFiles, AFaceWithTwoCornersIsAnError) {
  try {
    parse_obj(kSquare + "f 1 2\n", "two.obj");
    FAIL() << "no InputError";
  } catch (const InputError& error) {
    EXPECT_EQ(error.file(), "two.obj");
    EXPECT_EQ(error.field(), "line 7");
  }
}

}  // namespace
}  // namespace raytracer
