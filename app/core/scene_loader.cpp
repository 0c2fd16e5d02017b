// parse_scene, try_parse_scene and load_scene_file: from JSON text (or a file) to a scene.
// JSON syntax errors become InputErrors with line and column; the fields themselves are read
// by SceneReader.
#include "core/scene_loader.h"

#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "core/json_field.h"
#include "core/scene_reader.h"

namespace raytracer {
namespace {
// "line 3, column 14" for a byte offset into the text.
std::string line_and_column(std::string_view text, std::size_t byte_offset) {
  int line = 1;
  int column = 1;
  for (std::size_t i = 0; i < byte_offset && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++line;
      column = 1;
    } else {
      ++column;
    }
  }
  return "line " + std::to_string(line) + ", column " + std::to_string(column);
}

std::optional<std::string> read_file(const std::string& path) {
  std::ifstream stream(path, std::ios::binary);
  if (!stream) return std::nullopt;
  std::ostringstream contents;
  contents << stream.rdbuf();
  if (stream.bad()) return std::nullopt;
  return contents.str();
}
}  // namespace

LoadedScene parse_scene(std::string_view json_text, const std::string& source_name, const FileResolver& resolve_file) {
  nlohmann::json document;
  try {
    document = nlohmann::json::parse(json_text, nullptr, /*allow_exceptions=*/true, /*ignore_comments=*/true);
  } catch (const nlohmann::json::parse_error& error) {
    // nlohmann's message: "[json.exception.parse_error.101] parse error at line 3, column 5: <what>".
    std::string what = error.what();
    const std::size_t detail = what.find(": ");
    if (detail != std::string::npos) what = what.substr(detail + 2);
    throw InputError(source_name, line_and_column(json_text, error.byte == 0 ? 0 : error.byte - 1),
                     "expected valid JSON: " + what);
  }
  SceneReader reader(resolve_file);
  return reader.read(JsonField(document, source_name));
}

std::variant<LoadedScene, InputError> try_parse_scene(std::string_view json_text, const std::string& source_name,
                                                      const FileResolver& resolve_file) {
  try {
    return parse_scene(json_text, source_name, resolve_file);
  } catch (const InputError& error) {
    return error;
  }
}

LoadedScene load_scene_file(const std::string& path) {
  const std::optional<std::string> text = read_file(path);
  if (!text) throw InputError(path, "", "expected a readable scene file, could not open it");
  const std::size_t last_slash = path.find_last_of('/');
  const std::string folder = last_slash == std::string::npos ? std::string() : path.substr(0, last_slash + 1);
  const FileResolver resolve_next_to_scene = [&folder](const std::string& referenced) {
    return read_file(!referenced.empty() && referenced.front() == '/' ? referenced : folder + referenced);
  };
  return parse_scene(*text, path, resolve_next_to_scene);
}

}  // namespace raytracer
