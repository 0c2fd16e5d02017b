# Why this exists: a header edit compiles only the includers that use a function whose body
# changed (hotswap/tools/header_edits.py). Skipping an includer that needed compiling would
# leave old code on screen while the page says "applied", so these tests pin down what may
# narrow (a function's body: plain ones by linker name, templates and constructors by declared
# name) and what must compile every includer (anything else).
import sys
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "hotswap" / "tools"))
from header_edits import compare_header, load_libclang, summarize_header  # noqa: E402

HEADER = """#pragma once
// A header like the raytracer's: plain inline functions, a struct, a template, a constant.
#define SCALE 2.0f
namespace shapes {
struct Box {
  float side = 1.0f;
  float area() const { return side * side; }
  Box() { side = 1.0f; }
};
inline float volume(const Box& box) {
  return box.area() * box.side;
}
constexpr float half(float value) { return value / 2.0f; }
template <typename T> T twice(T value) { return value + value; }
template <typename T> struct Pair { T sum() const; T first, second; };
template <typename T> T Pair<T>::sum() const { return first + second; }
inline float scaled(float value) { return value * SCALE; }
inline auto doubled(float value) { return value * 2.0f; }
inline constexpr float kLimit = 2.0f;
inline constexpr int kUnused = 7;
inline constexpr int kCount = 3;
struct Table { float entries[kCount]; };
inline float limited(float value) { return value < kLimit ? value : kLimit; }
}  // namespace shapes
"""
ARGUMENTS = ["-x", "c++", "-std=c++20", "-Wno-pragma-once-outside-header"]
PATH = Path("/virtual/shapes.h")


class HeaderEditsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.cindex = load_libclang()
        if cls.cindex is None:
            raise AssertionError("libclang's Python bindings are missing: scripts/setup.sh installs python3-clang-19")

    def compare(self, before: str, after: str, old: str = HEADER):
        self.assertIn(before, old, "the test's edit must find its text")
        return compare_header(summarize_header(self.cindex, PATH, old, ARGUMENTS),
                              summarize_header(self.cindex, PATH, old.replace(before, after), ARGUMENTS))

    def test_a_changed_function_body_names_only_that_function(self):
        comparison = self.compare("return box.area() * box.side;", "return box.area() * box.side * 0.5f;")
        self.assertIsNone(comparison.reason)
        self.assertEqual([function.readable for function in comparison.changed], ["shapes::volume"])
        self.assertEqual([function.name for function in comparison.changed], ["_ZN6shapes6volumeERKNS_3BoxE"])

    def test_a_member_function_body_is_named_with_its_class(self):
        comparison = self.compare("return side * side;", "return side * side * 2.0f;")
        self.assertIsNone(comparison.reason)
        self.assertEqual([function.readable for function in comparison.changed], ["shapes::Box::area"])

    def test_a_body_edit_that_moves_lines_changes_nothing_else(self):
        comparison = self.compare("return box.area() * box.side;", "const float area = box.area();\n  return area * box.side;")
        self.assertIsNone(comparison.reason)
        self.assertEqual(len(comparison.changed), 1)

    def test_a_member_initialiser_compiles_every_includer(self):
        self.assertEqual(self.compare("float side = 1.0f;", "float side = 2.0f;").reason, "it changed outside function bodies")

    def test_a_macro_compiles_every_includer(self):
        self.assertEqual(self.compare("#define SCALE 2.0f", "#define SCALE 3.0f").reason, "it changed outside function bodies")

    def test_a_new_function_names_only_itself(self):
        # No code can call a function that did not exist without spelling its name: the
        # includers that spell it compile (HeaderNarrowing), no other.
        comparison = self.compare("}  // namespace shapes", "inline float third(float v) { return v / 3; }\n}  // namespace shapes")
        self.assertIsNone(comparison.reason)
        self.assertEqual((comparison.changed, comparison.declarations), ([], ["declared shapes::third"]))

    def test_a_member_function_declared_or_removed_names_only_itself(self):
        declared = self.compare("float area() const {", "float perimeter() const;\n  float area() const {")
        self.assertIsNone(declared.reason)
        self.assertEqual((declared.changed, declared.declarations), ([], ["declared shapes::Box::perimeter"]))
        with_it = HEADER.replace("float area() const {", "float perimeter() const;\n  float area() const {")
        removed = self.compare("float perimeter() const;\n", "", old=with_it)
        self.assertIsNone(removed.reason)
        self.assertEqual(removed.declarations, ["removed shapes::Box::perimeter"])

    def test_a_changed_signature_names_the_function_and_its_callers_in_the_header(self):
        # A new overload of Box::area: volume's body calls area(), so it may call the new one.
        comparison = self.compare("float area() const {", "float area(int sides) const;\n  float area() const {")
        self.assertIsNone(comparison.reason)
        self.assertEqual(comparison.declarations, ["declared shapes::Box::area"])
        self.assertEqual([function.readable for function in comparison.changed], ["shapes::volume"])
        retyped = self.compare("inline float scaled(float value)", "inline float scaled(double value)")
        self.assertIsNone(retyped.reason)
        self.assertEqual(retyped.declarations, ["declared shapes::scaled", "removed shapes::scaled"])

    def test_a_declaration_code_uses_without_naming_it_compiles_every_includer(self):
        # A virtual function moves the class's layout; an operator, a conversion, a constructor
        # or a begin() is called by code that never spells its name.
        for added in ("virtual void draw();", "bool operator==(const Box& other) const;", "operator float() const;",
                      "explicit Box(float s);", "~Box();", "const float* begin() const;", "friend float volume(const Box& box);"):
            with self.subTest(added=added):
                self.assertEqual(self.compare("float area() const {", added + "\n  float area() const {").reason,
                                 "it changed outside function bodies")

    def test_a_moved_declaration_compiles_every_includer(self):
        moved = HEADER.replace("template <typename T> T twice(T value) { return value + value; }\n", "")
        moved = moved.replace("}  // namespace shapes", "template <typename T> T twice(T value) { return value + value; }\n}  // namespace shapes")
        self.assertEqual(compare_header(summarize_header(self.cindex, PATH, HEADER, ARGUMENTS),
                                        summarize_header(self.cindex, PATH, moved, ARGUMENTS)).reason,
                         "it changed outside function bodies")

    def test_a_new_type_names_only_itself(self):
        # A struct, an alias, a class template or an enum added whole (at namespace scope): code
        # can only use it by spelling its name, or an unscoped enum's enumerators.
        for added, declared, names in (
                ("struct Circle {\n  float radius = 1.0f;\n  float area() const { return radius * radius * 3.0f; }\n};",
                 "shapes::Circle", {"Circle"}),
                ("using Length = float;", "shapes::Length", {"Length"}),
                ("template <typename T> struct Triple { T a, b, c; T sum() const { return a + b + c; } };", "shapes::Triple", {"Triple"}),
                ("enum Side { kLeft, kRight };", "shapes::Side", {"Side", "kLeft", "kRight"}),
                ("enum class Corner { kTop, kBottom };", "shapes::Corner", {"Corner"})):
            with self.subTest(added=added):
                comparison = self.compare("}  // namespace shapes", added + "\n}  // namespace shapes")
                self.assertIsNone(comparison.reason)
                self.assertEqual((comparison.changed, comparison.declarations, comparison.names), ([], [f"declared {declared}"], names))

    def test_a_removed_type_names_itself(self):
        comparison = self.compare("struct Table { float entries[kCount]; };\n", "")
        self.assertIsNone(comparison.reason)
        self.assertEqual(comparison.declarations, ["removed shapes::Table"])

    def test_a_type_changed_in_place_or_nested_in_a_class_compiles_every_includer(self):
        # A data member moves the layout of code that never spells the type; a member type
        # (value_type, is_transparent) is what the standard library's templates look for.
        for before, after in (("float side = 1.0f;", "float side = 1.0f;\n  float depth = 1.0f;"),
                              ("float side = 1.0f;", "float side = 1.0f;\n  using value_type = float;"),
                              ("}  // namespace shapes", "template <> struct Pair<bool> { bool sum() const { return true; } };\n}  // namespace shapes"),
                              ("}  // namespace shapes", "struct Counter { static int count; };\n}  // namespace shapes")):
            with self.subTest(after=after):
                self.assertEqual(self.compare(before, after).reason, "it changed outside function bodies")

    def test_a_new_name_spelled_outside_function_bodies_compiles_every_includer(self):
        rows = HEADER.replace("struct Table { float entries[kCount]; };",
                              "inline constexpr int rows() { return 2; }\nstruct Table { float entries[rows()]; };")
        comparison = self.compare("struct Table", "inline constexpr int rows(int n) { return n; }\nstruct Table", old=rows)
        self.assertEqual(comparison.reason, "rows was declared or removed, and the header names it outside function bodies")

    def test_constexpr_and_deduced_return_type_bodies_compile_every_includer(self):
        self.assertIn("constexpr", self.compare("return value / 2.0f;", "return value / 4.0f;").reason)
        self.assertIn("deduced", self.compare("return value * 2.0f;", "return value * 3.0f;").reason)

    def test_template_and_constructor_bodies_are_found_by_their_declared_name(self):
        # Every instantiation of a template (every variant of a constructor) has a linker name
        # of its own; what they share is the name they were declared with.
        for before, after, declared in (("return value + value;", "return value + value + value;", "shapes::twice"),
                                        ("Box() { side = 1.0f; }", "Box() { side = 3.0f; }", "shapes::Box::Box"),
                                        ("return first + second;", "return first - second;", "shapes::Pair::sum")):
            with self.subTest(declared=declared):
                comparison = self.compare(before, after)
                self.assertIsNone(comparison.reason)
                self.assertEqual([(function.readable, function.by_declared_name) for function in comparison.changed],
                                 [(declared, True)])

    def test_a_constant_s_value_names_the_constant_and_the_functions_that_use_it(self):
        comparison = self.compare("kLimit = 2.0f;", "kLimit = 3.0f;")
        self.assertIsNone(comparison.reason)
        self.assertEqual([constant.name for constant in comparison.constants], ["kLimit"])
        self.assertEqual([function.readable for function in comparison.changed], ["shapes::limited"])
        unused = self.compare("kUnused = 7;", "kUnused = 8;")
        self.assertIsNone(unused.reason)
        self.assertEqual(([constant.name for constant in unused.constants], unused.changed), (["kUnused"], []))

    def test_a_constant_used_outside_function_bodies_compiles_every_includer(self):
        self.assertEqual(self.compare("kCount = 3;", "kCount = 4;").reason, "kCount changed, and the header uses it outside function bodies")

    def test_a_comment_changes_no_function(self):
        comparison = self.compare("// A header like", "// A header much like")
        self.assertEqual(comparison.reason, "no function body changed")
        self.assertEqual(self.compare("return value * SCALE;", "return value * SCALE; /* scaled */").reason, "no function body changed")

    def test_a_header_that_does_not_compile_compiles_every_includer(self):
        comparison = self.compare("return box.area() * box.side;", "return box.area() * undefined_name;")
        self.assertIn("as saved, it does not compile on its own", comparison.reason)


if __name__ == "__main__":
    unittest.main()
