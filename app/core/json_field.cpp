// JsonField: typed, checked reads of JSON values with error messages that say where.
#include "core/json_field.h"

#include <cmath>

#include "core/input_error.h"

namespace raytracer {
namespace {
// "the string \"shiny\"", "the number 3", "an array of 2 elements"...: what was found.
std::string describe(const nlohmann::json& value) {
  switch (value.type()) {
    case nlohmann::json::value_t::string: {
      std::string text = value.get<std::string>();
      if (text.size() > 40) text = text.substr(0, 40) + "...";
      return "the string \"" + text + "\"";
    }
    case nlohmann::json::value_t::number_integer:
    case nlohmann::json::value_t::number_unsigned:
    case nlohmann::json::value_t::number_float: return "the number " + value.dump();
    case nlohmann::json::value_t::boolean: return value.dump();
    case nlohmann::json::value_t::null: return "null";
    case nlohmann::json::value_t::array: return "an array of " + std::to_string(value.size()) + " elements";
    case nlohmann::json::value_t::object: return "an object";
    default: return "an unexpected value";
  }
}

std::string format_number(float value) {
  std::string text = std::to_string(value);
  while (text.size() > 1 && text.back() == '0') text.pop_back();
  if (!text.empty() && text.back() == '.') text.pop_back();
  return text;
}
}  // namespace

void JsonField::fail(const std::string& expectation) const {
  throw InputError(*file_, path_.empty() ? "(top level)" : path_, expectation + ", got " + describe(*value_));
}

void JsonField::fail_with_message(const std::string& message) const {
  throw InputError(*file_, path_.empty() ? "(top level)" : path_, message);
}

std::string JsonField::child_path(std::string_view name) const {
  return path_.empty() ? std::string(name) : path_ + "." + std::string(name);
}

void JsonField::expect_object() const {
  if (!value_->is_object()) fail("expected an object");
}

JsonField JsonField::member(std::string_view name) const {
  expect_object();
  const auto found = value_->find(name);
  if (found == value_->end()) {
    throw InputError(*file_, child_path(name), "expected this required field, it is missing");
  }
  return JsonField(*found, *file_, child_path(name));
}

std::optional<JsonField> JsonField::optional_member(std::string_view name) const {
  expect_object();
  const auto found = value_->find(name);
  if (found == value_->end()) return std::nullopt;
  return JsonField(*found, *file_, child_path(name));
}

void JsonField::expect_only_members(std::initializer_list<std::string_view> allowed) const {
  expect_object();
  for (const auto& [name, value] : value_->items()) {
    bool known = false;
    std::string allowed_list;
    for (const std::string_view allowed_name : allowed) {
      known = known || allowed_name == name;
      allowed_list += (allowed_list.empty() ? "" : ", ") + std::string(allowed_name);
    }
    if (!known) throw InputError(*file_, child_path(name), "unknown field (expected one of: " + allowed_list + ")");
  }
}

std::size_t JsonField::array_size() const {
  if (!value_->is_array()) fail("expected an array");
  return value_->size();
}

JsonField JsonField::element(std::size_t index) const {
  if (index >= array_size()) fail("expected at least " + std::to_string(index + 1) + " elements");
  return JsonField((*value_)[index], *file_, path_ + "[" + std::to_string(index) + "]");
}

std::string JsonField::text() const {
  if (!value_->is_string()) fail("expected a string");
  return value_->get<std::string>();
}

float JsonField::number() const {
  if (!value_->is_number()) fail("expected a number");
  const auto value = static_cast<float>(value_->get<double>());
  if (!std::isfinite(value)) fail("expected a number that fits in a float");
  return value;
}

float JsonField::number_in_range(float minimum, float maximum) const {
  const float value = number();
  if (value < minimum || value > maximum) {
    fail("expected a number from " + format_number(minimum) + " to " + format_number(maximum));
  }
  return value;
}

float JsonField::positive_number() const {
  const float value = number();
  if (!(value > 0.0f)) fail("expected a positive number");
  return value;
}

glm::vec3 JsonField::vec3() const {
  if (!value_->is_array() || value_->size() != 3) fail("expected an array of 3 numbers [x, y, z]");
  return {element(0).number(), element(1).number(), element(2).number()};
}

glm::vec3 JsonField::color(float maximum_component) const {
  if (!value_->is_array() || value_->size() != 3) fail("expected a colour: an array of 3 numbers [r, g, b]");
  return {element(0).number_in_range(0.0f, maximum_component), element(1).number_in_range(0.0f, maximum_component),
          element(2).number_in_range(0.0f, maximum_component)};
}

}  // namespace raytracer
