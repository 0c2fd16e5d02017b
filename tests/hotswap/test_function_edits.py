# Why this exists: a .cpp save compiles only the functions it changed (function_edits), and
# what it leaves out the running program keeps. Leaving out a function the new code needs, or
# keeping the old code of one that changed, would be a wrong picture with no error. These
# tests check, on small texts, what is kept (the changed functions, those that may have
# inlined them, what they call that they may inline or cannot call in the program), what is
# left out, that lines and the include block stay where they were, and every case where the
# whole source must compile. tests/hotswap/test_patch_builder.py checks the scan against
# clang on every source of the program, and real builds.
import sys
import unittest
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "hotswap" / "tools"))
from function_edits import PartialSource, partial_source, scan  # noqa: E402
from preambles import include_block  # noqa: E402

PROGRAM = """// A file of the program.
#include "core/thing.h"

#include <vector>

namespace shapes {
namespace {
float halve(float x) { return x / 2.0f; }
float unused_helper(float x) { return x * 3.0f; }
}  // namespace

EM_JS(void, js_hello, (int value), { console.log(value); });

float small_external(float x) { return x + 1.0f; }

float area(float w, float h) {
  return halve(w * h) + small_external(w);
}

float perimeter(float w, float h) {
  return 2.0f * (w + h);
}

float total(float w, float h) {
  return area(w, h) + perimeter(w, h);
}

Box::Box(float side) : side_(side), cache_{0.0f} {}

float Box::volume() const {
  return side_ * side_ * side_;
}

template <class T>
T twice(T value) {
  return value + value;
}

}  // namespace shapes
"""


def edited(old: str, new: str, text: str = PROGRAM) -> str:
    assert old in text, old
    return text.replace(old, new)


class TheScanFindsFunctionDefinitions(unittest.TestCase):
    def test_functions_at_namespace_scope_with_their_kinds(self):
        scanned = scan(PROGRAM)
        self.assertNotIsInstance(scanned, str, scanned)
        names = [function.qualified for function in scanned.functions]
        self.assertEqual(names, ["halve", "unused_helper", "small_external", "area", "perimeter", "total", "Box::Box",
                                 "Box::volume", "twice"])
        by_name = {function.qualified: function for function in scanned.functions}
        self.assertTrue(by_name["halve"].internal)
        self.assertFalse(by_name["area"].internal)
        self.assertFalse(by_name["Box::Box"].callers_spell_it)   # a constructor
        self.assertTrue(by_name["Box::Box"].always_kept)
        self.assertTrue(by_name["twice"].always_kept)            # a template
        self.assertIn("halve", by_name["area"].mentions)

    def test_a_macro_declaration_and_braced_initialisers_are_not_functions(self):
        text = "int table[] = {1, 2};\nstd::vector<int> values{3, 4};\nauto f = [](int x) { return x; };\n" \
               "struct S { int a; };\nEM_JS(void, js_f, (), { x(); });\nint g() { return 1; }\n"
        scanned = scan(text)
        self.assertEqual([function.qualified for function in scanned.functions], ["g"])


class ASaveCompilesTheFunctionsItChanged(unittest.TestCase):
    def test_a_changed_body_keeps_its_callers_and_what_they_may_inline_and_leaves_out_the_rest(self):
        partial = partial_source(PROGRAM, edited("2.0f * (w + h)", "3.0f * (w + h)"), "/project/shapes.cpp")
        self.assertIsInstance(partial, PartialSource, partial)
        self.assertEqual(partial.changed, ["perimeter"])
        # total calls perimeter (it may have inlined it), and total calls area, small enough to
        # have been inlined, which calls the internal halve (the patch cannot call the
        # program's) and small_external (small). The constructor and the template always stay.
        self.assertEqual(partial.compiled, ["halve", "small_external", "area", "perimeter", "total", "Box::Box", "twice"])
        self.assertEqual(partial.left_out, ["unused_helper", "Box::volume"])
        self.assertNotIn("side_ * side_ * side_", partial.text)
        self.assertNotIn("unused_helper", partial.text)
        self.assertIn("3.0f * (w + h)", partial.text)

    def test_lines_the_include_block_and_the_file_name_stay(self):
        text = edited("2.0f * (w + h)", "3.0f * (w + h)")
        partial = partial_source(PROGRAM, text, "/project/shapes.cpp")
        self.assertEqual(partial.text.count("\n"), text.count("\n"))
        self.assertEqual(include_block(partial.text), include_block(text))
        lines, original = partial.text.splitlines(), text.splitlines()
        directive = next(index for index, line in enumerate(lines) if line.startswith("#line"))
        self.assertEqual(lines[directive], f'#line {directive + 2} "/project/shapes.cpp"')
        kept = original.index("  return 3.0f * (w + h);")
        self.assertEqual(lines[kept], original[kept])
        self.assertEqual(partial.changed_lines, [(20, 22)])

    def test_a_large_external_callee_is_called_in_the_program_and_a_small_one_kept(self):
        big = "float big(float x) {\n" + "  x = x * 1.5f + 2.0f;\n" * 40 + "  return x;\n}\n\n"
        program = edited("float total(", big + "float total(").replace("return area(w, h) + perimeter(w, h);",
                                                                      "return area(w, h) + perimeter(w, h) + big(w);")
        partial = partial_source(program, program.replace("2.0f * (w + h)", "4.0f * (w + h)"), "shapes.cpp")
        self.assertIn("total", partial.compiled)
        self.assertIn("area", partial.compiled)
        self.assertNotIn("big", partial.compiled)
        # Its body is left out; its declaration stays, for the call in `total`.
        self.assertIn("float big(float x) ;", partial.text)
        self.assertNotIn("x = x * 1.5f + 2.0f;", partial.text)

    def test_a_caller_of_a_large_function_stays_only_if_the_programs_code_does_not_call_it(self):
        big = "float big(float x) {\n" + "  x = x * 1.5f + 2.0f;\n" * 40 + "  return x;\n}\n\n"
        program = edited("float total(", big + "float total(").replace("return area(w, h) + perimeter(w, h);",
                                                                      "return area(w, h) + big(w);")
        text = program.replace("  return x;\n}", "  return x * 2.0f;\n}")
        for calls, kept in ((1, False), (0, True), (None, True)):
            with self.subTest(calls_in_the_program=calls):
                partial = partial_source(program, text, "shapes.cpp", lambda caller, callee: calls)
                self.assertEqual(partial.changed, ["big"])
                self.assertEqual("total" in partial.compiled, kept, partial.compiled)
        # Without the program's code to tell, a caller may have inlined it.
        self.assertIn("total", partial_source(program, text, "shapes.cpp").compiled)

    def test_a_function_the_running_patch_changed_compiles_again_when_saved_back(self):
        # A patch changes only the functions it defines: one the running patch changed and
        # the save put back must be compiled again, or the page would keep the edit.
        running = edited("2.0f * (w + h)", "3.0f * (w + h)")
        saved = edited("side_ * side_ * side_", "side_ * side_")
        partial = partial_source(PROGRAM, saved, "shapes.cpp", running_text=running)
        self.assertEqual(partial.changed, ["Box::volume"])
        self.assertEqual(partial.restored, ["perimeter", "total"])
        self.assertIn("perimeter", partial.compiled)
        self.assertIn("2.0f * (w + h)", partial.text)
        back = partial_source(PROGRAM, PROGRAM, "shapes.cpp", running_text=running)
        self.assertEqual((back.changed, back.restored), ([], ["perimeter", "total"]))
        nothing = partial_source(PROGRAM, PROGRAM, "shapes.cpp")
        self.assertEqual((nothing.changed, nothing.restored), ([], []))
        with_global = edited("float total(", "int counter = 0;\nfloat total(")
        self.assertEqual(partial_source(PROGRAM, saved, "shapes.cpp", running_text=with_global),
                         "the running patch: a change outside function definitions")

    def test_a_new_function_compiles_with_the_functions_that_spell_its_name(self):
        text = edited("float total(", "float extra(float x) { return x * 0.5f; }\n\nfloat total(").replace(
            "return area(w, h) + perimeter(w, h);", "return area(w, h) + perimeter(w, h) + extra(w);")
        partial = partial_source(PROGRAM, text, "shapes.cpp", lambda caller, callee: 1)
        self.assertEqual(partial.changed, ["extra", "total"])
        self.assertIn("extra", partial.compiled)
        self.assertNotIn("Box::volume", partial.compiled)

    def test_a_changed_signature_is_a_new_function_and_its_callers_compile(self):
        text = edited("float perimeter(float w, float h)", "float perimeter(float w, double h)")
        partial = partial_source(PROGRAM, text, "shapes.cpp", lambda caller, callee: 1)
        self.assertEqual(partial.changed, ["perimeter"])
        self.assertIn("total", partial.compiled)  # it spells the name: its call may resolve anew

    def test_a_removed_overload_compiles_every_function_that_spells_its_name(self):
        program = edited("float total(", "float scale(float x) { return x; }\nfloat scale(int x) { return x * 2.0f; }\n"
                         "float use() {\n" + "  float y = 1.0f;\n" * 60 + "  return scale(1) + y;\n}\n\nfloat total(")
        text = program.replace("float scale(int x) { return x * 2.0f; }\n", "")
        partial = partial_source(program, text, "shapes.cpp", lambda caller, callee: 1)
        self.assertEqual(partial.changed, [])
        self.assertIn("use", partial.compiled)  # scale(1) now calls scale(float)

    def test_a_comment_or_the_programs_own_text_compiles_only_what_is_always_kept(self):
        # No function's code differs: what compiles is the program's code (the builder then
        # leaves the source out of the patch), not the whole source.
        for text in (edited("  return 2.0f * (w + h);", "  // twice the sides\n  return 2.0f * (w + h);"), PROGRAM):
            with self.subTest(comment=text != PROGRAM):
                partial = partial_source(PROGRAM, text, "shapes.cpp")
                self.assertIsInstance(partial, PartialSource)
                self.assertEqual((partial.changed, partial.restored, partial.removed), ([], [], []))
                self.assertEqual(sorted(partial.compiled), ["Box::Box", "twice"])
                self.assertNotIn("2.0f * (w + h)", partial.text)
                self.assertEqual(partial.text.count("\n"), text.count("\n"))  # lines kept

    def test_two_saves_against_the_same_program_keep_every_function_that_differs_from_it(self):
        first = edited("2.0f * (w + h)", "3.0f * (w + h)")
        second = edited("side_ * side_ * side_", "side_ * side_", first)
        partial = partial_source(PROGRAM, second, "shapes.cpp")
        self.assertEqual(partial.changed, ["perimeter", "Box::volume"])


class TheWholeSourceCompilesWhenFunctionsCannotBeTold(unittest.TestCase):
    def assertWhole(self, text: str, reason: str):
        result = partial_source(PROGRAM, text, "shapes.cpp")
        self.assertIsInstance(result, str, "expected the whole source to compile")
        self.assertIn(reason, result)

    def test_a_change_outside_function_definitions(self):
        self.assertWhole(edited("#include <vector>", "#include <vector>\nint counter = 0;"), "outside function definitions")
        self.assertWhole(edited("namespace shapes {", "namespace shapes {\nstruct Extra { int a; };"), "outside function definitions")

    def test_a_constructor_or_operator_added_or_removed(self):
        self.assertWhole(edited("Box::Box(float side) : side_(side), cache_{0.0f} {}\n", ""), "Box::Box changed")
        self.assertWhole(edited("float total(", "bool operator<(Box a, Box b) { return a.side() < b.side(); }\nfloat total("),
                         "callers need not spell its name")

    def test_a_changed_constructor_or_operator(self):
        self.assertWhole(edited("cache_{0.0f} {}", "cache_{0.0f} { side_ += 1.0f; }"), "Box::Box changed")
        program = PROGRAM.replace("}  // namespace shapes", "bool operator==(Box a, Box b) { return a.side() == b.side(); }\n}  // namespace shapes")
        result = partial_source(program, program.replace("a.side() == b.side()", "a.side() != b.side()"), "shapes.cpp")
        self.assertIn("callers need not spell its name", result)

    def test_a_function_try_block(self):
        program = PROGRAM.replace("}  // namespace shapes", "int risky() try { return 1; } catch (...) { return 0; }\n}  // namespace shapes")
        self.assertIn("function-try-block", partial_source(program, program.replace("return 1;", "return 2;"), "s.cpp"))

    def test_every_function_needed(self):
        program = "#include <x>\n\nint a() { return 1; }\nint b() { return a(); }\n"
        self.assertEqual(partial_source(program, program.replace("return 1", "return 2"), "s.cpp"), "every function is needed")


if __name__ == "__main__":
    unittest.main()
