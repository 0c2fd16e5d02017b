// parse_obj: a line-by-line OBJ reader. Numbers go through strtod, which glibc and musl both
// round correctly, so a mesh has the same bits natively and in WebAssembly.
#include "core/obj_loader.h"

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <optional>
#include <vector>

#include <glm/geometric.hpp>

#include "core/input_error.h"

namespace raytracer {
namespace {

// Reads the words of one line, with the line number for error messages.
class LineReader {
 public:
  LineReader(std::string_view line, int line_number, const std::string& source_name)
      : line_(line), line_number_(line_number), source_name_(source_name) {}

  std::optional<std::string_view> next_word() {
    while (position_ < line_.size() && is_space(line_[position_])) ++position_;
    if (position_ == line_.size()) return std::nullopt;
    const std::size_t start = position_;
    while (position_ < line_.size() && !is_space(line_[position_])) ++position_;
    return line_.substr(start, position_ - start);
  }

  float next_number(const char* what) {
    const std::optional<std::string_view> word = next_word();
    if (!word) fail(std::string("expected ") + what + ", the line ends early");
    const std::string text(*word);
    char* end = nullptr;
    errno = 0;
    const double value = std::strtod(text.c_str(), &end);
    if (end != text.c_str() + text.size() || errno == ERANGE || !std::isfinite(static_cast<float>(value))) {
      fail(std::string("expected ") + what + " (a finite number), got \"" + text + "\"");
    }
    return static_cast<float>(value);
  }

  [[noreturn]] void fail(const std::string& expectation) const {
    throw InputError(source_name_, "line " + std::to_string(line_number_), expectation);
  }

 private:
  static bool is_space(char character) { return character == ' ' || character == '\t' || character == '\r'; }

  std::string_view line_;
  std::size_t position_ = 0;
  int line_number_;
  const std::string& source_name_;
};

// Turns an OBJ index (1-based, or negative counting back from the last element) into a
// 0-based one, checking it refers to an element already defined.
std::uint32_t resolve_index(long index, std::size_t defined, const char* what, const LineReader& line) {
  const long resolved = index > 0 ? index - 1 : static_cast<long>(defined) + index;
  if (index == 0 || resolved < 0 || resolved >= static_cast<long>(defined)) {
    line.fail(std::string("expected a ") + what + " index between 1 and " + std::to_string(defined) +
              " (or a negative one counting back), got " + std::to_string(index));
  }
  return static_cast<std::uint32_t>(resolved);
}

long parse_index(std::string_view text, const LineReader& line, std::string_view corner) {
  const std::string digits(text);
  char* end = nullptr;
  const long value = std::strtol(digits.c_str(), &end, 10);
  if (digits.empty() || end != digits.c_str() + digits.size()) {
    line.fail("expected a face corner like 7, 7/2, 7//3 or 7/2/3, got \"" + std::string(corner) + "\"");
  }
  return value;
}

struct Corner {
  std::uint32_t position;
  std::int32_t normal;
};

// "7", "7/2", "7//3" or "7/2/3": position / texture coordinate / normal.
Corner parse_corner(std::string_view word, const TriangleMesh& mesh, const LineReader& line) {
  const std::size_t first_slash = word.find('/');
  const long position_index = parse_index(word.substr(0, first_slash), line, word);
  Corner corner{resolve_index(position_index, mesh.positions().size(), "vertex", line), MeshFace::kNoNormal};
  if (first_slash == std::string_view::npos) return corner;
  const std::size_t second_slash = word.find('/', first_slash + 1);
  if (second_slash == std::string_view::npos) return corner;  // "7/2": no normal
  const long normal_index = parse_index(word.substr(second_slash + 1), line, word);
  corner.normal = static_cast<std::int32_t>(resolve_index(normal_index, mesh.normals().size(), "normal", line));
  return corner;
}

}  // namespace

TriangleMesh parse_obj(std::string_view text, const std::string& source_name) {
  TriangleMesh mesh;
  std::vector<Corner> corners;
  int line_number = 0;
  std::size_t line_start = 0;
  while (line_start < text.size()) {
    std::size_t line_end = text.find('\n', line_start);
    if (line_end == std::string_view::npos) line_end = text.size();
    ++line_number;
    LineReader line(text.substr(line_start, line_end - line_start), line_number, source_name);
    line_start = line_end + 1;

    const std::optional<std::string_view> keyword = line.next_word();
    if (!keyword || keyword->front() == '#') continue;
    if (*keyword == "v") {
      const float x = line.next_number("x");
      const float y = line.next_number("y");
      const float z = line.next_number("z");
      mesh.add_position({x, y, z});
    } else if (*keyword == "vn") {
      const float x = line.next_number("x");
      const float y = line.next_number("y");
      const float z = line.next_number("z");
      const glm::vec3 normal(x, y, z);
      if (!(glm::dot(normal, normal) > 0.0f)) line.fail("expected a normal of non-zero length");
      mesh.add_normal(glm::normalize(normal));
    } else if (*keyword == "f") {
      corners.clear();
      while (const std::optional<std::string_view> word = line.next_word()) {
        corners.push_back(parse_corner(*word, mesh, line));
      }
      if (corners.size() < 3) line.fail("expected a face with at least 3 corners");
      for (std::size_t i = 1; i + 1 < corners.size(); ++i) {  // a fan around the first corner
        mesh.add_face({{corners[0].position, corners[i].position, corners[i + 1].position},
                       {corners[0].normal, corners[i].normal, corners[i + 1].normal}});
      }
    }
    // Anything else (vt, o, g, s, usemtl, mtllib, l, ...) does not change the geometry.
  }
  if (mesh.faces().empty()) throw InputError(source_name, "(whole file)", "expected at least one face (an \"f\" line)");
  return mesh;
}

}  // namespace raytracer
