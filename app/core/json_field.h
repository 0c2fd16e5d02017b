// JsonField: one value of a parsed JSON document together with its path
// ("objects[3].material.roughness") and the file it came from. Every typed read checks
// the type and range and, when the input is wrong, throws an InputError naming the file,
// the path and what was expected, so the scene loader reads like a schema.
#pragma once

#include <cstddef>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include <glm/vec3.hpp>
#include <nlohmann/json.hpp>

namespace raytracer {

class JsonField {
 public:
  // The document's root; `file` names the source in error messages and must outlive the field.
  JsonField(const nlohmann::json& value, const std::string& file) : value_(&value), file_(&file) {}

  const std::string& path() const { return path_; }
  const nlohmann::json& json() const { return *value_; }

  // Members of an object (each throws unless this is an object).
  JsonField member(std::string_view name) const;  // throws when missing
  std::optional<JsonField> optional_member(std::string_view name) const;
  // Throws when the object has a member not in `allowed` (catches typos such as "radus").
  void expect_only_members(std::initializer_list<std::string_view> allowed) const;

  // Elements of an array.
  std::size_t array_size() const;
  JsonField element(std::size_t index) const;

  // Typed values.
  std::string text() const;
  float number() const;
  float number_in_range(float minimum, float maximum) const;  // inclusive
  float positive_number() const;
  glm::vec3 vec3() const;                                      // [x, y, z]
  glm::vec3 color(float maximum_component) const;              // [r, g, b], each in [0, maximum_component]

  // Throws InputError for this field: "file: path: expectation, got <what the value is>".
  [[noreturn]] void fail(const std::string& expectation) const;
  // Throws InputError for this field with the message as given.
  [[noreturn]] void fail_with_message(const std::string& message) const;

 private:
  JsonField(const nlohmann::json& value, const std::string& file, std::string path)
      : value_(&value), file_(&file), path_(std::move(path)) {}
  std::string child_path(std::string_view name) const;
  void expect_object() const;

  const nlohmann::json* value_;
  const std::string* file_;
  std::string path_;  // empty for the root
};

}  // namespace raytracer
